// Section "cdi": the CDI spec directories read as the CDI library reads them, and what the
// runtimes will make of them (stale nodes, /dev/dri, conflicts, Podman 4.3's older library).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cdi/spec_validate.h"
#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

// The newest cdiVersion Podman 4.3's CDI library resolves (test-peers note: 0.3.0-era fields).
constexpr const char* k_podman43_cdi = "0.3.0";

std::string at(const Location& l) {
  return fmt::format("{}:{}", l.file, l.line);
}

std::string dirs_text(const cdi::Registry& reg) {
  std::vector<std::string> d;
  for (const auto& dir : reg.dirs) d.push_back(dir.path);
  return join(d, ", ");
}

bool is_nvidia(const cdi::LoadedSpec& ls) {
  return ls.spec && ls.spec->kind.starts_with("nvidia.com/");
}

// The command that regenerates an NVIDIA spec in place.
std::string regenerate(const std::string& file, bool without_dri) {
  std::string cmd = fmt::format("$ nvidia-ctk cdi generate --output={} --format={}", file,
                                file.ends_with(".json") ? "json" : "yaml");
  if (without_dri) cmd += " --csv.ignore-pattern '/dev/dri/.*'";
  return cmd + "\n$ systemctl restart crio   # CRI-O reads specs at startup and on change";
}

template <typename F>
void each_edits(const cdi::Spec& s, F f) {
  f(s.edits, std::string());
  for (const auto& d : s.devices) f(d.edits, d.name);
}

Outcome check_dirs(const Facts& facts) {
  const auto& reg = facts.cdi();
  std::vector<std::string> evidence;
  std::vector<std::string> ignored;
  for (const auto& dir : reg.dirs) {
    if (!dir.exists) {
      evidence.push_back(dir.path + ": missing");
      continue;
    }
    std::vector<std::string> names;
    for (const auto& ls : reg.specs) {
      if (ls.priority == dir.priority)
        names.push_back(std::filesystem::path(ls.file).filename().string());
    }
    evidence.push_back(fmt::format("{} (priority {}): {}", dir.path, dir.priority,
                                   names.empty() ? "no spec" : join(names, ", ")));
    for (const auto& f : dir.ignored) ignored.push_back(f);
  }
  if (!ignored.empty()) {
    std::string fix;
    for (const auto& f : ignored) {
      if (f.ends_with(".yml")) fix += fmt::format("$ mv {} {}aml\n", f, f.substr(0, f.size() - 2));
    }
    if (fix.empty()) fix = "remove them or give them a .yaml or .json name";
    for (const auto& f : ignored) evidence.push_back(f + ": not read (only *.json and *.yaml are)");
    return warn(fmt::format("{} file{} the CDI library does not read: {}", ignored.size(),
                            ignored.size() == 1 ? "" : "s", join(ignored, ", ")),
                evidence, trim(fix));
  }
  if (reg.specs.empty()) {
    if (facts.gpus().count > 0) {
      return fail("no CDI spec in " + dirs_text(reg) + ", but the host has NVIDIA GPUs", evidence,
                  regenerate("/etc/cdi/nvidia.yaml", false));
    }
    return pass("no CDI spec in " + dirs_text(reg) + " (none needed without a GPU)", evidence);
  }
  return pass(fmt::format("{} spec file{} in {}", reg.specs.size(),
                          reg.specs.size() == 1 ? "" : "s", dirs_text(reg)),
              evidence);
}

