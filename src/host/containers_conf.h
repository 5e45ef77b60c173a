#pragma once
// containers-storage's storage.conf and containers-registries' registries.conf, as Podman reads
// them (rootful): which file applies, and the values the doctor compares with CRI-O's.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/crio_config.h"
#include "util/diagnostics.h"

namespace edgecrew::host {

struct StorageConf {
  std::string file;  // the host path read, or "" when none exists (built-in defaults apply)
  std::vector<std::string> looked_at;  // in precedence order
  Diagnostics diagnostics;
  Setting<std::string> driver;  // value "" = not set (containers-storage picks overlay when it can)
  Setting<std::string> graphroot;  // default /var/lib/containers/storage
  Setting<std::string> runroot;    // default /run/containers/storage
};

inline constexpr const char* k_default_graphroot = "/var/lib/containers/storage";
inline constexpr const char* k_default_runroot = "/run/containers/storage";

// CONTAINERS_STORAGE_CONF (a host path) when set, else /etc/containers/storage.conf, else
// /usr/share/containers/storage.conf: the first that exists is the only one read.
StorageConf read_storage_conf(const std::filesystem::path& root,
                              const std::map<std::string, std::string>& environment);
StorageConf storage_conf_from_text(std::string_view text, const std::string& file);

struct RegistriesConf {
  std::vector<std::string> files;  // read, in order: registries.conf, then registries.conf.d/*.conf
  Diagnostics diagnostics;
  // The last file that sets it wins; nullopt when no file sets it.
  std::optional<Setting<std::vector<std::string>>> unqualified_search;
};

// CONTAINERS_REGISTRIES_CONF when set, else /etc/containers/registries.conf, then the drop-ins in
// /etc/containers/registries.conf.d in lexical order.
RegistriesConf read_registries_conf(const std::filesystem::path& root,
                                    const std::map<std::string, std::string>& environment);

// containers.conf as Podman 4 (containers/common) reads it for root: CONTAINERS_CONF alone when
// set; else /usr/share/containers/containers.conf, /etc/containers/containers.conf, then
// /etc/containers/containers.conf.d/*.conf in lexical order, a later file's keys replacing
// earlier ones. Only what the doctor checks is kept.
struct ContainersConf {
  std::vector<std::string> files;  // read, in order
  Diagnostics diagnostics;
  // [containers] default_ulimits: "nofile=1024:1024"; nullopt when no file sets it (Podman's
  // built-in default then asks for nproc = kernel.pid_max).
  std::optional<Setting<std::vector<std::string>>> default_ulimits;
  // [engine] runtime: the OCI runtime's name ("crun", "runc") or a path; nullopt: Podman takes
  // crun when it is installed, else runc.
  std::optional<Setting<std::string>> runtime;
  // [network] network_backend ("cni", "netavark"); nullopt: Podman picks (see podman_dns).
  std::optional<Setting<std::string>> network_backend;
  // [network] cni_plugin_dirs and [engine] helper_binaries_dir; nullopt: Podman's defaults.
  std::optional<Setting<std::vector<std::string>>> cni_plugin_dirs;
  std::optional<Setting<std::vector<std::string>>> helper_binaries_dir;
};

ContainersConf read_containers_conf(const std::filesystem::path& root,
                                    const std::map<std::string, std::string>& environment);

}  // namespace edgecrew::host
