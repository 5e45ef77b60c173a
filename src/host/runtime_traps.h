#pragma once
// Host conditions that make every container start fail whatever the stack says, and the OCI
// runtime's own words for each, so that `up` can name the cause under the runtime's message and
// the doctor can find it before: the nofile/nproc limits Podman asks for on a host that cannot
// raise them, and crun on a hybrid cgroup layout.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/containers_conf.h"

namespace edgecrew::host {

// Podman's RLimitDefaultValue: what root Podman asks for nofile (and nproc, when default_ulimits
// is set without nproc) when nothing else says (pkg/specgen/generate addRlimits).
inline constexpr std::uint64_t k_podman_rlimit_default = 1048576;

// The check ids the doctor reports these traps under.
inline constexpr std::string_view k_trap_ulimits = "runtime.ulimits";
inline constexpr std::string_view k_trap_oci_cgroups = "runtime.oci-cgroups";

struct KnownTrap {
  std::string_view check_id;
  std::string cause;
  std::string fix;
};

// The trap a container start error comes from, or nullopt for any other error.
std::optional<KnownTrap> known_trap(std::string_view start_error);

enum class CgroupLayout { unified, legacy, hybrid, unknown };

struct CgroupFacts {
  CgroupLayout layout = CgroupLayout::unknown;
  std::string evidence;  // "/sys/fs/cgroup tmpfs, /sys/fs/cgroup/unified cgroup2"
  // Controllers enabled in the hybrid layout's cgroup2 hierarchy (crun refuses any).
  std::string unified_controllers;
};

// From /proc/self/mountinfo and /sys/fs/cgroup/unified/cgroup.controllers under `root`.
CgroupFacts read_cgroup_facts(const std::filesystem::path& root);

struct OciRuntimeChoice {
  std::string name;    // "crun", "runc", or the file name of a path
  std::string path;    // the binary found, "" when none
  std::string source;  // "containers.conf FILE:LINE" or "not set: crun when installed, else runc"
};

// Which OCI runtime Podman runs containers with on this host.
OciRuntimeChoice podman_oci_runtime(const std::filesystem::path& root, const ContainersConf& conf);

// How Podman's networks resolve container names: the network backend and the DNS helper it needs
// (CNI: the dnsname plugin; netavark: aardvark-dns). Without the helper a network created with DNS
// on resolves nothing, and no service reaches another by name.
struct PodmanDns {
  std::string backend;         // "cni" or "netavark"
  std::string backend_source;  // "containers.conf FILE:LINE" or why Podman picks it
  std::string helper;          // "dnsname" or "aardvark-dns"
  std::string helper_path;     // the binary found, "" when none
  std::vector<std::string> looked_in;
};

PodmanDns podman_dns(const std::filesystem::path& root, const ContainersConf& conf);

// The first of `dirs` holding an executable `name`, as a host path; "" when none.
std::string find_binary(const std::filesystem::path& root, const std::string& name,
                        const std::vector<std::string>& dirs);

}  // namespace edgecrew::host
