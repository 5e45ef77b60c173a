// Section "crio-config": CRI-O's configuration (crio.conf and every file under crio.conf.d) read
// and validated the way CRI-O does when it starts (host/crio_validate): whether it starts, which
// runtime handlers it keeps, and whether the running CRI-O uses what the files say.
#include "doctor/checks_crio_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "host/crio_validate.h"
#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

std::string at(const Location& l) {
  return l.line > 0 ? fmt::format("{}:{}", l.file, l.line) : "built in";
}

Outcome not_configured() {
  return skip("CRI-O is not configured on this host",
              {fmt::format("looked at {} and every file under {}", host::k_crio_conf,
                           host::k_crio_conf_d)});
}

std::string dropin_command(const std::string& name, const std::string& body) {
  return fmt::format("$ printf '{}' > {}/{}\n$ systemctl restart crio",
                     replace_all(body, "\n", "\\n"), host::k_crio_conf_d, name);
}

std::vector<const host::CrioProblem*> refusals(const Facts& facts, host::CrioArea area) {
  std::vector<const host::CrioProblem*> out;
  for (const auto& p : crio_verdict(facts).refuses) {
    if (p.area == area) out.push_back(&p);
  }
  return out;
}

// The problems that stop CRI-O, as one failed outcome: each with where it was written.
Outcome refuse(const std::vector<const host::CrioProblem*>& problems, const std::string& what,
               std::vector<std::string> evidence = {}) {
  std::vector<std::string> lines, fixes;
  for (const auto* p : problems) {
    lines.push_back(p->where.line > 0 ? fmt::format("{} ({})", p->message, at(p->where))
                                      : p->message);
    if (std::find(fixes.begin(), fixes.end(), p->fix) == fixes.end()) fixes.push_back(p->fix);
  }
  evidence.insert(evidence.begin(), lines.begin(), lines.end());
  return fail(fmt::format("CRI-O refuses to start: {}", what), evidence,
              join(fixes, "\n") + "\n$ systemctl restart crio");
}

Outcome check_files(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  std::vector<std::string> evidence = c.files;
  std::vector<std::string> ignored;
  for (const auto& d : c.diagnostics.items()) {
    evidence.push_back(format_diagnostic(d));
    if (d.severity == Severity::warning && d.message.find("ignores it") != std::string::npos) {
      ignored.push_back(d.message.substr(0, d.message.find(' ')));
    }
  }
  if (c.diagnostics.has_errors()) {
    return fail(
        fmt::format("{} error{} in CRI-O's configuration: CRI-O refuses to start",
                    c.diagnostics.error_count(), c.diagnostics.error_count() == 1 ? "" : "s"),
        evidence, "correct the file at the position shown, then:\n$ systemctl restart crio");
  }
  const bool main = c.files.front() == host::k_crio_conf;
  std::size_t dropins = c.files.size() - (main ? 1 : 0);
  std::string summary =
      fmt::format("{}{} drop-in{}", main ? "crio.conf + " : "", dropins, dropins == 1 ? "" : "s");
  if (!ignored.empty()) {
    return warn(summary + fmt::format(": CRI-O ignores {} without a word", join(ignored, ", ")),
                evidence, "correct the key's name or table (crio.conf(5)), or remove it");
  }
  return pass(summary, evidence);
}

Outcome check_values(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  std::vector<std::string> evidence;
  for (const auto& [key, v] : c.values) {
    if (key.starts_with("crio.runtime.runtimes.")) continue;  // crio-config.runtimes shows them
    evidence.push_back(fmt::format("{} = {} ({})", key, v.text, at(v.where)));
  }
  auto problems = refusals(facts, host::CrioArea::value);
  if (!problems.empty()) {
    std::vector<std::string> keys;
    for (const auto* p : problems) {
      if (std::find(keys.begin(), keys.end(), p->subject) == keys.end()) keys.push_back(p->subject);
    }
    return refuse(problems, join(keys, ", "), evidence);
  }
  return pass(fmt::format("{} setting{} as CRI-O accepts them", evidence.size(),
                          evidence.size() == 1 ? "" : "s"),
              evidence);
}

Outcome check_default_runtime(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  const auto& v = crio_verdict(facts);
  const auto* set = c.value("crio.runtime.default_runtime");
  std::string where =
      set == nullptr ? "not set: CRI-O's built-in default (crun since 1.31)" : at(set->where);
  std::vector<std::string> evidence = {
      fmt::format("default_runtime = \"{}\" ({})", v.default_runtime, where)};
  if (auto problems = refusals(facts, host::CrioArea::default_runtime); !problems.empty()) {
    return refuse(problems, "the default runtime handler " + v.default_runtime, evidence);
  }
  if (v.default_runtime == "nvidia") {
    return warn(
        "default_runtime is \"nvidia\": pods can stick in Terminating (a known CRI-O issue)",
        evidence,
        "keep runc (or crun) as the default and ask for nvidia per pod (runtime handler / "
        "RuntimeClass):\n" +
            dropin_command("99-default-runtime.conf",
                           "[crio.runtime]\ndefault_runtime = \"runc\"\n"));
  }
  return pass(fmt::format("{} ({})", v.default_runtime, where), evidence);
}

