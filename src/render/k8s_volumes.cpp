#include "render/k8s_volumes.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "render/k8s_names.h"
#include "render/k8s_render.h"
#include "render/k8s_resources.h"

namespace edgecrew::render::k8s {

namespace {

using stack::MountType;

bool is_named(const stack::Mount& m) {
  return m.type == MountType::volume && !m.source.empty();
}

const stack::Volume* find_volume(const stack::Stack& stack, const std::string& key) {
  auto it = stack.volumes.find(key);
  return it == stack.volumes.end() ? nullptr : &it->second;
}

std::string claim_name(const stack::Stack& stack, const std::string& key) {
  const stack::Volume* v = find_volume(stack, key);
  return dns_label(v != nullptr ? v->name : key);
}

bool holds_models(const std::string& target) {
  return target.find(k_model_path_marker) != std::string::npos;
}

json claim_spec(const char* access_mode, bool models) {
  return json{
      {"accessModes", json::array({access_mode})},
      {"resources",
       {{"requests",
         {{"storage", std::string(models ? k_model_storage_request : k_storage_request)}}}}}};
}

// Pod volume names must be unique labels; a volume key could look like a generated name.
std::string unique_name(std::set<std::string>& used, const std::string& name) {
  std::string candidate = name;
  for (int i = 2; used.contains(candidate); ++i)
    candidate = dns_label(fmt::format("{}-{}", name, i));
  used.insert(candidate);
  return candidate;
}

json mount(const std::string& name, const stack::Mount& m) {
  json j = {{"name", name}, {"mountPath", m.target}};
  if (m.read_only) j["readOnly"] = true;
  return j;
}

}  // namespace

bool is_shared_volume(const stack::Stack& stack, const std::string& key) {
  if (const stack::Volume* v = find_volume(stack, key); v != nullptr && v->external) return true;
  int users = 0;
  for (const auto& s : stack.services) {
    users += std::any_of(s.mounts.begin(), s.mounts.end(),
                         [&](const auto& m) { return is_named(m) && m.source == key; });
  }
  return users > 1;
}

bool needs_stateful_set(const stack::Stack& stack, const stack::Service& service) {
  return std::any_of(service.mounts.begin(), service.mounts.end(), [&](const auto& m) {
    return is_named(m) && !is_shared_volume(stack, m.source);
  });
}

PodVolumes pod_volumes(const stack::Stack& stack, const stack::Service& service,
                       std::vector<std::string>& notes) {
  PodVolumes out;
  std::map<std::string, std::string> named;  // volume key → pod volume name
  std::set<std::string> used;                // pod volume and claim template names
  int binds = 0;
  int tmpfs = 0;
  int anonymous = 0;
  for (const auto& m : service.mounts) {
    std::string name;
    if (is_named(m)) {
      if (auto it = named.find(m.source); it != named.end()) {
        out.mounts.push_back(mount(it->second, m));
        continue;
      }
      name = unique_name(used, dns_label(m.source));
      named[m.source] = name;
      if (is_shared_volume(stack, m.source)) {
        out.volumes.push_back(
            {{"name", name},
             {"persistentVolumeClaim", {{"claimName", claim_name(stack, m.source)}}}});
      } else {
        // A template is no pod volume: the StatefulSet adds one of the same name.
        out.claim_templates.push_back(
            {{"metadata", {{"name", name}, {"labels", service_labels(stack, service)}}},
             {"spec", claim_spec("ReadWriteOnce", holds_models(m.target))}});
      }
    } else if (m.type == MountType::bind) {
      name = unique_name(used, fmt::format("host-{}", ++binds));
      const char* type = m.create_host_path ? "DirectoryOrCreate" : "Directory";
      out.volumes.push_back({{"name", name}, {"hostPath", {{"path", m.source}, {"type", type}}}});
      notes.push_back(fmt::format(
          "{} is a hostPath volume: the directory on whichever node runs the pod", m.source));
    } else if (m.type == MountType::tmpfs) {
      name = unique_name(used, fmt::format("tmpfs-{}", ++tmpfs));
      out.volumes.push_back({{"name", name}, {"emptyDir", {{"medium", "Memory"}}}});
    } else {
      name = unique_name(used, fmt::format("anonymous-{}", ++anonymous));
      out.volumes.push_back({{"name", name}, {"emptyDir", json::object()}});
    }
    out.mounts.push_back(mount(name, m));
  }
  if (service.shm_size) {
    std::string name = unique_name(used, "dshm");
    out.volumes.push_back(
        {{"name", name},
         {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", byte_quantity(*service.shm_size)}}}});
    out.mounts.push_back({{"name", name}, {"mountPath", "/dev/shm"}});
  }
  return out;
}

std::vector<json> shared_claims(const stack::Stack& stack,
                                const std::vector<const stack::Service*>& services,
                                const std::string& namespace_name) {
  std::vector<std::string> keys;
  for (const auto* s : services) {
    for (const auto& m : s->mounts) {
      if (is_named(m) && is_shared_volume(stack, m.source) &&
          std::find(keys.begin(), keys.end(), m.source) == keys.end()) {
        const stack::Volume* v = find_volume(stack, m.source);
        if (v == nullptr || !v->external) keys.push_back(m.source);
      }
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<json> claims;
  for (const auto& key : keys) {
    bool models = false;
    for (const auto& s : stack.services) {
      for (const auto& m : s.mounts) models = models || (m.source == key && holds_models(m.target));
    }
    claims.push_back(
        {{"apiVersion", "v1"},
         {"kind", "PersistentVolumeClaim"},
         {"metadata", object_meta(claim_name(stack, key), namespace_name, stack_labels(stack))},
         {"spec", claim_spec("ReadWriteMany", models)}});
  }
  return claims;
}

}  // namespace edgecrew::render::k8s
