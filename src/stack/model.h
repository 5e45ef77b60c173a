#pragma once
// The stack model: plain structs, engine-neutral, produced by the Compose loader (or the built-in
// stack) and consumed by the planner, the renderers and the doctor. No Compose syntax survives
// here: strings are interpolated, durations and sizes parsed, paths absolute, defaults filled in.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::stack {

using Duration = std::chrono::milliseconds;

struct PortMapping {
  std::string host_ip;          // "" = every address
  std::uint16_t host_port = 0;  // 0 = not published (or an ephemeral port when `published` is true)
  std::uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp | udp | sctp
  bool published = false;
  Location where;
};

enum class MountType { volume, bind, tmpfs };

struct Mount {
  MountType type = MountType::volume;
  std::string
      source;  // volume key in Stack::volumes, an absolute host path, or "" (anonymous/tmpfs)
  std::string target;  // absolute path in the container
  bool read_only = false;
  bool create_host_path = true;  // long syntax bind.create_host_path
  Location where;
};

// A device given by host path ("/dev/fuse:/dev/fuse:rwm") or by CDI name ("nvidia.com/gpu=all").
struct Device {
  std::string cdi_name;  // set for CDI devices
  std::string host_path;
  std::string container_path;
  std::string permissions;  // "rwm" by default
  Location where;
};

// deploy.resources.reservations.devices entry.
struct GpuRequest {
  std::string driver;        // "nvidia" when unset
  std::optional<int> count;  // -1 = all; unset with device_ids
  std::vector<std::string> device_ids;
  std::vector<std::string> capabilities;  // ["gpu"] at least
  Location where;
};

struct Resources {
  std::optional<double> cpus;
  std::optional<std::int64_t> memory_bytes;
  std::optional<std::int64_t> memory_reservation_bytes;
  std::vector<GpuRequest> gpus;
};

// A CPU limit as the kernel's CFS takes it, the same on every target.
struct CpuQuota {
  std::int64_t quota_us;
  std::int64_t period_us;
};
inline constexpr std::int64_t k_cpu_period_us = 100'000;   // the kernel's default CFS period
inline constexpr std::int64_t k_min_cpu_quota_us = 1'000;  // the kernel refuses quotas under 1 ms

// `cpus` as a CFS quota; nullopt when unset, 0 or negative (no limit, as Compose and Podman read
// 0, and as Kubernetes renders it).
std::optional<CpuQuota> cpu_quota(const Resources& resources);

enum class DependencyCondition { service_started, service_healthy, service_completed_successfully };

struct DependsOn {
  std::string service;
  DependencyCondition condition = DependencyCondition::service_started;
  bool required = true;
  bool restart = false;
  Location where;
};

