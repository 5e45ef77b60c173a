#include "engine/podman/podman_mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <string_view>
#include <utility>

#include "engine/engine.h"

namespace edgecrew::engine::podman {

namespace {

using nlohmann::ordered_json;

constexpr std::array<std::pair<std::string_view, int>, 20> k_signals{{
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},   {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"WINCH", SIGWINCH}, {"PWR", SIGPWR},
}};

std::int64_t nanoseconds(stack::Duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

const char* restart_policy(stack::RestartPolicy policy) {
  switch (policy) {
    case stack::RestartPolicy::always:
      return "always";
    case stack::RestartPolicy::on_failure:
      return "on-failure";
    case stack::RestartPolicy::unless_stopped:
      return "unless-stopped";
    case stack::RestartPolicy::no:
      break;
  }
  return "no";
}

ordered_json labels(const stack::Service& service, const stack::Stack& stack,
                    const std::string& spec_hash) {
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : service.labels) out[key] = value;
  // Set last: a user label of the same name must not hide the service from reconcile.
  out[std::string(k_label_project)] = stack.name;
  out[std::string(k_label_service)] = service.name;
  out[std::string(k_label_spec_hash)] = spec_hash;
  return out;
}

void map_network(const stack::Service& service, const stack::Stack& stack, PodmanSpec& spec) {
  ordered_json& body = spec.body;
  switch (service.network_mode) {
    case stack::NetworkMode::host:
    case stack::NetworkMode::none:
      // Podman's network namespace modes carry Compose's names.
      body["netns"] = {{"nsmode", to_string(service.network_mode)}};
      return;
    case stack::NetworkMode::bridge:
      break;
  }
  body["netns"] = {{"nsmode", "bridge"}};
  // The service name as an alias on every network: other services reach it as `redis:6379`, as
  // under Compose (the container's own name resolves too: ensure_networks turns DNS on).
  ordered_json networks = ordered_json::object();
  for (const JoinedNetwork& j : joined_networks(service, stack)) {
    ordered_json aliases = ordered_json::array({service.name});
    for (const auto& alias : j.joined.aliases) {
      if (alias != service.name) aliases.push_back(alias);
    }
    ordered_json options = {{"aliases", std::move(aliases)}};
    if (!j.joined.ipv4_address.empty()) {
      options["static_ips"] = ordered_json::array({j.joined.ipv4_address});
    }
    networks[j.network.name] = std::move(options);
  }
  body["networks"] = std::move(networks);
  ordered_json ports = ordered_json::array();
  for (const auto& port : service.ports) {
    if (!port.published) continue;
    ordered_json mapping = ordered_json::object();
    if (!port.host_ip.empty()) mapping["host_ip"] = port.host_ip;
    // Without host_port, Podman picks a free one (Compose's ephemeral "80" short syntax).
    if (port.host_port != 0) mapping["host_port"] = port.host_port;
    mapping["container_port"] = port.container_port;
    mapping["protocol"] = port.protocol;
    ports.push_back(std::move(mapping));
  }
  if (!ports.empty()) body["portmappings"] = std::move(ports);
}

void map_mounts(const stack::Service& service, const stack::Stack& stack,
                const std::map<std::string, std::string>& anonymous, PodmanSpec& spec) {
  ordered_json mounts = ordered_json::array();
  ordered_json volumes = ordered_json::array();
  for (const auto& mount : service.mounts) {
    ordered_json options = ordered_json::array();
    if (mount.read_only) options.push_back("ro");
    switch (mount.type) {
      case stack::MountType::bind:
        mounts.push_back({{"destination", mount.target},
                          {"type", "bind"},
                          {"source", mount.source},
                          {"options", std::move(options)}});
        break;
      case stack::MountType::tmpfs:
        mounts.push_back({{"destination", mount.target},
                          {"type", "tmpfs"},
                          {"source", "tmpfs"},
                          {"options", std::move(options)}});
        break;
      case stack::MountType::volume: {
        // An anonymous volume (no source): the one the engine made for this target, else a
        // fresh one Podman names.
        std::string name;
        if (!mount.source.empty()) {
          auto it = stack.volumes.find(mount.source);
          name = it != stack.volumes.end() ? it->second.name : mount.source;
        } else if (auto it = anonymous.find(mount.target); it != anonymous.end()) {
          name = it->second;
        }
        // NamedVolume has no JSON tags in libpod: its keys are the Go field names.
        volumes.push_back(
            {{"Name", name}, {"Dest", mount.target}, {"Options", std::move(options)}});
        break;
      }
    }
  }
  if (!mounts.empty()) spec.body["mounts"] = std::move(mounts);
  if (!volumes.empty()) spec.body["volumes"] = std::move(volumes);
}

void map_devices(const stack::Service& service, PodmanSpec& spec) {
  ordered_json devices = ordered_json::array();
  for (const auto& device : service.devices) {
    if (!device.cdi_name.empty()) continue;  // below, with the GPU reservations
    // Podman parses "host[:container[:permissions]]" in the path, as `--device` does.
    std::string path = device.host_path;
    const bool same_path = device.container_path.empty() || device.container_path == path;
    const bool default_permissions = device.permissions.empty() || device.permissions == "rwm";
    if (!same_path || !default_permissions) {
      path += ":" + (device.container_path.empty() ? device.host_path : device.container_path);
      if (!default_permissions) path += ":" + device.permissions;
    }
    devices.push_back({{"path", path}});
  }
  // Podman resolves a CDI name given as a device path against its cdi_spec_dirs.
  for (const auto& name : stack::cdi_devices(service)) devices.push_back({{"path", name}});
  if (!devices.empty()) spec.body["devices"] = std::move(devices);
}

void map_resources(const stack::Service& service, PodmanSpec& spec) {
  const stack::Resources& res = service.resources;
  ordered_json limits = ordered_json::object();
  if (auto cpu = stack::cpu_quota(res)) {
    limits["cpu"] = {{"quota", cpu->quota_us}, {"period", cpu->period_us}};
  }
  if (res.memory_bytes || res.memory_reservation_bytes) {
    ordered_json memory = ordered_json::object();
    if (res.memory_bytes) memory["limit"] = *res.memory_bytes;
    if (res.memory_reservation_bytes) memory["reservation"] = *res.memory_reservation_bytes;
    limits["memory"] = std::move(memory);
  }
  if (!limits.empty()) spec.body["resource_limits"] = std::move(limits);
}

void map_healthcheck(const stack::Service& service, PodmanSpec& spec) {
  if (!service.healthcheck || service.healthcheck->disabled()) return;
  const stack::Healthcheck& hc = *service.healthcheck;
  // Schema2HealthConfig has no JSON tags either: Go field names, durations in nanoseconds.
  spec.body["healthconfig"] = {{"Test", stack::compose_test(hc)},
                               {"Interval", nanoseconds(hc.interval)},
                               {"Timeout", nanoseconds(hc.timeout)},
                               {"StartPeriod", nanoseconds(hc.start_period)},
                               {"Retries", hc.retries}};
}

}  // namespace

