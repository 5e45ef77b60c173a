// The Podman engine's networks and volumes: the project's named volumes and the anonymous ones of
// its services (found by their labels), its networks made with DNS, and their removal at down.
#include <fmt/format.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/podman/podman_engine.h"
#include "engine/podman/podman_mapping.h"
#include "engine/podman/podman_protocol.h"

namespace edgecrew::engine::podman {

using nlohmann::json;

Result<bool> PodmanEngine::remove_path(const std::string& path, const std::string& what) {
  auto response = call("DELETE", path, "", m_timeouts.call);
  if (!response) return response.error();
  if (response->status == 200 || response->status == 204) return true;
  if (response->status == 404) return false;
  return api_error(*response, what);
}

Status PodmanEngine::ensure_volume(const stack::Volume& volume, const std::string& project) {
  if (volume.external) return Ok{};
  auto present = exists("/volumes/" + query_escape(volume.name) + "/exists",
                        "looking up volume " + volume.name);
  if (!present) return present.error();
  if (*present) return Ok{};
  json labels = volume.labels;
  labels[std::string(k_label_project)] = project;
  json body = {{"Name", volume.name}, {"Label", labels}};
  if (!volume.driver.empty()) body["Driver"] = volume.driver;
  if (!volume.driver_opts.empty()) body["Options"] = volume.driver_opts;
  auto response = call("POST", "/volumes/create", body.dump(), m_timeouts.call);
  if (!response) return response.error();
  // 409: another edgecrew created it meanwhile, which is what was wanted.
  if (response->status == 201 || response->status == 200 || response->status == 409) return Ok{};
  return api_error(*response, "creating volume " + volume.name);
}

Result<bool> PodmanEngine::remove_volume(const stack::Volume& volume) {
  if (volume.external) return false;  // not edgecrew's data to delete
  return remove_path("/volumes/" + query_escape(volume.name), "removing volume " + volume.name);
}

Result<std::vector<std::string>> PodmanEngine::remove_anonymous_volumes(
    const std::string& project) {
  const json filters = {
      {"label",
       {fmt::format("{}={}", k_label_project, project), std::string(k_label_volume_target)}}};
  const std::string what = "listing the anonymous volumes of project " + project;
  auto listed = get_json("/volumes/json?filters=" + query_escape(filters.dump()), what);
  if (!listed) return listed.error();
  std::vector<std::string> removed;
  if (!*listed || !(*listed)->is_array()) return removed;
  for (const auto& volume : **listed) {
    const json labels = json_object(volume, "Labels");
    // Checked here too: the filter is Podman's, the deletion is ours.
    if (json_string(labels, std::string(k_label_project)) != project ||
        !labels.contains(std::string(k_label_volume_target))) {
      continue;
    }
    const std::string name = json_string(volume, "Name");
    auto gone = remove_path("/volumes/" + query_escape(name), "removing anonymous volume " + name);
    if (!gone) return gone.error();
    if (*gone) removed.push_back(name);
  }
  return removed;
}

Result<std::map<std::string, std::string>> PodmanEngine::anonymous_volumes(
    const Workload& workload) {
  const stack::Service& service = *workload.service;
  const std::string& project = workload.stack->name;
  std::map<std::string, std::string> out;
  std::vector<std::string> targets;
  for (const auto& mount : service.mounts) {
    if (mount.type == stack::MountType::volume && mount.source.empty()) {
      targets.push_back(mount.target);
    }
  }
  if (targets.empty()) return out;
  const json filters = {{"label",
                         {fmt::format("{}={}", k_label_project, project),
                          fmt::format("{}={}", k_label_service, service.name)}}};
  const std::string what = "listing the anonymous volumes of service " + service.name;
  auto listed = get_json("/volumes/json?filters=" + query_escape(filters.dump()), what);
  if (!listed) return listed.error();
  if (*listed && (*listed)->is_array()) {
    for (const auto& volume : **listed) {
      const json labels = json_object(volume, "Labels");
      if (json_string(labels, std::string(k_label_project)) != project ||
          json_string(labels, std::string(k_label_service)) != service.name) {
        continue;
      }
      const std::string target = json_string(labels, std::string(k_label_volume_target));
      if (!target.empty()) out.emplace(target, json_string(volume, "Name"));
    }
  }
  for (const auto& target : targets) {
    if (out.contains(target)) continue;
    // No name: Podman gives it one, as it names the anonymous volumes it makes itself.
    const json body = {{"Label",
                        {{std::string(k_label_project), project},
                         {std::string(k_label_service), service.name},
                         {std::string(k_label_volume_target), target}}}};
    auto response = call("POST", "/volumes/create", body.dump(), m_timeouts.call);
    if (!response) return response.error();
    const std::string creating =
        fmt::format("creating the anonymous volume at {} of service {}", target, service.name);
    if (response->status != 201 && response->status != 200) {
      return api_error(*response, creating);
    }
    auto created = parse_body(*response, creating);
    if (!created) return created.error();
    const std::string name = json_string(*created, "Name");
    if (name.empty()) return Error{ErrorKind::io, creating + ": Podman's answer has no Name"};
    out.emplace(target, name);
  }
  return out;
}

Status PodmanEngine::ensure_network(const stack::Network& network, const std::string& project) {
  const std::string& name = network.name;
  auto found = get_json("/networks/" + query_escape(name) + "/json", "inspecting network " + name);
  if (!found) return found.error();
  if (network.external) {
    if (*found) return Ok{};
    return Error{ErrorKind::not_found,
                 fmt::format("network {} is declared external but does not exist: create it "
                             "(podman network create {}) or remove external: true",
                             name, name)};
  }
  if (*found) {
    const json& existing = **found;
    const bool ours =
        json_string(json_object(existing, "labels"), std::string(k_label_project)) == project;
    // DNS is asked for on a bridge that is not internal (Podman's CNI backend gives an internal
    // network none).
    const bool wants_dns = json_string(existing, "driver") == "bridge" && !network.internal;
    if (!ours || !wants_dns || json_bool(existing, "dns_enabled")) return Ok{};
    // Made by an older edgecrew without DNS: services on it cannot resolve each other by name.
    const json filters = {{"network", {name}}};
    auto attached = get_json("/containers/json?all=true&filters=" + query_escape(filters.dump()),
                             "listing the containers on network " + name);
    if (!attached) return attached.error();
    if (*attached && (*attached)->is_array() && !(*attached)->empty()) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("network {} was created without DNS (by an older edgecrew), so "
                               "services on it cannot resolve each other by name, and {} "
                               "container(s) use it: run edgecrew down && edgecrew up",
                               name, (*attached)->size())};
    }
    auto removed = remove_path("/networks/" + query_escape(name),
                               "removing network " + name + " (created without DNS)");
    if (!removed) return removed.error();
  }
  auto response = call("POST", "/networks/create", network_create_body(network, project).dump(),
                       m_timeouts.call);
  if (!response) return response.error();
  // 409: another edgecrew created it meanwhile, which is what was wanted.
  if (response->status == 200 || response->status == 201 || response->status == 409) return Ok{};
  return api_error(*response, "creating network " + name);
}

