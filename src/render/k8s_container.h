#pragma once
// The service's own container: image, command and args, env (secrets by reference), ports,
// resources, mounts, probes and the numeric user.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "render/k8s_render.h"
#include "render/k8s_secrets.h"
#include "render/k8s_volumes.h"
#include "stack/model.h"

namespace edgecrew::render::k8s {

nlohmann::ordered_json main_container(const stack::Stack& stack, const stack::Service& service,
                                      const ServiceSecrets& secrets, const PodVolumes& volumes,
                                      const K8sOptions& options, std::vector<std::string>& notes);

}  // namespace edgecrew::render::k8s
