#include "engine/cri/cri_mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "stack/normalize.h"
#include "util/sha256.h"

namespace edgecrew::engine::cri {

namespace v1 = ::runtime::v1;

namespace {

std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

v1::Protocol to_protocol(const std::string& protocol) {
  if (protocol == "udp") return v1::UDP;
  if (protocol == "sctp") return v1::SCTP;
  return v1::TCP;
}

// The labels that let edgecrew find its pods and containers again and tell when they are stale.
void add_edgecrew_labels(google::protobuf::Map<std::string, std::string>& labels,
                         const stack::Service& service, const stack::Stack& stack) {
  labels["io.edgecrew.project"] = stack.name;
  labels["io.edgecrew.service"] = service.name;
  labels["io.edgecrew.spec-hash"] = stack::spec_hash(service, stack);
}

void add_id_mappings(const std::vector<stack::IdMapping>& from,
                     google::protobuf::RepeatedPtrField<v1::IDMapping>& to) {
  for (const auto& m : from) {
    v1::IDMapping& out = *to.Add();
    out.set_host_id(m.host_id);
    out.set_container_id(m.container_id);
    out.set_length(m.size);
  }
}

// userns_mode → NamespaceOption.userns_options. The CRI's private user namespace (POD) takes its
// ranges from the caller, so only an `auto` that names both its uid and gid ranges has one; keep-id
// and nomap are about the rootless user who runs Podman, and the CRI cannot join a namespace by
// path: those are refused rather than run in the host's namespace.
void map_userns(const stack::Service& service, v1::NamespaceOption& namespaces, CriSpec& spec) {
  if (!service.userns) return;
  const stack::Userns& u = *service.userns;
  const std::string mode = stack::to_string(u);
  switch (u.kind) {
    case stack::UsernsKind::host:
      namespaces.mutable_userns_options()->set_mode(v1::NODE);
      return;
    case stack::UsernsKind::automatic:
      if (u.uid_mappings.empty() || u.gid_mappings.empty()) {
        spec.refused.push_back(fmt::format(
            "userns_mode: {}: a CRI runtime does not pick user namespace ranges (the kubelet "
            "does); give both, e.g. auto:uidmapping=0:100000:65536,gidmapping=0:100000:65536",
            mode));
        return;
      }
      if (u.size) {
        spec.unmapped.push_back(
            fmt::format("userns_mode: {}: size: the namespace is exactly the ranges given", mode));
      }
      {
        v1::UserNamespace& userns = *namespaces.mutable_userns_options();
        userns.set_mode(v1::POD);
        add_id_mappings(u.uid_mappings, *userns.mutable_uids());
        add_id_mappings(u.gid_mappings, *userns.mutable_gids());
      }
      return;
    case stack::UsernsKind::keep_id:
    case stack::UsernsKind::nomap:
      spec.refused.push_back(fmt::format(
          "userns_mode: {}: a rootless Podman mode (the rootless user's own ids); a CRI runtime "
          "runs as root and has none: use auto with uidmapping and gidmapping",
          mode));
      return;
    case stack::UsernsKind::path:
      spec.refused.push_back(
          fmt::format("userns_mode: {}: the CRI cannot join a user namespace by path", mode));
      return;
  }
}

void map_pod(const stack::Service& service, const stack::Stack& stack,
             const CriMappingOptions& options, CriSpec& spec) {
  v1::PodSandboxConfig& pod = spec.pod;
  v1::PodSandboxMetadata& metadata = *pod.mutable_metadata();
  metadata.set_name(service.name);
  // The project keeps two stacks on one host apart. crictl refuses a pod without a namespace, and
  // a stable uid is what finds the pod again to remove it.
  metadata.set_namespace_(stack.name);
  metadata.set_uid(pod_uid(stack.name, service.name));
  metadata.set_attempt(0);
  pod.set_hostname(service.hostname);
  pod.set_log_directory(pod_log_directory(service, stack, options));
  add_edgecrew_labels(*pod.mutable_labels(), service, stack);

  v1::LinuxPodSandboxConfig& linux_config = *pod.mutable_linux();
  linux_config.set_cgroup_parent(options.cgroup_parent);
  v1::NamespaceOption& namespaces =
      *linux_config.mutable_security_context()->mutable_namespace_options();
  if (service.ipc == stack::IpcMode::host) namespaces.set_ipc(v1::NODE);
  map_userns(service, namespaces, spec);
  switch (service.network_mode) {
    case stack::NetworkMode::host:
      namespaces.set_network(v1::NODE);
      return;  // on the host network the container's ports are the host's already
    case stack::NetworkMode::none:
      spec.unmapped.emplace_back(
          "network_mode: none: a CRI pod always joins the pod network (CNI)");
      break;
    case stack::NetworkMode::bridge:
      break;
  }
  for (const auto& port : service.ports) {
    if (!port.published) continue;
    if (port.host_port == 0) {
      spec.unmapped.push_back(fmt::format(
          "ports: {}/{} asks for an ephemeral host port; a CRI port mapping needs a fixed one",
          port.container_port, port.protocol));
      continue;
    }
    v1::PortMapping& mapping = *pod.add_port_mappings();
    mapping.set_protocol(to_protocol(port.protocol));
    mapping.set_container_port(port.container_port);
    mapping.set_host_port(port.host_port);
    mapping.set_host_ip(port.host_ip);
  }
}

Status map_mounts(const stack::Service& service, const stack::Stack& stack,
                  const CriMappingOptions& options, CriSpec& spec) {
  for (const auto& mount : service.mounts) {
    std::string host_path;
    if (mount.type == stack::MountType::bind) {
      host_path = mount.source;
    } else if (mount.type == stack::MountType::volume && !mount.source.empty()) {
      auto volume = stack.volumes.find(mount.source);
      if (volume == stack.volumes.end()) {  // the loader refuses these: a bug if it happens
        return Error{ErrorKind::internal, "service \"" + service.name +
                                              "\" mounts the undeclared volume \"" + mount.source +
                                              "\""};
      }
      host_path = volume_host_path(volume->second, options);
    } else if (mount.type == stack::MountType::tmpfs) {
      spec.unmapped.push_back(
          fmt::format("tmpfs: {}: a CRI mount is always a host path", mount.target));
      continue;
    } else {
      spec.unmapped.push_back(
          fmt::format("volumes: anonymous volume at {}: the CRI has none; name it under volumes:",
                      mount.target));
      continue;
    }
    v1::Mount& out = *spec.container.add_mounts();
    out.set_container_path(mount.target);
    out.set_host_path(host_path);
    out.set_readonly(mount.read_only);
  }
  return Ok{};
}

void map_devices(const stack::Service& service, CriSpec& spec) {
  v1::ContainerConfig& container = spec.container;
  for (const auto& device : service.devices) {
    if (!device.cdi_name.empty()) continue;
    v1::Device& out = *container.add_devices();
    out.set_container_path(device.container_path);
    out.set_host_path(device.host_path);
    out.set_permissions(device.permissions.empty() ? "rwm" : device.permissions);
  }
  // The CDI_devices field for runtimes that have it, and the annotation the CDI library reads for
  // those that predate it; a runtime that knows both injects each device once.
  for (const auto& name : stack::cdi_devices(service)) {
    container.add_cdi_devices()->set_name(name);
    (*container.mutable_annotations())[cdi_annotation_key(name)] = name;
  }
}

// Compose `user`: "uid[:gid]" or "name[:gid]"; the CRI takes a group only as a number.
void map_user(const std::string& user, v1::LinuxContainerSecurityContext& security,
              std::vector<std::string>& unmapped) {
  if (user.empty()) return;
  auto colon = user.find(':');
  std::string name = user.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  if (auto uid = parse_id(name)) {
    security.mutable_run_as_user()->set_value(*uid);
  } else {
    security.set_run_as_username(name);
  }
  if (group.empty()) return;
  if (auto gid = parse_id(group)) {
    security.mutable_run_as_group()->set_value(*gid);
  } else {
    unmapped.push_back(
        fmt::format("user: group \"{}\" is a name; the CRI takes a group id", group));
  }
}

void map_linux(const stack::Service& service, CriSpec& spec) {
  v1::LinuxContainerConfig& linux_config = *spec.container.mutable_linux();
  const stack::Resources& resources = service.resources;
  const auto cpu = stack::cpu_quota(resources);
  if (cpu || resources.memory_bytes) {
    v1::LinuxContainerResources& out = *linux_config.mutable_resources();
    if (cpu) {
      out.set_cpu_period(cpu->period_us);
      out.set_cpu_quota(cpu->quota_us);
    }
    if (resources.memory_bytes) out.set_memory_limit_in_bytes(*resources.memory_bytes);
  }
  if (resources.memory_reservation_bytes) {
    spec.unmapped.emplace_back("memory reservation: the CRI has no memory request");
  }
  // Present even when empty: the container states that it is not privileged.
  v1::LinuxContainerSecurityContext& security = *linux_config.mutable_security_context();
  security.set_privileged(false);
  map_user(service.user, security, spec.unmapped);
}

// What Compose has and the CRI does not; the engine does some of it itself.
void note_unmapped(const stack::Service& service, CriSpec& spec) {
  auto& notes = spec.unmapped;
  if (service.shm_size) notes.emplace_back("shm_size: the CRI has no /dev/shm size");
  if (service.init) notes.emplace_back("init: the CRI has no init process option");
  if (service.restart != stack::RestartPolicy::no) {
    notes.push_back(fmt::format("restart: {}: the CRI restarts nothing; rerun edgecrew up",
                                stack::to_string(service.restart)));
  }
  if (service.healthcheck && !service.healthcheck->disabled()) {
    notes.emplace_back("healthcheck: the CRI has none; the edgecrew engine runs it through exec");
  }
  if (!service.stop_signal.empty()) {
    notes.push_back(fmt::format("stop_signal: {}: the runtime sends the image's stop signal",
                                service.stop_signal));
  }
  for (const auto& joined : service.networks) {
    if (joined.key == "default" && joined.aliases.empty() && joined.ipv4_address.empty()) continue;
    notes.push_back(fmt::format(
        "networks: {}: the pod joins the runtime's pod network (CNI); project networks, aliases "
        "and fixed addresses do not exist there",
        joined.key));
  }
}

std::string sanitized(std::string text) {
  for (char& c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return text;
}

}  // namespace

Result<CriSpec> map_service(const stack::Service& service, const stack::Stack& stack,
                            const CriMappingOptions& options) {
  CriSpec spec;
  spec.runtime_handler = service.runtime;
  map_pod(service, stack, options, spec);

  v1::ContainerConfig& container = spec.container;
  container.mutable_metadata()->set_name(service.name);
  container.mutable_metadata()->set_attempt(0);
  container.mutable_image()->set_image(service.image);
  // As Kubernetes maps them: command replaces ENTRYPOINT, args replace CMD.
  if (service.entrypoint) {
    for (const auto& word : *service.entrypoint) container.add_command(word);
  }
  if (service.command) {
    for (const auto& word : *service.command) container.add_args(word);
  }
  container.set_working_dir(service.working_dir);
  for (const auto& [key, value] : service.environment) {  // std::map: sorted by key
    v1::KeyValue& env = *container.add_envs();
    env.set_key(key);
    env.set_value(value);
  }
  if (auto mounted = map_mounts(service, stack, options, spec); !mounted) return mounted.error();
  map_devices(service, spec);
  auto& labels = *container.mutable_labels();
  for (const auto& [key, value] : service.labels) labels[key] = value;
  add_edgecrew_labels(labels, service, stack);
  container.set_log_path(service.name + ".log");
  map_linux(service, spec);
  note_unmapped(service, spec);
  return spec;
}

std::string pod_uid(const std::string& project, const std::string& service) {
  std::string hex = sha256_hex(project + "/" + service).substr(0, 32);
  // Version 8 ("custom") and the RFC 9562 variant, so that the id is a well-formed UUID.
  hex[12] = '8';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 0x3];
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

std::string pod_log_directory(const stack::Service& service, const stack::Stack& stack,
                              const CriMappingOptions& options) {
  return fmt::format("{}/{}_{}", options.log_root, stack.name, service.name);
}

std::string volume_host_path(const stack::Volume& volume, const CriMappingOptions& options) {
  return options.data_root + "/volumes/" + volume.name;
}

std::string cdi_annotation_key(const std::string& cdi_name) {
  // The CDI library reads annotations "cdi.k8s.io/<anything>" whose value lists device names.
  auto slash = cdi_name.find('/');
  auto equals = cdi_name.find('=', slash == std::string::npos ? 0 : slash);
  std::string part = cdi_name;
  if (slash != std::string::npos && equals != std::string::npos) {
    part = cdi_name.substr(0, slash) + "." + cdi_name.substr(slash + 1, equals - slash - 1) + "_" +
           cdi_name.substr(equals + 1);
  }
  return "cdi.k8s.io/" + sanitized(part);
}

}  // namespace edgecrew::engine::cri
