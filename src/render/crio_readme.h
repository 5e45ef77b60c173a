#pragma once
// README.txt of `render crio`: host directories to create, the crictl lines that start each
// service (dependencies first), how to tear down, and what the CRI could not carry.

#include <map>
#include <string>
#include <vector>

#include "engine/cri/cri_mapping.h"
#include "stack/model.h"

namespace edgecrew::render {

// `specs` holds the mapped spec of every service in `services`, by service name.
std::string crio_readme(const stack::Stack& stack,
                        const std::vector<const stack::Service*>& services,
                        const std::map<std::string, engine::cri::CriSpec>& specs,
                        const engine::cri::CriMappingOptions& options);

}  // namespace edgecrew::render
