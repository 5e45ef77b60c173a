#include "stack/normalize.h"

#include <algorithm>

#include "stack/units.h"
#include "util/sha256.h"

namespace edgecrew::stack {

namespace {

using json = nlohmann::ordered_json;

json ports_json(const std::vector<PortMapping>& ports) {
  json out = json::array();
  for (const auto& p : ports) {
    json j;
    j["target"] = p.container_port;
    if (p.published) j["published"] = p.host_port == 0 ? "" : std::to_string(p.host_port);
    if (!p.host_ip.empty()) j["host_ip"] = p.host_ip;
    j["protocol"] = p.protocol;
    out.push_back(std::move(j));
  }
  return out;
}

json mounts_json(const std::vector<Mount>& mounts, const Stack& stack) {
  json out = json::array();
  for (const auto& m : mounts) {
    json j;
    j["type"] = to_string(m.type);
    if (!m.source.empty()) j["source"] = m.source;
    j["target"] = m.target;
    if (m.read_only) j["read_only"] = true;
    if (m.type == MountType::volume && !m.source.empty()) {
      if (auto it = stack.volumes.find(m.source); it != stack.volumes.end()) {
        j["volume_name"] = it->second.name;
      }
    }
    if (m.type == MountType::bind && !m.create_host_path) j["bind"] = {{"create_host_path", false}};
    out.push_back(std::move(j));
  }
  return out;
}

json devices_json(const std::vector<Device>& devices) {
  json out = json::array();
  for (const auto& d : devices) {
    if (!d.cdi_name.empty()) {
      out.push_back(d.cdi_name);
    } else {
      out.push_back(d.host_path + ":" + d.container_path + ":" + d.permissions);
    }
  }
  return out;
}

json resources_json(const Resources& r) {
  json out = json::object();
  json limits = json::object();
  if (r.cpus) limits["cpus"] = *r.cpus;
  if (r.memory_bytes) limits["memory"] = *r.memory_bytes;
  if (!limits.empty()) out["limits"] = std::move(limits);
  json reservations = json::object();
  if (r.memory_reservation_bytes) reservations["memory"] = *r.memory_reservation_bytes;
  if (!r.gpus.empty()) {
    json devices = json::array();
    for (const auto& g : r.gpus) {
      json j;
      j["driver"] = g.driver.empty() ? "nvidia" : g.driver;
      if (!g.device_ids.empty()) {
        j["device_ids"] = g.device_ids;
      } else if (g.count) {
        j["count"] = *g.count < 0 ? json("all") : json(*g.count);
      }
      j["capabilities"] = g.capabilities;
      devices.push_back(std::move(j));
    }
    reservations["devices"] = std::move(devices);
  }
  if (!reservations.empty()) out["reservations"] = std::move(reservations);
  return out;
}

json probe_json(const Probe& p) {
  json body;
  switch (p.kind) {
    case Probe::Kind::http:
      body["url"] = p.url;
      body["status"] = p.status;
      break;
    case Probe::Kind::tcp:
      body["host"] = p.host;
      body["port"] = p.port;
      break;
    case Probe::Kind::redis:
      body["url"] = p.url;
      break;
    case Probe::Kind::neo4j:
      if (!p.http.empty()) body["http"] = p.http;
      if (!p.bolt.empty()) body["bolt"] = p.bolt;
      body["user"] = p.user;
      if (!p.password.empty()) body["password"] = p.password;
      break;
    case Probe::Kind::openai:
      body["url"] = p.url;
      if (!p.model.empty()) body["model"] = p.model;
      break;
  }
  return json{{to_string(p.kind), std::move(body)}};
}

}  // namespace

json service_to_json(const Service& s, const Stack& stack) {
  json j;
  j["image"] = s.image;
  if (s.build) {
    const Build& b = *s.build;
    json build;
    build["context"] = b.context;
    if (!b.dockerfile.empty()) build["dockerfile"] = b.dockerfile;
    if (!b.dockerfile_inline.empty()) build["dockerfile_inline"] = b.dockerfile_inline;
    if (!b.args.empty()) build["args"] = b.args;
    if (!b.target.empty()) build["target"] = b.target;
    if (!b.labels.empty()) build["labels"] = b.labels;
    if (!b.network.empty()) build["network"] = b.network;
    if (b.no_cache) build["no_cache"] = true;
    if (b.pull) build["pull"] = true;
    j["build"] = std::move(build);
  }
  if (s.pull_policy == PullPolicy::build) j["pull_policy"] = "build";
  if (s.entrypoint) j["entrypoint"] = *s.entrypoint;
  if (s.command) j["command"] = *s.command;
  if (!s.environment.empty()) j["environment"] = s.environment;
  if (!s.labels.empty()) j["labels"] = s.labels;
  j["network_mode"] = to_string(s.network_mode);
  // The networks joined, by the engine's name, with aliases and addresses; left out when it is
  // only the default network as the service would join anyway (so hashes made before networks
  // were read stay the same).
  const bool only_default = s.networks.size() == 1 && s.networks.front().key == "default" &&
                            s.networks.front().aliases.empty() &&
                            s.networks.front().ipv4_address.empty() &&
                            (!stack.networks.contains("default") ||
                             stack.networks.at("default").name == stack.name + "_default");
  if (!s.networks.empty() && !only_default) {
    json networks = json::object();
    for (const auto& joined : s.networks) {
      auto it = stack.networks.find(joined.key);
      json entry = json::object();
      if (!joined.aliases.empty()) entry["aliases"] = joined.aliases;
      if (!joined.ipv4_address.empty()) entry["ipv4_address"] = joined.ipv4_address;
      networks[it != stack.networks.end() ? it->second.name : joined.key] = std::move(entry);
    }
    j["networks"] = std::move(networks);
  }
  if (!s.ports.empty()) j["ports"] = ports_json(s.ports);
  if (!s.mounts.empty()) j["volumes"] = mounts_json(s.mounts, stack);
  if (!s.devices.empty()) j["devices"] = devices_json(s.devices);
  if (json r = resources_json(s.resources); !r.empty()) j["deploy"] = {{"resources", std::move(r)}};
  if (!s.depends_on.empty()) {
    json deps = json::object();
    for (const auto& d : s.depends_on) {
      deps[d.service] = {{"condition", to_string(d.condition)}, {"required", d.required}};
      if (d.restart) deps[d.service]["restart"] = true;
    }
    j["depends_on"] = std::move(deps);
  }
  if (s.healthcheck) {
    const auto& h = *s.healthcheck;
    if (h.disabled()) {
      j["healthcheck"] = {{"disable", true}};
    } else {
      j["healthcheck"] = {{"test", compose_test(h)},
                          {"interval", format_duration(h.interval)},
                          {"timeout", format_duration(h.timeout)},
                          {"retries", h.retries},
                          {"start_period", format_duration(h.start_period)},
                          {"start_interval", format_duration(h.start_interval)}};
    }
  }
  if (s.restart != RestartPolicy::no) {
    std::string r = to_string(s.restart);
    if (s.restart == RestartPolicy::on_failure && s.restart_max_attempts > 0) {
      r += ":" + std::to_string(s.restart_max_attempts);
    }
    j["restart"] = r;
  }
  if (!s.user.empty()) j["user"] = s.user;
  if (!s.working_dir.empty()) j["working_dir"] = s.working_dir;
  if (!s.stop_signal.empty()) j["stop_signal"] = s.stop_signal;
  j["stop_grace_period"] = format_duration(s.stop_grace_period);
  if (s.ipc != IpcMode::unset) j["ipc"] = to_string(s.ipc);
  if (s.userns) j["userns_mode"] = to_string(*s.userns);
  if (s.shm_size) j["shm_size"] = *s.shm_size;
  if (!s.profiles.empty()) j["profiles"] = s.profiles;
  if (!s.hostname.empty()) j["hostname"] = s.hostname;
  if (s.init) j["init"] = *s.init;
  json ext = json::object();
  if (!s.runtime.empty()) ext["runtime"] = s.runtime;
  if (s.probe) ext["probe"] = probe_json(*s.probe);
  if (!ext.empty()) j["x-edgecrew"] = std::move(ext);
  return j;
}

json stack_to_json(const Stack& stack) {
  json j;
  j["name"] = stack.name;
  json services = json::object();
  for (const auto& s : stack.services) services[s.name] = service_to_json(s, stack);
  j["services"] = std::move(services);
  if (!stack.volumes.empty()) {
    json volumes = json::object();
    for (const auto& [key, v] : stack.volumes) {
      json vj;
      vj["name"] = v.name;
      if (!v.driver.empty()) vj["driver"] = v.driver;
      if (!v.driver_opts.empty()) vj["driver_opts"] = v.driver_opts;
      if (!v.labels.empty()) vj["labels"] = v.labels;
      if (v.external) vj["external"] = true;
      volumes[key] = std::move(vj);
    }
    j["volumes"] = std::move(volumes);
  }
  if (!stack.networks.empty()) {
    json networks = json::object();
    for (const auto& [key, n] : stack.networks) {
      json nj;
      nj["name"] = n.name;
      if (!n.driver.empty()) nj["driver"] = n.driver;
      if (!n.driver_opts.empty()) nj["driver_opts"] = n.driver_opts;
      if (!n.labels.empty()) nj["labels"] = n.labels;
      if (!n.ipam.empty()) {
        json pools = json::array();
        for (const auto& pool : n.ipam) {
          json pj;
          pj["subnet"] = pool.subnet;
          if (!pool.gateway.empty()) pj["gateway"] = pool.gateway;
          pools.push_back(std::move(pj));
        }
        nj["ipam"] = {{"config", std::move(pools)}};
      }
      if (n.internal) nj["internal"] = true;
      if (n.enable_ipv6) nj["enable_ipv6"] = true;
      if (n.external) nj["external"] = true;
      networks[key] = std::move(nj);
    }
    j["networks"] = std::move(networks);
  }
  json ext = json::object();
  if (!stack.engine.empty()) ext["engine"] = stack.engine;
  if (!stack.cri_endpoint.empty()) ext["cri_endpoint"] = stack.cri_endpoint;
  if (!ext.empty()) j["x-edgecrew"] = std::move(ext);
  return j;
}

std::string spec_hash(const Service& service, const Stack& stack) {
  json j = service_to_json(service, stack);
  j.erase("depends_on");
  j.erase("profiles");
  // How the image is made is not the container: a rebuilt image changes the image's id.
  j.erase("build");
  j.erase("pull_policy");
  if (j.contains("x-edgecrew")) {
    j["x-edgecrew"].erase("probe");
    if (j["x-edgecrew"].empty()) j.erase("x-edgecrew");
  }
  for (const char* key : {"ports", "volumes", "devices"}) {
    if (!j.contains(key)) continue;
    std::sort(j[key].begin(), j[key].end(),
              [](const json& a, const json& b) { return a.dump() < b.dump(); });
  }
  j["name"] = service.name;
  j["project"] = stack.name;
  return sha256_hex(j.dump());
}

}  // namespace edgecrew::stack
