#pragma once
// Resources: CPU and memory limits and requests, and GPUs as extended resources
// ("nvidia.com/gpu") counted from the CDI names a service asks for.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stack/model.h"

namespace edgecrew::render::k8s {

// "512Mi" when whole mebibytes, else the plain number of bytes.
std::string byte_quantity(std::int64_t bytes);
// Millicores: 0.5 → "500m".
std::string cpu_quantity(double cpus);

// limits {cpu, memory, <vendor>/gpu} and requests {memory}; an empty object when none apply.
// `gpus_for_all` is what a name "<vendor>/gpu=all" counts for; CDI names that are not GPUs are
// noted as not mapped.
nlohmann::ordered_json container_resources(const stack::Service& service, int gpus_for_all,
                                           std::vector<std::string>& notes);

}  // namespace edgecrew::render::k8s