Outcome check_specs(const Facts& facts) {
  const auto& reg = facts.cdi();
  if (reg.specs.empty()) return skip("no CDI spec to check");
  std::vector<std::string> evidence;
  std::vector<std::string> bad;
  std::string fix;
  for (const auto& ls : reg.specs) {
    if (ls.valid()) {
      evidence.push_back(fmt::format("{}: cdiVersion {}, kind {}, {} device{}", ls.file,
                                     ls.spec->version, ls.spec->kind, ls.spec->devices.size(),
                                     ls.spec->devices.size() == 1 ? "" : "s"));
      // Warnings (annotation keys the schema validator refuses, field names in another case)
      // do not reject the spec, but are worth seeing.
      for (const auto& d : ls.diagnostics.items()) evidence.push_back(format_diagnostic(d));
      continue;
    }
    bad.push_back(ls.file);
    for (const auto& d : ls.diagnostics.items()) {
      if (d.severity == Severity::error) evidence.push_back(format_diagnostic(d));
    }
    fix += fmt::format("$ edgecrew cdi validate {}\n", ls.file);
    if (is_nvidia(ls)) fix += "or regenerate it:\n" + regenerate(ls.file, false) + "\n";
  }
  std::string summary =
      fmt::format("{} spec{}, {} device{}", reg.specs.size(), reg.specs.size() == 1 ? "" : "s",
                  reg.devices.size(), reg.devices.size() == 1 ? "" : "s");
  if (!bad.empty()) {
    return fail(fmt::format("{}: {} rejected by the CDI library (its devices do not resolve)",
                            summary, join(bad, ", ")),
                evidence, trim(fix));
  }
  return pass(summary, evidence);
}

Outcome check_conflicts(const Facts& facts) {
  const auto& reg = facts.cdi();
  if (reg.specs.empty()) return skip("no CDI spec to check");
  std::vector<std::string> evidence;
  for (const auto& c : reg.conflicts) {
    evidence.push_back(
        fmt::format("{}: defined in {} (same priority: dropped)", c.name, join(c.files, " and ")));
  }
  for (const auto& o : reg.overrides) {
    evidence.push_back(fmt::format("{}: {} overrides {}", o.name, o.winner_file, o.loser_file));
  }
  if (!reg.conflicts.empty()) {
    std::set<std::string> files;
    for (const auto& c : reg.conflicts) files.insert(c.files.begin() + 1, c.files.end());
    std::string fix = "keep one definition per device in a directory, e.g.:";
    for (const auto& f : files) fix += "\n$ rm " + f;
    return fail(fmt::format("{} device{} defined twice in one directory, so not resolvable: {}",
                            reg.conflicts.size(), reg.conflicts.size() == 1 ? "" : "s",
                            reg.conflicts.front().name),
                evidence, fix);
  }
  if (!reg.overrides.empty()) {
    std::set<std::string> losers;
    for (const auto& o : reg.overrides) losers.insert(o.loser_file);
    std::string fix = "the later directory wins; remove the stale copy so there is one source:";
    for (const auto& f : losers) fix += "\n$ rm " + f;
    return warn(
        fmt::format("{} device{} defined in two directories ({} wins)", reg.overrides.size(),
                    reg.overrides.size() == 1 ? "" : "s", reg.overrides.front().winner_file),
        evidence, fix);
  }
  return pass("no device defined twice");
}

Outcome check_dri(const Facts& facts) {
  const auto& reg = facts.cdi();
  if (reg.specs.empty()) return skip("no CDI spec to check");
  std::vector<std::string> evidence;
  std::set<std::string> files;
  for (const auto& ls : reg.specs) {
    if (!ls.spec) continue;
    each_edits(*ls.spec, [&](const cdi::ContainerEdits& e, const std::string& device) {
      for (const auto& n : e.device_nodes) {
        if (!n.path.starts_with("/dev/dri/")) continue;
        evidence.push_back(fmt::format("{}: {}{}", at(n.where), n.path,
                                       device.empty() ? "" : " (device \"" + device + "\")"));
        files.insert(ls.file);
      }
    });
  }
  if (evidence.empty()) return pass("no /dev/dri entries");
  std::string fix = "regenerate without the display nodes (vLLM then finds the CUDA device):";
  for (const auto& f : files) fix += "\n" + regenerate(f, true);
  return warn(
      fmt::format("{} /dev/dri entr{} in {}", evidence.size(), evidence.size() == 1 ? "y" : "ies",
                  join({files.begin(), files.end()}, ", ")),
      evidence, fix);
}