struct Healthcheck {
  // What the check runs, decided once by the loader from Compose's forms of `test`:
  // ["CMD", arg...] → argv = the arguments; ["CMD-SHELL", line] or a plain string → shell, argv =
  // {line}; ["NONE"] or `disable: true` → argv empty (disabled).
  std::vector<std::string> argv;
  bool shell = false;
  Duration interval{30'000};
  Duration timeout{30'000};
  Duration start_period{0};
  Duration start_interval{5'000};
  int retries = 3;
  bool disabled() const { return argv.empty(); }
};

// The shell a CMD-SHELL healthcheck runs in, on every target (Compose's rule: /bin/sh -c).
inline constexpr std::string_view k_healthcheck_shell = "/bin/sh";

// The argv a healthcheck test runs: its arguments, or /bin/sh -c LINE for a shell test; what
// readiness execs, what the crictl README prints and what Kubernetes probes run.
std::vector<std::string> healthcheck_argv(const Healthcheck& healthcheck);

// The test in Compose's list form, ["CMD", arg...], ["CMD-SHELL", line] or ["NONE"]: what Podman's
// HealthConfig.Test and the normalized stack (`edgecrew config`, the spec hash) carry.
std::vector<std::string> compose_test(const Healthcheck& healthcheck);

// x-edgecrew.probe: readiness measured natively from outside the container.
struct Probe {
  enum class Kind { http, tcp, redis, neo4j, openai };
  Kind kind = Kind::tcp;
  std::string url;         // http, redis, openai (base URL ending in /v1)
  int status = 200;        // http: expected status
  std::string host;        // tcp
  std::uint16_t port = 0;  // tcp
  std::string http;        // neo4j HTTP endpoint
  std::string bolt;        // neo4j Bolt endpoint
  std::string user;        // neo4j
  std::string password;    // neo4j
  std::string model;       // openai: a model /v1/models must list
  Location where;
};

enum class RestartPolicy { no, always, on_failure, unless_stopped };

// A network a service joins (its `networks:` entry): the key in Stack::networks, with the names
// it answers to there besides its service name, and a fixed address when given.
struct ServiceNetwork {
  std::string key;
  std::vector<std::string> aliases;
  std::string ipv4_address;  // "" = the engine picks one
  Location where;
};

// `build:`: how the service's image is built (by Podman, whichever engine runs it).
struct Build {
  std::string context;            // an absolute directory
  std::string dockerfile;         // absolute; "" = the context's Containerfile, else its Dockerfile
  std::string dockerfile_inline;  // the Containerfile's text, instead of a file
  std::map<std::string, std::string> args;
  std::string target;  // the stage to build; "" = the last
  std::map<std::string, std::string> labels;
  std::string network;  // "" = the builder's default | host | none | a network's name
  bool no_cache = false;
  bool pull = false;  // pull the base images even when present
  Location where;
};

// pull_policy: `missing` (the default: pull, or build, what the store lacks), `build` (build the
// image on every up).
enum class PullPolicy { missing, build };

// network_mode: the stack's networks (bridge; Compose's "default" too), the host's network
// namespace, or one with a loopback only (none).
enum class NetworkMode { bridge, host, none };

// ipc: the engine's default (unset), the host's namespace, one of the container's own (`private`,
// a C++ keyword), or one of its own that others may join (shareable).
enum class IpcMode { unset, host, private_, shareable };

// userns_mode: the user namespace a container runs in, in Podman's words (`--userns`).
enum class UsernsKind {
  host,       // the engine's own user namespace (no new one)
  automatic,  // `auto`: a private namespace from a range the engine picks
  keep_id,    // `keep-id`: the rootless user's uid:gid kept inside (rootless Podman only)
  nomap,      // `nomap`: the rootless user's uid:gid not mapped inside (rootless Podman only)
  path,       // `ns:PATH`: join the namespace at PATH
};

// One range of ids: container_id..+size inside is host_id..+size outside.
struct IdMapping {
  std::uint32_t container_id = 0;
  std::uint32_t host_id = 0;
  std::uint32_t size = 0;
};

struct Userns {
  UsernsKind kind = UsernsKind::host;
  std::optional<std::uint32_t> uid;   // keep-id: the uid the user has inside
  std::optional<std::uint32_t> gid;   // keep-id: the gid the user has inside
  std::optional<std::uint32_t> size;  // auto: the namespace's size (unset = the engine's estimate)
  std::vector<IdMapping> uid_mappings;  // auto: ranges that must be in the namespace
  std::vector<IdMapping> gid_mappings;
  std::string path;  // ns: an absolute path on the engine's host
  Location where;
};

// The mode as Podman's --userns takes it ("keep-id:uid=1000,gid=1000", "auto:size=65536"): what
// the normalized stack prints and the spec hash covers.
std::string to_string(const Userns& userns);
const char* to_string(UsernsKind kind);

struct Service {
  std::string name;
  std::string image;  // with build: and no image:, "<project>-<service>" as Compose names it
  std::optional<Build> build;
  PullPolicy pull_policy = PullPolicy::missing;
  std::optional<std::vector<std::string>> entrypoint;  // unset = the image's
  std::optional<std::vector<std::string>> command;     // unset = the image's
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> labels;
  NetworkMode network_mode = NetworkMode::bridge;
  // With bridge: the networks it joins, sorted by key (["default"] when the file names none);
  // empty with host or none.
  std::vector<ServiceNetwork> networks;
  std::vector<PortMapping> ports;
  std::vector<Mount> mounts;
  std::vector<Device> devices;
  Resources resources;
  std::vector<DependsOn> depends_on;
  std::optional<Healthcheck> healthcheck;
  RestartPolicy restart = RestartPolicy::no;
  int restart_max_attempts = 0;  // on-failure:N
  std::string user;
  std::string working_dir;
  std::string stop_signal;  // "" = SIGTERM
  Duration stop_grace_period{10'000};
  IpcMode ipc = IpcMode::unset;
  std::optional<Userns> userns;          // unset = the engine's default
  std::optional<std::int64_t> shm_size;  // bytes
  std::vector<std::string> profiles;
  std::string hostname;
  std::optional<bool> init;
  std::string runtime;  // CRI runtime handler / Kubernetes runtimeClassName
  std::optional<Probe> probe;
  Location where;
};

struct Volume {
  std::string key;   // the name used in the stack file
  std::string name;  // the engine's name: "<project>_<key>" unless `name:` is set or external
  std::string driver;
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
  bool external = false;
  Location where;
};

// One `ipam.config` entry of a network.
struct IpamPool {
  std::string subnet;   // CIDR, "10.5.0.0/24"
  std::string gateway;  // "" = the engine's choice (the subnet's first address)
  Location where;
};

struct Network {
  std::string key;     // the name used in the stack file ("default" for the implicit one)
  std::string name;    // the engine's name: "<project>_<key>" unless `name:` is set or external
  std::string driver;  // "" = the engine's bridge
  std::map<std::string, std::string> driver_opts;
  std::map<std::string, std::string> labels;
  std::vector<IpamPool> ipam;
  bool internal = false;  // no route out of the network
  bool enable_ipv6 = false;
  bool external = false;
  Location where;
};

struct Stack {
  std::string name;                // the project name
  std::vector<std::string> files;  // the stack files, in merge order ("<built-in>" for the default)
  std::string project_dir;         // absolute; relative paths in the stack are taken from here
  std::vector<Service> services;   // sorted by name
  std::map<std::string, Volume> volumes;
  // The networks services join: the declared ones and "default" when a service uses it.
  std::map<std::string, Network> networks;
  std::string engine;        // x-edgecrew.engine: "" | podman | cri
  std::string cri_endpoint;  // x-edgecrew.cri_endpoint
  // Values that came from secret variables; every printer masks them.
  std::vector<std::string> secret_values;

  const Service* find(const std::string& service) const;
};

const char* to_string(DependencyCondition c);
const char* to_string(RestartPolicy r);
const char* to_string(MountType t);
// Compose's words: "bridge", "host", "none"; "", "host", "private", "shareable".
const char* to_string(NetworkMode m);
const char* to_string(IpcMode m);
const char* to_string(Probe::Kind k);

// The CDI names a service asks for, from `devices` and GPU reservations, in order, without repeats.
std::vector<std::string> cdi_devices(const Service& service);

// Services enabled by the given profiles (no profiles = always enabled), plus the named ones.
std::vector<const Service*> enabled_services(const Stack& stack,
                                             const std::vector<std::string>& profiles,
                                             const std::vector<std::string>& named = {});

}  // namespace edgecrew::stack