Outcome check_runtimes(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  const auto& v = crio_verdict(facts);
  std::vector<std::string> evidence, fixes;
  const auto& names = v.configured;
  for (const auto& p : v.dropped) {
    evidence.push_back(
        fmt::format("{}: {}: CRI-O drops this handler, and pods asking for it fail "
                    "with \"failed to find runtime handler {}\"",
                    p.subject, p.message, p.subject));
    fixes.push_back(p.fix);
  }
  evidence.insert(evidence.end(), v.found.begin(), v.found.end());
  if (!v.dropped.empty()) {
    std::vector<std::string> dropped;
    for (const auto& p : v.dropped) dropped.push_back(p.subject);
    std::sort(dropped.begin(), dropped.end());
    return fail(fmt::format("{} of {} handlers would be dropped by CRI-O: {}", dropped.size(),
                            names.size(), join(dropped, ", ")),
                evidence, join(fixes, "\n") + "\n$ systemctl restart crio");
  }
  if (!v.unusable.empty()) {
    std::vector<std::string> handlers;
    for (const auto& p : v.unusable) {
      handlers.push_back(p.subject);
      evidence.insert(evidence.begin(), p.subject + ": " + p.message);
      fixes.push_back(p.fix);
    }
    return fail(fmt::format("{} cannot run containers: {}", join(handlers, ", "),
                            handlers.size() == 1 ? "its binary is not executable"
                                                 : "their binaries are not executable"),
                evidence, join(fixes, "\n"));
  }
  if (names.empty()) return pass("no runtime handler tables: only CRI-O's built-in default");
  return pass(fmt::format("{} (every runtime_path present)", join(v.handlers, ", ")), evidence);
}

Outcome check_monitor(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  if (auto problems = refusals(facts, host::CrioArea::monitor); !problems.empty()) {
    std::set<std::string> handlers;
    for (const auto* p : problems) handlers.insert(p->subject);
    return refuse(problems, "conmon for " + join({handlers.begin(), handlers.end()}, ", "));
  }
  return pass(fmt::format("conmon found for {}", join(crio_verdict(facts).handlers, ", ")));
}

// The keys CRI-O re-reads on SIGHUP (pkg/config/reload.go); any other change needs a restart.
bool reloads(const std::string& key) {
  static const std::set<std::string> k = {"crio.runtime.log_level",
                                          "crio.runtime.log_filter",
                                          "crio.image.pause_image",
                                          "crio.image.pause_image_auth_file",
                                          "crio.image.pause_command",
                                          "crio.image.pinned_images",
                                          "crio.runtime.decryption_keys_path",
                                          "crio.runtime.seccomp_profile",
                                          "crio.runtime.privileged_seccomp_profile",
                                          "crio.runtime.apparmor_profile",
                                          "crio.runtime.blockio_config_file",
                                          "crio.runtime.blockio_reload",
                                          "crio.runtime.rdt_config_file",
                                          "crio.runtime.default_runtime",
                                          "crio.runtime.cdi_spec_dirs"};
  return k.contains(key) || key.starts_with("crio.runtime.runtimes.");
}

Outcome check_applied(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  const auto& cri = cri_facts(facts);
  if (!cri.absent.empty()) return skip(cri.absent);
  if (!cri.is_crio()) {
    return skip(cri.runtime_name.empty()
                    ? "the CRI runtime did not answer (see cri.socket)"
                    : "the CRI runtime is " + cri.runtime_name + ", not CRI-O");
  }
  if (!cri.running_config) return skip("CRI-O did not answer GET /config on its socket");
  return compare_applied(c, *cri.running_config);
}

