#pragma once
// The CDI spec directories of a host, read the way the CDI library's cache reads them: every
// *.json and *.yaml file of each directory, later directories taking priority; an invalid spec is
// left out; a device defined twice at the same priority is a conflict and is left out too.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cdi/spec.h"
#include "util/diagnostics.h"

namespace edgecrew::cdi {

// The library's default directories, lowest priority first.
const std::vector<std::string>& default_spec_dirs();

struct SpecDir {
  std::string path;  // host path, e.g. "/etc/cdi"
  int priority = 0;  // its index: higher wins
  bool exists = false;
  std::vector<std::string> ignored;  // files the library skips (not .json/.yaml), host paths
};

struct LoadedSpec {
  std::string file;  // host path
  int priority = 0;
  std::optional<Spec> spec;  // empty when the file could not be read or is not a spec
  Diagnostics diagnostics;   // parse + validation problems
  bool valid() const { return spec.has_value() && !diagnostics.has_errors(); }
  // The first error (warnings come before it in file order); only for a spec that is not valid.
  const Diagnostic& first_error() const;
};

struct DeviceRef {
  std::size_t spec = 0;    // index into Registry::specs
  std::size_t device = 0;  // index into that spec's devices
};

struct Override {
  std::string name;         // "nvidia.com/gpu=all"
  std::string winner_file;  // the higher-priority spec
  std::string loser_file;
};

struct Conflict {
  std::string name;
  std::vector<std::string> files;  // same priority, so the device is dropped
};

struct Registry {
  std::vector<SpecDir> dirs;
  std::vector<LoadedSpec> specs;             // every spec file found, valid or not, in read order
  std::map<std::string, DeviceRef> devices;  // every name that resolves
  std::vector<Override> overrides;
  std::vector<Conflict> conflicts;
  const Device& device(const DeviceRef& ref) const {
    return specs[ref.spec].spec->devices[ref.device];
  }
  const LoadedSpec& spec_of(const DeviceRef& ref) const { return specs[ref.spec]; }
};

// Reads `dirs` (host paths) under `root`.
Registry load_registry(const std::filesystem::path& root,
                       const std::vector<std::string>& dirs = default_spec_dirs());

// Reads spec directories as they are on this machine (`cdi validate DIR...`): `dirs[i]` names
// the directory read from `paths[i]`; later ones take priority, as in load_registry.
Registry load_spec_dirs(const std::vector<std::filesystem::path>& paths,
                        const std::vector<std::string>& dirs);

// Parses and validates one spec file's text.
LoadedSpec load_spec_text(const std::string& text, const std::string& file, int priority = 0);

struct Explanation {
  bool resolves = false;
  std::vector<std::string> lines;  // the reasons, in words
};

// Why `name` resolves (which file, what it overrides) or precisely why it does not.
Explanation explain(const Registry& registry, const std::string& name);

}  // namespace edgecrew::cdi
