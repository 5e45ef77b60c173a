#include "stack/model.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace edgecrew::stack {

const Service* Stack::find(const std::string& service) const {
  for (const auto& s : services) {
    if (s.name == service) return &s;
  }
  return nullptr;
}

std::optional<CpuQuota> cpu_quota(const Resources& resources) {
  if (!resources.cpus || *resources.cpus <= 0) return std::nullopt;
  const auto quota = static_cast<std::int64_t>(
      std::llround(*resources.cpus * static_cast<double>(k_cpu_period_us)));
  return CpuQuota{std::max(quota, k_min_cpu_quota_us), k_cpu_period_us};
}

std::vector<std::string> healthcheck_argv(const Healthcheck& healthcheck) {
  if (healthcheck.disabled()) return {};
  if (healthcheck.shell) return {std::string(k_healthcheck_shell), "-c", healthcheck.argv.front()};
  return healthcheck.argv;
}

std::vector<std::string> compose_test(const Healthcheck& healthcheck) {
  if (healthcheck.disabled()) return {"NONE"};
  std::vector<std::string> test = {healthcheck.shell ? "CMD-SHELL" : "CMD"};
  test.insert(test.end(), healthcheck.argv.begin(), healthcheck.argv.end());
  return test;
}

const char* to_string(UsernsKind kind) {
  switch (kind) {
    case UsernsKind::host:
      return "host";
    case UsernsKind::automatic:
      return "auto";
    case UsernsKind::keep_id:
      return "keep-id";
    case UsernsKind::nomap:
      return "nomap";
    case UsernsKind::path:
      return "ns";
  }
  return "?";
}

std::string to_string(const Userns& userns) {
  std::vector<std::string> options;
  auto mappings = [&options](const char* key, const std::vector<IdMapping>& list) {
    for (const auto& m : list) {
      options.push_back(fmt::format("{}={}:{}:{}", key, m.container_id, m.host_id, m.size));
    }
  };
  switch (userns.kind) {
    case UsernsKind::host:
    case UsernsKind::nomap:
      return to_string(userns.kind);
    case UsernsKind::path:
      return "ns:" + userns.path;
    case UsernsKind::keep_id:
      if (userns.uid) options.push_back(fmt::format("uid={}", *userns.uid));
      if (userns.gid) options.push_back(fmt::format("gid={}", *userns.gid));
      break;
    case UsernsKind::automatic:
      if (userns.size) options.push_back(fmt::format("size={}", *userns.size));
      mappings("uidmapping", userns.uid_mappings);
      mappings("gidmapping", userns.gid_mappings);
      break;
  }
  if (options.empty()) return to_string(userns.kind);
  return fmt::format("{}:{}", to_string(userns.kind), fmt::join(options, ","));
}

const char* to_string(DependencyCondition c) {
  switch (c) {
    case DependencyCondition::service_started:
      return "service_started";
    case DependencyCondition::service_healthy:
      return "service_healthy";
    case DependencyCondition::service_completed_successfully:
      return "service_completed_successfully";
  }
  return "?";
}

const char* to_string(RestartPolicy r) {
  switch (r) {
    case RestartPolicy::no:
      return "no";
    case RestartPolicy::always:
      return "always";
    case RestartPolicy::on_failure:
      return "on-failure";
    case RestartPolicy::unless_stopped:
      return "unless-stopped";
  }
  return "?";
}

const char* to_string(MountType t) {
  switch (t) {
    case MountType::volume:
      return "volume";
    case MountType::bind:
      return "bind";
    case MountType::tmpfs:
      return "tmpfs";
  }
  return "?";
}

const char* to_string(NetworkMode m) {
  switch (m) {
    case NetworkMode::bridge:
      return "bridge";
    case NetworkMode::host:
      return "host";
    case NetworkMode::none:
      return "none";
  }
  return "?";
}

const char* to_string(IpcMode m) {
  switch (m) {
    case IpcMode::unset:
      return "";
    case IpcMode::host:
      return "host";
    case IpcMode::private_:
      return "private";
    case IpcMode::shareable:
      return "shareable";
  }
  return "?";
}

const char* to_string(Probe::Kind k) {
  switch (k) {
    case Probe::Kind::http:
      return "http";
    case Probe::Kind::tcp:
      return "tcp";
    case Probe::Kind::redis:
      return "redis";
    case Probe::Kind::neo4j:
      return "neo4j";
    case Probe::Kind::openai:
      return "openai";
  }
  return "?";
}

std::vector<std::string> cdi_devices(const Service& service) {
  std::vector<std::string> names;
  auto add = [&names](std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
  };
  for (const auto& d : service.devices) {
    if (!d.cdi_name.empty()) add(d.cdi_name);
  }
  // Compose's GPU reservations name NVIDIA GPUs by index; CDI names them nvidia.com/gpu=INDEX.
  for (const auto& gpu : service.resources.gpus) {
    std::string kind = fmt::format("{}.com/gpu", gpu.driver.empty() ? "nvidia" : gpu.driver);
    if (!gpu.device_ids.empty()) {
      for (const auto& id : gpu.device_ids) add(fmt::format("{}={}", kind, id));
    } else if (gpu.count.value_or(-1) < 0) {
      add(kind + "=all");
    } else {
      for (int i = 0; i < *gpu.count; ++i) add(fmt::format("{}={}", kind, i));
    }
  }
  return names;
}

std::vector<const Service*> enabled_services(const Stack& stack,
                                             const std::vector<std::string>& profiles,
                                             const std::vector<std::string>& named) {
  auto contains = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  std::vector<const Service*> out;
  for (const auto& s : stack.services) {
    bool enabled = s.profiles.empty() || contains(named, s.name) || contains(profiles, "*");
    for (const auto& p : s.profiles) enabled = enabled || contains(profiles, p);
    if (enabled) out.push_back(&s);
  }
  return out;
}

}  // namespace edgecrew::stack