Outcome check_cdi_dirs(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  std::vector<std::string> dirs = cdi::default_spec_dirs();
  std::string source = "not set: CRI-O's default";
  if (c.cdi_spec_dirs) {
    dirs.clear();
    for (const auto& d : c.cdi_spec_dirs->value) dirs.push_back(host::normal_dir(d));
    source = at(c.cdi_spec_dirs->where);
  }
  std::vector<std::string> evidence = {
      fmt::format("cdi_spec_dirs = [{}] ({})", join(dirs, ", "), source)};
  // Specs the doctor found in directories CRI-O does not read cannot resolve through CRI-O.
  std::vector<std::string> unread;
  for (const auto& ls : facts.cdi().specs) {
    std::string dir = std::filesystem::path(ls.file).parent_path().string();
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) unread.push_back(ls.file);
  }
  std::vector<std::string> missing;
  for (const auto& d : dirs) {
    if (!host::stat_path(host::under(facts.root(), d))) missing.push_back(d);
  }
  if (!unread.empty()) {
    for (const auto& f : unread) evidence.push_back(f + ": not in CRI-O's cdi_spec_dirs");
    return warn(
        fmt::format("CRI-O does not read {}", join(unread, ", ")), evidence,
        "add the directory to cdi_spec_dirs, or move the spec into one of them:\n" +
            dropin_command("99-cdi.conf",
                           "[crio.runtime]\ncdi_spec_dirs = [\"/etc/cdi\", \"/var/run/cdi\"]\n"));
  }
  if (!missing.empty()) evidence.push_back("missing: " + join(missing, ", "));
  return pass(join(dirs, ", ") + (c.cdi_spec_dirs ? "" : " (default)"), evidence);
}

Outcome check_hooks_dir(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  std::vector<std::string> dirs = {"/usr/share/containers/oci/hooks.d"};
  if (c.hooks_dir) dirs = c.hooks_dir->value;
  std::vector<std::string> evidence, missing, hooks;
  for (const auto& d : dirs) {
    std::error_code ec;
    auto p = host::under(facts.root(), d);
    if (!std::filesystem::is_directory(p, ec)) {
      missing.push_back(d);
      continue;
    }
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json") names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    evidence.push_back(fmt::format("{}: {}", d, names.empty() ? "no hook" : join(names, ", ")));
    for (const auto& n : names) hooks.push_back(d + "/" + n);
  }
  for (const auto& m : missing) evidence.push_back(m + ": missing");
  if (c.hooks_dir && !missing.empty()) {
    return warn(fmt::format("hooks_dir {} does not exist ({})", join(missing, ", "),
                            at(c.hooks_dir->where)),
                evidence, fmt::format("$ mkdir -p {}", join(missing, " ")));
  }
  return pass(
      fmt::format("{}: {} hook{}", join(dirs, ", "), hooks.size(), hooks.size() == 1 ? "" : "s"),
      evidence);
}

}  // namespace

const host::CrioVerdict& crio_verdict(const Facts& facts) {
  struct Shared {
    host::CrioVerdict v;
  };
  return facts
      .shared<Shared>(
          [](const Facts& f) { return Shared{host::validate_crio_config(f.crio(), f.root())}; })
      .v;
}

Outcome compare_applied(const host::CrioConfig& files, const host::CrioConfig& running) {
  std::vector<std::string> differ, evidence;
  bool restart = false;
  std::size_t same = 0;
  for (const auto& [key, v] : files.values) {
    const auto* now = running.value(key);
    // GET /config leaves out empty handler fields and resolves defaults: compare what it shows.
    if (now == nullptr) continue;
    if (*now == v) {
      ++same;
      continue;
    }
    differ.push_back(key);
    restart |= !reloads(key);
    evidence.push_back(fmt::format("{}: the files say {} ({}), CRI-O runs with {}", key, v.text,
                                   at(v.where), now->text));
  }
  if (!differ.empty()) {
    return warn(fmt::format("CRI-O runs with other values than its files say: {} (edited, not yet "
                            "applied)",
                            join(differ, ", ")),
                evidence,
                restart ? "$ systemctl restart crio"
                        : "these keys are re-read on SIGHUP:\n$ systemctl reload crio");
  }
  return pass(fmt::format("the running CRI-O uses the files' {} value{} (GET /config)", same,
                          same == 1 ? "" : "s"));
}

std::vector<Check> crio_config_checks() {
  return {
      {"crio-config.files", "crio-config",
       "crio.conf and every file under crio.conf.d decode as CRI-O decodes them", check_files},
      {"crio-config.values", "crio-config",
       "the values CRI-O checks when it starts (log_level, cgroup_manager, ulimits, ...)",
       check_values},
      {"crio-config.default-runtime", "crio-config", "default_runtime names a valid handler",
       check_default_runtime},
      {"crio-config.runtimes", "crio-config",
       "each runtime handler as CRI-O validates it: kept or dropped", check_runtimes},
      {"crio-config.monitor", "crio-config", "conmon and its cgroup for every handler kept",
       check_monitor},
      {"crio-config.applied", "crio-config", "the running CRI-O's GET /config against the files",
       check_applied, std::chrono::milliseconds(6'000)},
      {"crio-config.cdi-dirs", "crio-config", "cdi_spec_dirs vs where the CDI specs are",
       check_cdi_dirs},
      {"crio-config.hooks-dir", "crio-config", "hooks_dir and the OCI hooks in it",
       check_hooks_dir},
  };
}

}  // namespace edgecrew::doctor