std::string container_name(const stack::Service& service, const stack::Stack& stack) {
  return fmt::format("{}-{}-1", stack.name, service.name);
}

std::string project_network(const std::string& project) {
  return project + "_default";
}

std::optional<int> signal_number(const std::string& name) {
  std::string_view text = name;
  int number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) {
    if (number > 0 && number < 65) return number;
    return std::nullopt;
  }
  if (text.substr(0, 3) == "SIG") text.remove_prefix(3);
  for (const auto& [signal_name, value] : k_signals) {
    if (signal_name == text) return value;
  }
  return std::nullopt;
}

std::vector<JoinedNetwork> joined_networks(const stack::Service& service,
                                           const stack::Stack& stack) {
  std::vector<JoinedNetwork> out;
  if (service.network_mode != stack::NetworkMode::bridge) return out;
  for (const auto& joined : service.networks) {
    auto it = stack.networks.find(joined.key);
    if (it == stack.networks.end()) continue;  // the loader refuses these
    out.push_back({it->second, joined});
  }
  if (service.networks.empty()) {
    stack::Network network;
    network.key = "default";
    network.name = project_network(stack.name);
    stack::ServiceNetwork joined;
    joined.key = "default";
    out.push_back({std::move(network), std::move(joined)});
  }
  return out;
}

