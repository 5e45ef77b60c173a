#include "render/k8s_resources.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <optional>
#include <utility>

namespace edgecrew::render::k8s {

namespace {

using json = nlohmann::ordered_json;

constexpr std::int64_t k_mebibyte = 1024 * 1024;

// "nvidia.com/gpu=all" → {"nvidia.com/gpu", "all"}; a name whose kind is no GPU → nothing.
std::optional<std::pair<std::string, std::string>> gpu_name(const std::string& cdi_name) {
  std::size_t eq = cdi_name.find('=');
  if (eq == std::string::npos) return std::nullopt;
  std::string kind = cdi_name.substr(0, eq);
  if (!kind.ends_with("/gpu")) return std::nullopt;
  return std::pair{kind, cdi_name.substr(eq + 1)};
}

}  // namespace

std::string byte_quantity(std::int64_t bytes) {
  if (bytes > 0 && bytes % k_mebibyte == 0) return fmt::format("{}Mi", bytes / k_mebibyte);
  return std::to_string(bytes);
}

std::string cpu_quantity(double cpus) {
  return fmt::format("{}m", std::llround(cpus * 1000));
}

json container_resources(const stack::Service& service, int gpus_for_all,
                         std::vector<std::string>& notes) {
  json limits = json::object();
  const auto& r = service.resources;
  if (stack::cpu_quota(r)) limits["cpu"] = cpu_quantity(*r.cpus);
  if (r.memory_bytes) limits["memory"] = byte_quantity(*r.memory_bytes);
  // Kubernetes hands out GPUs by count through the device plugin, not by CDI name.
  std::map<std::string, int> gpus;
  for (const auto& name : stack::cdi_devices(service)) {
    auto gpu = gpu_name(name);
    if (!gpu) {
      notes.push_back(
          fmt::format("the CDI device {} is not mapped (no Kubernetes resource)", name));
    } else if (gpu->second == "all") {
      gpus[gpu->first] = -1;
      notes.push_back(
          fmt::format("{}: {} stands for {}: Kubernetes counts GPUs (set it with --gpus N)",
                      gpu->first, gpus_for_all, name));
    } else if (gpus[gpu->first] >= 0) {
      ++gpus[gpu->first];
    }
  }
  for (const auto& [kind, count] : gpus) {
    limits[kind] = std::to_string(count < 0 ? gpus_for_all : count);
  }
  for (const auto& d : service.devices) {
    if (d.cdi_name.empty()) {
      notes.push_back(fmt::format("the host device {} is not mapped", d.host_path));
    }
  }
  json out = json::object();
  if (!limits.empty()) out["limits"] = std::move(limits);
  if (r.memory_reservation_bytes) {
    out["requests"] = {{"memory", byte_quantity(*r.memory_reservation_bytes)}};
  }
  return out;
}

}  // namespace edgecrew::render::k8s