Outcome check_nodes(const Facts& facts) {
  const auto& reg = facts.cdi();
  if (std::none_of(reg.specs.begin(), reg.specs.end(), [](const auto& ls) { return ls.valid(); })) {
    return skip("no valid CDI spec to check");
  }
  std::vector<std::string> evidence;
  std::set<std::string> stale_files;
  int nodes = 0, mounts = 0, hooks = 0;
  for (const auto& ls : reg.specs) {
    if (!ls.valid()) continue;
    each_edits(*ls.spec, [&](const cdi::ContainerEdits& e, const std::string&) {
      for (const auto& n : e.device_nodes) {
        ++nodes;
        auto st = host::stat_path(host::under(facts.root(), n.source()));
        if (!st) {
          evidence.push_back(
              fmt::format("{}: device node {} does not exist", at(n.where), n.source()));
        } else if (!st->is_char_device && !st->is_block_device) {
          evidence.push_back(fmt::format("{}: {} is not a device node", at(n.where), n.source()));
        } else if ((n.major && *n.major != st->major) || (n.minor && *n.minor != st->minor)) {
          evidence.push_back(fmt::format(
              "{}: {} is {}:{} in the spec but {}:{} on the host (stale)", at(n.where), n.source(),
              n.major.value_or(st->major), n.minor.value_or(st->minor), st->major, st->minor));
        } else {
          continue;
        }
        stale_files.insert(ls.file);
      }
      for (const auto& m : e.mounts) {
        ++mounts;
        if (host::stat_path(host::under(facts.root(), m.host_path))) continue;
        evidence.push_back(
            fmt::format("{}: mount source {} does not exist", at(m.where), m.host_path));
        stale_files.insert(ls.file);
      }
      for (const auto& h : e.hooks) {
        ++hooks;
        auto st = host::stat_path(host::under(facts.root(), h.path));
        if (st && st->executable) continue;
        evidence.push_back(fmt::format("{}: hook {} {}", at(h.where), h.path,
                                       st ? "is not executable" : "does not exist"));
        stale_files.insert(ls.file);
      }
    });
  }
  std::string counts =
      fmt::format("{} device node{}, {} mount{}, {} hook{}", nodes, nodes == 1 ? "" : "s", mounts,
                  mounts == 1 ? "" : "s", hooks, hooks == 1 ? "" : "s");
  if (evidence.empty()) return pass(counts + " present on the host");
  std::string fix = "the spec no longer matches the host (a driver update?); regenerate it:";
  for (const auto& f : stale_files) fix += "\n" + regenerate(f, false);
  return fail(fmt::format("{} of {} missing or stale on the host", evidence.size(), counts),
              evidence, fix);
}