ordered_json network_create_body(const stack::Network& network, const std::string& project) {
  ordered_json labels = ordered_json::object();
  for (const auto& [key, value] : network.labels) labels[key] = value;
  labels[std::string(k_label_project)] = project;
  // libpod leaves DNS off unless asked (podman network create turns it on): without it no service
  // resolves another by name. On the CNI backend it needs the dnsname plugin.
  const std::string driver = network.driver.empty() ? "bridge" : network.driver;
  ordered_json body = {{"name", network.name},
                       {"driver", driver},
                       {"dns_enabled", driver == "bridge"},
                       {"internal", network.internal},
                       {"ipv6_enabled", network.enable_ipv6},
                       {"labels", std::move(labels)}};
  if (!network.driver_opts.empty()) {
    ordered_json options = ordered_json::object();
    for (const auto& [key, value] : network.driver_opts) options[key] = value;
    body["options"] = std::move(options);
  }
  if (!network.ipam.empty()) {
    ordered_json subnets = ordered_json::array();
    for (const auto& pool : network.ipam) {
      ordered_json subnet = {{"subnet", pool.subnet}};
      if (!pool.gateway.empty()) subnet["gateway"] = pool.gateway;
      subnets.push_back(std::move(subnet));
    }
    body["subnets"] = std::move(subnets);
  }
  return body;
}

ordered_json id_maps(const std::vector<stack::IdMapping>& mappings) {
  ordered_json out = ordered_json::array();
  for (const auto& m : mappings) {
    out.push_back({{"container_id", m.container_id}, {"host_id", m.host_id}, {"size", m.size}});
  }
  return out;
}

// userns_mode as libpod's REST API takes it: the namespace (`userns`: nsmode and value, as the
// SpecGenerator names them; Podman calls nomap "no-map" there) and the storage's ID mappings
// (`idmappings`), which the service computes itself only when userns is left at the default — the
// podman CLI sends both, and so does this.
void map_userns(const stack::Service& service, PodmanSpec& spec) {
  if (!service.userns) return;
  const stack::Userns& u = *service.userns;
  ordered_json userns;
  // Podman's own mapping when the container shares the host's ids (host, ns:PATH).
  ordered_json idmappings = {{"HostUIDMapping", true}, {"HostGIDMapping", true}};
  const std::string text = stack::to_string(u);
  const auto colon = text.find(':');
  const std::string options = colon == std::string::npos ? "" : text.substr(colon + 1);
  switch (u.kind) {
    case stack::UsernsKind::host:
      userns = {{"nsmode", "host"}};
      break;
    case stack::UsernsKind::path:
      userns = {{"nsmode", "path"}, {"value", u.path}};
      break;
    case stack::UsernsKind::keep_id:
    case stack::UsernsKind::nomap:
      userns = {{"nsmode", u.kind == stack::UsernsKind::keep_id ? "keep-id" : "no-map"}};
      if (!options.empty()) userns["value"] = options;
      idmappings = {{"HostUIDMapping", false}, {"HostGIDMapping", false}};
      break;
    case stack::UsernsKind::automatic: {
      userns = {{"nsmode", "auto"}};
      if (!options.empty()) userns["value"] = options;
      ordered_json auto_options = ordered_json::object();
      if (u.size) auto_options["Size"] = *u.size;
      if (!u.uid_mappings.empty()) auto_options["AdditionalUIDMappings"] = id_maps(u.uid_mappings);
      if (!u.gid_mappings.empty()) auto_options["AdditionalGIDMappings"] = id_maps(u.gid_mappings);
      idmappings = {{"HostUIDMapping", false},
                    {"HostGIDMapping", false},
                    {"AutoUserNs", true},
                    {"AutoUserNsOpts", std::move(auto_options)}};
      break;
    }
  }
  spec.body["userns"] = std::move(userns);
  spec.body["idmappings"] = std::move(idmappings);
}

