#pragma once
// depends_on: Kubernetes starts pods in any order, so a pod waits in an init container until each
// dependency's Service accepts connections (which it does once the dependency is ready).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"

namespace edgecrew::render::k8s {

inline constexpr std::string_view k_wait_image = "docker.io/library/busybox:1.36";

// One "wait-for-<dep>" container per dependency that has a Service port; an empty array when none.
nlohmann::ordered_json wait_containers(const stack::Stack& stack, const stack::Service& service,
                                       const std::vector<const stack::Service*>& rendered,
                                       std::vector<std::string>& notes);

}  // namespace edgecrew::render::k8s