Outcome check_gpu_all(const Facts& facts) {
  const auto& g = facts.gpus();
  if (g.count == 0) return skip(g.none_reason);
  const auto& reg = facts.cdi();
  auto ex = cdi::explain(reg, "nvidia.com/gpu=all");
  if (!ex.resolves) {
    return fail("nvidia.com/gpu=all does not resolve", ex.lines,
                regenerate("/etc/cdi/nvidia.yaml", true));
  }
  // nvidia-ctk names each GPU by index ("0", "1") besides UUIDs and "all".
  int indexed = 0;
  for (const auto& [name, ref] : reg.devices) {
    std::string dev = name.substr(name.find('=') + 1);
    if (name.starts_with("nvidia.com/gpu=") &&
        std::all_of(dev.begin(), dev.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      ++indexed;
    }
  }
  const auto& file = reg.spec_of(reg.devices.at("nvidia.com/gpu=all")).file;
  if (indexed != g.count) {
    return warn(
        fmt::format("nvidia.com/gpu=all from {}, but the spec names {} GPU{} and the host has {}",
                    file, indexed, indexed == 1 ? "" : "s", g.count),
        ex.lines, regenerate(file, false));
  }
  return pass(
      fmt::format("nvidia.com/gpu=all from {} ({} GPU{})", file, indexed, indexed == 1 ? "" : "s"),
      ex.lines);
}

bool podman_is_43_or_older(const std::string& version) {
  return cdi::compare_versions(version, "4.3.99") <= 0;
}

Outcome check_podman_compat(const Facts& facts) {
  const auto& reg = facts.cdi();
  std::vector<std::string> evidence;
  std::vector<std::string> newer;
  std::vector<std::string> refused_by_released;  // permissions "none": no released library reads it
  for (const auto& ls : reg.specs) {
    if (!ls.valid()) continue;
    auto needs = cdi::version_needs(*ls.spec);
    std::string line = fmt::format("{}: cdiVersion {}", ls.file, ls.spec->version);
    if (!needs.empty())
      line += fmt::format(", uses {} ({})", needs.front().feature, needs.front().version);
    evidence.push_back(line);
    auto refused = cdi::older_library_refusals(*ls.spec);
    for (const auto& r : refused) {
      evidence.push_back(fmt::format("{}:{}: {}", ls.file, r.where.line, r.feature));
    }
    if (cdi::compare_versions(ls.spec->version, k_podman43_cdi) > 0 || !refused.empty())
      newer.push_back(ls.file);
    if (!refused.empty()) refused_by_released.push_back(ls.file);
  }
  if (evidence.empty()) return skip("no valid CDI spec to compare");
  const auto& podman = facts.podman_version();
  std::string rule =
      fmt::format("Podman 4.3's CDI library resolves only cdiVersion {} specs", k_podman43_cdi);
  if (!refused_by_released.empty()) rule += ", and no device node with permissions \"none\"";
  evidence.push_back(
      podman ? "podman " + *podman
             : "Podman version not known: no Podman service answers or can be started (see "
               "images.podman), or --root");
  if (newer.empty()) {
    return pass(fmt::format("every spec is cdiVersion {} or older (Podman 4.3 resolves them)",
                            k_podman43_cdi),
                evidence);
  }
  std::string fix =
      "for Podman 4.3, write a cdiVersion \"0.3.0\" spec (device nodes by path, env, 0.3.0 mount "
      "fields only) in its own file, or use a Podman whose CDI library knows the specs' version";
  if (podman && podman_is_43_or_older(*podman)) {
    return fail(fmt::format("Podman {} cannot resolve the devices of {}: {}", *podman,
                            join(newer, ", "), rule),
                evidence, fix);
  }
  if (podman && !refused_by_released.empty()) {
    return warn(fmt::format("{}: device permissions \"none\" are refused by every released CDI "
                            "library, so Podman {} may not resolve {}",
                            join(refused_by_released, ", "), *podman,
                            refused_by_released.size() == 1 ? "it" : "them"),
                evidence,
                "leave \"permissions\" out (rwm) unless the runtime's CDI library is "
                "newer than v1.1.0");
  }
  if (podman) {
    return pass(fmt::format("Podman {} (newer than 4.3) reads specs up to cdiVersion {}", *podman,
                            [&] {
                              std::string v = k_podman43_cdi;
                              for (const auto& ls : reg.specs) {
                                if (ls.valid() && cdi::compare_versions(ls.spec->version, v) > 0)
                                  v = ls.spec->version;
                              }
                              return v;
                            }()),
                evidence);
  }
  return warn(
      fmt::format("{} newer than {}: {}, so Podman 4.3 would not resolve {}", join(newer, ", "),
                  k_podman43_cdi, rule, newer.size() == 1 ? "it" : "them"),
      evidence, fix);
}

}  // namespace

std::vector<Check> cdi_checks() {
  return {
      {"cdi.dirs", "cdi", "the CDI spec directories and the files in them", check_dirs},
      {"cdi.specs", "cdi", "every spec parsed and validated per cdiVersion", check_specs},
      {"cdi.conflicts", "cdi", "devices defined more than once", check_conflicts},
      {"cdi.dri", "cdi", "/dev/dri entries in the specs", check_dri},
      {"cdi.nodes", "cdi", "device nodes, mounts and hooks of the specs on the host", check_nodes},
      {"cdi.gpu-all", "cdi", "nvidia.com/gpu=all resolves and names every GPU", check_gpu_all},
      {"cdi.podman-compat", "cdi", "Podman 4.3's CDI library vs the specs' versions",
       check_podman_compat, k_podman_check_timeout},
  };
}

}  // namespace edgecrew::doctor
