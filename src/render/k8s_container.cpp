#include "render/k8s_container.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <optional>

#include "render/k8s_names.h"
#include "render/k8s_probes.h"
#include "render/k8s_resources.h"
#include "render/k8s_services.h"

namespace edgecrew::render::k8s {

namespace {

json expanded(const std::vector<std::string>& words, const ServiceSecrets& secrets) {
  json out = json::array();
  for (const auto& w : words) out.push_back(secrets.for_expansion(w));
  return out;
}

// Sorted by name: the service's entries and the variables added for secrets in its command.
json env_list(const stack::Service& service, const ServiceSecrets& secrets,
              const std::string& secret) {
  std::map<std::string, json> entries;
  for (const auto& [var, value] : service.environment) {
    entries[var] = {{"name", var}, {"value", secrets.for_expansion(value)}};
  }
  for (const auto& [var, key] : secrets.env_keys) {
    entries[var] = {{"name", var},
                    {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
  }
  json out = json::array();
  for (auto& [var, entry] : entries) out.push_back(std::move(entry));
  return out;
}

std::optional<std::int64_t> id(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// "uid" or "uid:gid"; Kubernetes takes numbers only, as the image's /etc/passwd is not read.
json security_context(const std::string& user, std::vector<std::string>& notes) {
  if (user.empty()) return nullptr;
  std::size_t colon = user.find(':');
  auto uid = id(std::string_view(user).substr(0, colon));
  auto gid = colon == std::string::npos ? std::optional<std::int64_t>(0)
                                        : id(std::string_view(user).substr(colon + 1));
  if (!uid || !gid) {
    notes.push_back(fmt::format("user \"{}\" is not mapped: runAsUser takes numeric ids", user));
    return nullptr;
  }
  json out = {{"runAsUser", *uid}};
  if (colon != std::string::npos) out["runAsGroup"] = *gid;
  return out;
}

}  // namespace

json main_container(const stack::Stack& stack, const stack::Service& service,
                    const ServiceSecrets& secrets, const PodVolumes& volumes,
                    const K8sOptions& options, std::vector<std::string>& notes) {
  json c;
  c["name"] = object_name(service);
  c["image"] = service.image;
  // Compose's entrypoint is the image's ENTRYPOINT, which Kubernetes calls command.
  if (service.entrypoint) c["command"] = expanded(*service.entrypoint, secrets);
  if (service.command) c["args"] = expanded(*service.command, secrets);
  if (!service.working_dir.empty()) c["workingDir"] = service.working_dir;
  if (json env = env_list(service, secrets, secret_name(stack)); !env.empty()) {
    c["env"] = std::move(env);
  }
  json ports = json::array();
  for (const auto& p : service_ports(service)) {
    ports.push_back({{"containerPort", p.port}, {"protocol", p.protocol}});
  }
  if (!ports.empty()) c["ports"] = std::move(ports);
  if (json r = container_resources(service, options.gpus, notes); !r.empty()) {
    c["resources"] = std::move(r);
  }
  if (!volumes.mounts.empty()) c["volumeMounts"] = volumes.mounts;
  ContainerProbes probes = container_probes(service, secrets, notes);
  if (!probes.startup.is_null()) c["startupProbe"] = std::move(probes.startup);
  if (!probes.readiness.is_null()) c["readinessProbe"] = std::move(probes.readiness);
  if (!probes.liveness.is_null()) c["livenessProbe"] = std::move(probes.liveness);
  if (json sc = security_context(service.user, notes); !sc.is_null()) {
    c["securityContext"] = std::move(sc);
  }
  return c;
}

}  // namespace edgecrew::render::k8s
