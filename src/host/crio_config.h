#pragma once
// CRI-O's configuration as CRI-O reads it (crio.conf(5), crio.conf.d(5), pkg/config): crio.conf
// when it exists, then every file under crio.conf.d whatever its name, in lexical order, each one
// decoded over what came before: a key a file sets replaces the earlier value, a runtime handler's
// table replaces the whole handler of that name. Every value is checked against the type CRI-O's
// decoder wants (a mismatch stops CRI-O at start); keys CRI-O does not know it ignores silently.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::host {

// The TOML type CRI-O's decoder wants for a key. `handlers`: a table of tables by name
// ([crio.runtime.runtimes.NAME]); `uinteger`: an integer (CRI-O does not refuse a negative one);
// `duration`: a Go duration string ("10s") or an integer of nanoseconds.
enum class KeyKind {
  table,
  handlers,
  string,
  boolean,
  integer,
  uinteger,
  duration,
  strings,
  string_map
};

struct CrioKey {
  std::string_view table;  // "crio.runtime", "crio.runtime.runtimes.*"
  std::string_view key;
  KeyKind kind;
  bool deprecated;
};

// Every key CRI-O accepts (crio_keys.cpp).
const std::vector<CrioKey>& crio_keys();

template <typename T>
struct Setting {
  T value;
  Location where;
};

// A value as CRI-O decoded it: `text` for comparing and showing (strings bare, arrays "[a, b]",
// tables "{k = v}"), `items` the strings of an array of strings.
struct CrioValue {
  std::string text;
  std::vector<std::string> items;
  Location where;
  bool operator==(const CrioValue& o) const { return text == o.text; }
};

struct CrioRuntime {
  std::string name;  // the handler name ([crio.runtime.runtimes.NAME])
  Location where;    // where its table was last written
  std::optional<Setting<std::string>> runtime_path;
  std::optional<Setting<std::string>> runtime_type;  // "oci" (default), "vm", "pod"
  std::optional<Setting<std::string>> runtime_root;
  std::optional<Setting<std::string>> monitor_path;
};

struct CrioConfig {
  std::vector<std::string> files;  // host paths read, in order
  // Errors: what stops CRI-O at start (syntax, a value of the wrong type). Warnings: keys CRI-O
  // ignores without a word (unknown, removed) and deprecated ones.
  Diagnostics diagnostics;
  // Every key the files set, by its canonical name ("crio.runtime.log_level",
  // "crio.runtime.runtimes.nvidia.runtime_path"), with where the effective value was written.
  std::map<std::string, CrioValue> values;
  const CrioValue* value(const std::string& key) const;
  std::optional<Setting<std::string>> default_runtime;
  std::map<std::string, CrioRuntime> runtimes;
  std::optional<Setting<std::vector<std::string>>> cdi_spec_dirs;
  std::optional<Setting<std::vector<std::string>>> hooks_dir;
  std::optional<Setting<std::string>> root;                      // [crio] root: the image store
  std::optional<Setting<std::string>> runroot;                   // [crio] runroot
  std::optional<Setting<std::string>> storage_driver;            // [crio] storage_driver
  std::optional<Setting<std::string>> network_dir;               // [crio.network] network_dir
  std::optional<Setting<std::vector<std::string>>> plugin_dirs;  // [crio.network] plugin_dirs
  std::optional<Setting<std::string>> log_level;                 // [crio.runtime] ...
  std::optional<Setting<std::string>> cgroup_manager;
  std::optional<Setting<std::string>> conmon_cgroup;
  std::optional<Setting<std::vector<std::string>>> default_ulimits;
  std::optional<Setting<std::string>> image_volumes;  // [crio.image] image_volumes
  bool found() const { return !files.empty(); }
};

inline constexpr std::string_view k_crio_conf = "/etc/crio/crio.conf";
inline constexpr std::string_view k_crio_conf_d = "/etc/crio/crio.conf.d";

// Reads crio.conf and its drop-ins under `root`.
CrioConfig read_crio_config(const std::filesystem::path& root);

// Applies one file's text over `config` (what read_crio_config does per file; the fuzz target's
// entry point, and how CRI-O's own GET /config answer is read).
void apply_crio_config_text(CrioConfig& config, std::string_view text, const std::string& file);

}  // namespace edgecrew::host
