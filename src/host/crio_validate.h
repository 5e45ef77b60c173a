#pragma once
// What CRI-O does with a configuration when it starts (pkg/config's Validate functions, as of
// CRI-O 1.28 to 1.36): refuses to start (a value outside its set, the default handler or a
// monitor that cannot be found), drops a runtime handler that fails validation (pods asking for it
// then fail with "failed to find runtime handler"), or runs. Only what can be decided from the
// files and the host's paths is checked; docs/DOCTOR.md lists what is not.

#include <filesystem>
#include <string>
#include <vector>

#include "host/crio_config.h"

namespace edgecrew::host {

// Where CRI-O looks up a handler, conmon or pinns when no path is set: its own $PATH under
// systemd (crio.service sets none, so systemd's default).
const std::vector<std::string>& crio_path_dirs();

// The built-in default handler: "crun" from CRI-O 1.31, "runc" before.
inline constexpr std::string_view k_crio_builtin_runtime = "crun";

enum class CrioArea { value, default_runtime, handler, monitor };

struct CrioProblem {
  CrioArea area = CrioArea::value;
  std::string subject;  // the key ("crio.runtime.log_level") or the handler's name
  std::string message;  // what is wrong, in CRI-O's terms
  Location where;       // the value's file and line; line 0: the configuration as a whole
  std::string fix;
};

struct CrioVerdict {
  std::vector<CrioProblem> refuses;     // any: CRI-O does not start
  std::vector<CrioProblem> dropped;     // one per handler CRI-O drops (subject: the handler)
  std::string default_runtime;          // the effective one ("crun" when no file sets it)
  std::string default_runtime_path;     // its binary as CRI-O finds it; "" when it finds none
  std::vector<std::string> configured;  // every handler it considers (the built-in one too)
  std::vector<std::string> handlers;    // the handlers CRI-O keeps, sorted
  std::vector<std::string> found;       // "nvidia: oci /usr/bin/nvidia-container-runtime (where)"
  // Handlers CRI-O keeps whose binary cannot run (not executable: CRI-O checks only that the path
  // exists), so every container on them fails at create.
  std::vector<CrioProblem> unusable;
  bool starts() const { return refuses.empty(); }
};

// The verdict on `config` (syntax and type errors are config.diagnostics', not repeated here);
// binaries and files are looked up under `root`.
CrioVerdict validate_crio_config(const CrioConfig& config, const std::filesystem::path& root);

}  // namespace edgecrew::host
