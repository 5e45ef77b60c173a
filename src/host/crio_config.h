#pragma once
// CRI-O's configuration as CRI-O reads it: /etc/crio/crio.conf, then every
// /etc/crio/crio.conf.d/*.conf in lexical order, each drop-in overriding the keys it sets (runtime
// tables merge by handler name). Only the keys the doctor needs are kept, each with where it was
// set.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::host {

template <typename T>
struct Setting {
  T value;
  Location where;
};

struct CrioRuntime {
  std::string name;  // the handler name ([crio.runtime.runtimes.NAME])
  Location where;    // where its table was last written
  std::optional<Setting<std::string>> runtime_path;
  std::optional<Setting<std::string>> runtime_type;  // "oci" (default), "vm", "pod"
  std::optional<Setting<std::string>> runtime_root;
};

struct CrioConfig {
  std::vector<std::string> files;  // host paths read, in order
  Diagnostics diagnostics;         // syntax and type errors
  std::optional<Setting<std::string>> default_runtime;
  std::map<std::string, CrioRuntime> runtimes;
  std::optional<Setting<std::vector<std::string>>> cdi_spec_dirs;
  std::optional<Setting<std::vector<std::string>>> hooks_dir;
  std::optional<Setting<std::string>> root;                      // [crio] root: the image store
  std::optional<Setting<std::string>> runroot;                   // [crio] runroot
  std::optional<Setting<std::string>> storage_driver;            // [crio] storage_driver
  std::optional<Setting<std::string>> network_dir;               // [crio.network] network_dir
  std::optional<Setting<std::vector<std::string>>> plugin_dirs;  // [crio.network] plugin_dirs
  bool found() const { return !files.empty(); }
};

inline constexpr std::string_view k_crio_conf = "/etc/crio/crio.conf";
inline constexpr std::string_view k_crio_conf_d = "/etc/crio/crio.conf.d";

// Reads crio.conf and its drop-ins under `root`.
CrioConfig read_crio_config(const std::filesystem::path& root);

// Applies one file's text over `config` (what read_crio_config does per file; the fuzz target's
// entry point).
void apply_crio_config_text(CrioConfig& config, std::string_view text, const std::string& file);

}  // namespace edgecrew::host
