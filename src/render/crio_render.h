#pragma once
// `edgecrew render crio`: for each service a crictl pod file NAME-pod.json and container file
// NAME-ctr.json, and a README.txt with the crictl commands that run them in dependency order.

#include <vector>

#include "engine/cri/cri_mapping.h"
#include "render/rendered_file.h"
#include "stack/model.h"

namespace edgecrew::render {

// Files in the order of `services` (pod, then container), README.txt last. Throws
// std::logic_error when an output would hold an unexpanded "${" or a relative host path: the
// loader refuses both, so that would be a bug.
std::vector<RenderedFile> render_crio(const stack::Stack& stack,
                                      const std::vector<const stack::Service*>& services,
                                      const engine::cri::CriMappingOptions& options = {});

}  // namespace edgecrew::render
