// Section "crio-config": CRI-O's configuration files (crio.conf + crio.conf.d/*.conf), read the
// way CRI-O merges them: the default runtime, each runtime handler's binary, CDI and hooks dirs.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "doctor/check.h"
#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

// Where CRI-O looks up a handler's binary when runtime_path is not set: its own $PATH.
const std::vector<std::string> k_path_dirs = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                              "/usr/bin",        "/sbin",          "/bin"};

std::string at(const Location& l) {
  return fmt::format("{}:{}", l.file, l.line);
}

Outcome not_configured() {
  return skip("CRI-O is not configured on this host",
              {fmt::format("looked at {} and {}/*.conf", host::k_crio_conf, host::k_crio_conf_d)});
}

std::string dropin_command(const std::string& name, const std::string& body) {
  return fmt::format("$ printf '{}' > {}/{}\n$ systemctl restart crio",
                     replace_all(body, "\n", "\\n"), host::k_crio_conf_d, name);
}

Outcome check_files(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  std::vector<std::string> evidence = c.files;
  if (c.diagnostics.has_errors()) {
    for (const auto& d : c.diagnostics.items()) evidence.push_back(format_diagnostic(d));
    return fail(
        fmt::format("{} error{} in CRI-O's configuration: CRI-O will not start",
                    c.diagnostics.error_count(), c.diagnostics.error_count() == 1 ? "" : "s"),
        evidence, "correct the file at the position shown, then:\n$ systemctl restart crio");
  }
  std::size_t dropins = c.files.size() - (c.files.front() == host::k_crio_conf ? 1 : 0);
  return pass(
      fmt::format("{}{} drop-in{}", c.files.front() == host::k_crio_conf ? "crio.conf + " : "",
                  dropins, dropins == 1 ? "" : "s"),
      evidence);
}

Outcome check_default_runtime(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  if (!c.default_runtime) {
    return pass("not set: CRI-O's built-in default handler (runc or crun, by CRI-O version)");
  }
  const auto& d = *c.default_runtime;
  std::vector<std::string> evidence = {
      fmt::format("default_runtime = \"{}\" ({})", d.value, at(d.where))};
  if (d.value == "nvidia") {
    return warn(
        "default_runtime is \"nvidia\": pods can stick in Terminating (a known CRI-O issue)",
        evidence,
        "keep runc (or crun) as the default and ask for nvidia per pod (runtime handler / "
        "RuntimeClass):\n" +
            dropin_command("99-default-runtime.conf",
                           "[crio.runtime]\ndefault_runtime = \"runc\"\n"));
  }
  if (!c.runtimes.contains(d.value) && d.value != "runc" && d.value != "crun") {
    return fail(fmt::format("default_runtime \"{}\" has no [crio.runtime.runtimes.{}] table",
                            d.value, d.value),
                evidence, "define the handler or set default_runtime to one that is defined");
  }
  return pass(fmt::format("{} ({})", d.value, at(d.where)), evidence);
}

Outcome check_runtimes(const Facts& facts) {
  const auto& c = facts.crio();
  if (!c.found()) return not_configured();
  if (c.runtimes.empty()) return pass("no runtime handler tables: only CRI-O's built-in default");
  std::vector<std::string> evidence, problems, names;
  std::set<std::string> dropped;
  std::string fix;
  for (const auto& [name, r] : c.runtimes) {
    names.push_back(name);
    std::string type = r.runtime_type ? r.runtime_type->value : "oci";
    bool bad_type = false;
    std::string where = r.runtime_path ? at(r.runtime_path->where) : at(r.where);
    if (type != "oci" && type != "vm" && type != "pod") {
      bad_type = true;
      problems.push_back(fmt::format("{}: runtime_type \"{}\" is not oci, vm or pod ({})", name,
                                     type, at(r.runtime_type->where)));
    }
    std::string path;
    if (r.runtime_path && !r.runtime_path->value.empty()) {
      path = r.runtime_path->value;
    } else {
      for (const auto& dir : k_path_dirs) {
        if (host::stat_path(host::under(facts.root(), dir + "/" + name))) {
          path = dir + "/" + name;
          break;
        }
      }
      if (path.empty()) {
        problems.push_back(
            fmt::format("{}: no runtime_path and no \"{}\" in {} ({}): CRI-O drops this handler",
                        name, name, join(k_path_dirs, ":"), at(r.where)));
        fix +=
            fmt::format("set runtime_path in [crio.runtime.runtimes.{}] ({})\n", name, at(r.where));
        continue;
      }
    }
    auto st = host::stat_path(host::under(facts.root(), path));
    if (!st) {
      problems.push_back(
          fmt::format("{}: runtime_path {} does not exist ({}): CRI-O drops this handler, and "
                      "pods asking for it fail with \"failed to find runtime handler {}\"",
                      name, path, where, name));
      fix += fmt::format(
          "install {} or point runtime_path at the binary ({}), then restart CRI-O\n", path, where);
    } else if (!st->executable) {
      problems.push_back(
          fmt::format("{}: runtime_path {} is not an executable file ({}): CRI-O drops this "
                      "handler",
                      name, path, where));
      fix += fmt::format("$ chmod 755 {}\n", path);
    } else if (!bad_type) {
      evidence.push_back(fmt::format("{}: {} {} ({})", name, type, path, where));
    }
  }
  for (const auto& p : problems) dropped.insert(p.substr(0, p.find(':')));
  if (!problems.empty()) {
    evidence.insert(evidence.begin(), problems.begin(), problems.end());
    return fail(fmt::format("{} of {} handler{} would be dropped by CRI-O: {}", dropped.size(),
                            names.size(), names.size() == 1 ? "" : "s",
                            join({dropped.begin(), dropped.end()}, ", ")),
                evidence, trim(fix + "$ systemctl restart crio"));
  }
  return pass(fmt::format("{} (every runtime_path present)", join(names, ", ")), evidence);
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

std::vector<Check> crio_config_checks() {
  return {
      {"crio-config.files", "crio-config", "crio.conf and crio.conf.d/*.conf parse", check_files},
      {"crio-config.default-runtime", "crio-config", "default_runtime", check_default_runtime},
      {"crio-config.runtimes", "crio-config",
       "each runtime handler's runtime_path and runtime_type", check_runtimes},
      {"crio-config.cdi-dirs", "crio-config", "cdi_spec_dirs vs where the CDI specs are",
       check_cdi_dirs},
      {"crio-config.hooks-dir", "crio-config", "hooks_dir and the OCI hooks in it",
       check_hooks_dir},
  };
}

}  // namespace edgecrew::doctor