// A new user namespace cannot mount a fresh sysfs over the host's network namespace (the kernel
// refuses: the netns belongs to the initial user namespace). Podman before 4.5 forgets that for
// `auto` and mounts one anyway ("error mounting "sysfs" to rootfs at "/sys": operation not
// permitted"); later versions bind the host's /sys read-only instead, which this does for them.
void bind_sys_for_auto_userns(const stack::Service& service, PodmanSpec& spec) {
  if (!service.userns || service.userns->kind != stack::UsernsKind::automatic) return;
  if (service.network_mode != stack::NetworkMode::host) return;
  ordered_json& body = spec.body;
  if (body.contains("mounts")) {
    for (const auto& m : body["mounts"]) {
      if (m.value("destination", "") == "/sys") return;  // the service mounts its own
    }
  }
  body["mounts"].push_back({{"destination", "/sys"},
                            {"type", "bind"},
                            {"source", "/sys"},
                            {"options", {"rbind", "ro", "nosuid", "noexec", "nodev"}}});
}

PodmanSpec map_service(const stack::Service& service, const stack::Stack& stack,
                       const std::string& spec_hash,
                       const std::map<std::string, std::string>& anonymous_volumes) {
  PodmanSpec spec;
  ordered_json& body = spec.body;
  body["name"] = container_name(service, stack);
  body["image"] = service.image;
  if (service.entrypoint) body["entrypoint"] = *service.entrypoint;
  if (service.command) body["command"] = *service.command;
  if (!service.environment.empty()) body["env"] = service.environment;
  body["labels"] = labels(service, stack, spec_hash);
  if (!service.hostname.empty()) body["hostname"] = service.hostname;
  if (!service.user.empty()) body["user"] = service.user;
  if (!service.working_dir.empty()) body["work_dir"] = service.working_dir;

  map_network(service, stack, spec);
  if (service.ipc != stack::IpcMode::unset) {
    // Podman's ipc namespace modes carry Compose's names: host, private, shareable.
    body["ipcns"] = {{"nsmode", to_string(service.ipc)}};
  }
  if (service.shm_size) body["shm_size"] = *service.shm_size;
  map_userns(service, spec);
  map_mounts(service, stack, anonymous_volumes, spec);
  bind_sys_for_auto_userns(service, spec);
  map_devices(service, spec);
  map_resources(service, spec);

  body["restart_policy"] = restart_policy(service.restart);
  if (service.restart == stack::RestartPolicy::on_failure && service.restart_max_attempts > 0) {
    body["restart_tries"] = service.restart_max_attempts;
  }
  if (!service.stop_signal.empty()) {
    if (auto number = signal_number(service.stop_signal)) {
      body["stop_signal"] = *number;
    } else {
      spec.unmapped.push_back(fmt::format(
          "stop_signal: {}: not a Linux signal; Podman keeps SIGTERM", service.stop_signal));
    }
  }
  // Whole seconds: Podman's stop timeout has no finer unit, and rounding down would cut the grace.
  body["stop_timeout"] = std::chrono::ceil<std::chrono::seconds>(service.stop_grace_period).count();
  if (service.init) body["init"] = *service.init;
  map_healthcheck(service, spec);

  if (!service.runtime.empty()) {
    spec.unmapped.push_back(fmt::format(
        "runtime: {}: the CRI runtime handler; Podman injects devices through CDI and keeps its "
        "own OCI runtime",
        service.runtime));
  }
  return spec;
}

}  // namespace edgecrew::engine::podman