Status PodmanEngine::ensure_networks(const stack::Stack& stack,
                                     const std::vector<const stack::Service*>& services) {
  std::map<std::string, const stack::Network*> used;
  for (const stack::Service* service : services) {
    for (const auto& joined : service->networks) {
      if (auto it = stack.networks.find(joined.key); it != stack.networks.end()) {
        used[it->second.name] = &it->second;
      }
    }
  }
  std::lock_guard lock(m_network_mutex);
  for (const auto& [name, network] : used) {
    if (Status ensured = ensure_network(*network, stack.name); !ensured) return ensured.error();
    m_networks.insert(name);
  }
  return Ok{};
}

Result<NetworksRemoved> PodmanEngine::remove_networks(const stack::Stack& stack) {
  std::set<std::string> names;
  for (const auto& [key, network] : stack.networks) {
    if (!network.external) names.insert(network.name);
  }
  // A stack built in code lists no networks; its bridge services are on the default one.
  names.insert(project_network(stack.name));
  NetworksRemoved out;
  for (const std::string& name : names) {
    auto found =
        get_json("/networks/" + query_escape(name) + "/json", "inspecting network " + name);
    if (!found) return found.error();
    if (!*found) continue;
    // Only a network the project made: a same-named one someone else made stays.
    if (json_string(json_object(**found, "labels"), std::string(k_label_project)) != stack.name) {
      continue;
    }
    auto response = call("DELETE", "/networks/" + query_escape(name), "", m_timeouts.call);
    if (!response) return response.error();
    if (response->status == 200 || response->status == 204) {
      out.removed.push_back(name);
    } else if (network_in_use(*response)) {
      out.in_use.push_back(name);
    } else if (response->status != 404) {
      return api_error(*response, "removing network " + name);
    }
  }
  std::lock_guard lock(m_network_mutex);
  for (const auto& name : out.removed) m_networks.erase(name);
  return out;
}

Status PodmanEngine::ensure_service_networks(const Workload& workload) {
  // Held while ensuring: the creates of one level run in parallel, and only one should look.
  std::lock_guard lock(m_network_mutex);
  for (const JoinedNetwork& j : joined_networks(*workload.service, *workload.stack)) {
    if (m_networks.contains(j.network.name)) continue;
    if (Status net = ensure_network(j.network, workload.stack->name); !net) return net.error();
    m_networks.insert(j.network.name);
  }
  return Ok{};
}

}  // namespace edgecrew::engine::podman
