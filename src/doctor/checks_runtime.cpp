// Section "runtime": host conditions that make every container start fail, whatever the stack:
// the rlimits Podman (or CRI-O) asks for against the hard limits here, and the OCI runtime
// against the cgroup layout. `up` names the same check ids under a start error that matches
// (host/runtime_traps).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "doctor/check.h"
#include "doctor/checks_crio_config.h"
#include "doctor/engine_facts.h"
#include "host/containers_conf.h"
#include "host/host_path.h"
#include "host/process_limits.h"
#include "host/runtime_traps.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

std::optional<std::uint64_t> number(const std::string& s) {
  if (s == "-1") return host::k_unlimited;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The hard limit a default_ulimits list asks for `name` ("nofile=1024:2048" → 2048), if it does.
std::optional<std::uint64_t> ulimit_hard(const std::vector<std::string>& entries,
                                         const std::string& name) {
  for (const auto& e : entries) {
    if (!e.starts_with(name + "=")) continue;
    std::string v = e.substr(name.size() + 1);
    auto colon = v.find(':');
    return number(colon == std::string::npos ? v : v.substr(colon + 1));
  }
  return std::nullopt;
}

struct Want {
  const char* name;  // "nofile"
  int type;          // the rlimit number runc names: 7 = RLIMIT_NOFILE, 6 = RLIMIT_NPROC
  std::uint64_t value;
  std::string why;
  std::uint64_t ceiling;
};

Outcome check_ulimits(const Facts& facts) {
  auto limits = host::read_process_limits(facts.root(), "self");
  if (!limits) return skip("the limits are not known: " + limits.error().message);
  const auto& conf = containers_conf(facts);
  std::uint64_t pid_max = host::k_unlimited;
  if (auto line = host::read_first_line(facts.root(), "/proc/sys/kernel/pid_max")) {
    pid_max = number(*line).value_or(host::k_unlimited);
  }
  std::vector<std::string> evidence = {
      fmt::format("hard limits here: nofile {}, nproc {} ({}, inherited by Podman, conmon and "
                  "the OCI runtime)",
                  host::limit_text(limits->nofile.hard), host::limit_text(limits->nproc.hard),
                  limits->source),
      pid_max == host::k_unlimited
          ? std::string("kernel.pid_max: not readable")
          : fmt::format("kernel.pid_max = {} (Podman lowers its own nproc limit to it)", pid_max)};
  if (limits->cap_sys_resource) {
    evidence.push_back(
        fmt::format("CAP_SYS_RESOURCE: {}", *limits->cap_sys_resource ? "yes" : "no"));
  }
  if (limits->cap_sys_resource.value_or(false)) {
    return pass("CAP_SYS_RESOURCE held: the runtime may raise a container's limits", evidence);
  }
  const std::uint64_t nofile_ceiling = limits->nofile.hard;
  const std::uint64_t nproc_ceiling = std::min(limits->nproc.hard, pid_max);
  const bool root = limits->uid == 0;
  std::vector<Want> wants;
  std::string conf_where = "no containers.conf sets default_ulimits";
  if (conf.default_ulimits) {
    const auto& u = *conf.default_ulimits;
    conf_where = fmt::format("default_ulimits = [{}] ({}:{})", join(u.value, ", "), u.where.file,
                             u.where.line);
    for (auto [name, type, ceiling] :
         {std::tuple{"nofile", 7, nofile_ceiling}, std::tuple{"nproc", 6, nproc_ceiling}}) {
      if (auto hard = ulimit_hard(u.value, name)) {
        wants.push_back({name, type, *hard, "containers.conf default_ulimits", ceiling});
      } else if (root) {
        wants.push_back({name, type, host::k_podman_rlimit_default,
                         "Podman's default for root (default_ulimits does not set it)", ceiling});
      }
    }
  } else if (root) {
    wants.push_back(
        {"nofile", 7, host::k_podman_rlimit_default, "Podman's default for root", nofile_ceiling});
    if (pid_max != host::k_unlimited) {
      wants.push_back({"nproc", 6, pid_max, "containers.conf's built-in default, kernel.pid_max",
                       nproc_ceiling});
    }
  }
  evidence.push_back(conf_where + (conf.files.empty() ? " (no containers.conf)"
                                                      : " (read: " + join(conf.files, ", ") + ")"));
  if (!root) {
    evidence.emplace_back("rootless: Podman keeps its defaults within the caller's limits");
  }
  std::vector<std::string> over;
  for (const auto& w : wants) {
    evidence.push_back(
        fmt::format("Podman asks for {} {} ({})", w.name, host::limit_text(w.value), w.why));
    if (w.value > w.ceiling) {
      over.push_back(
          fmt::format("{} {} > {} (`error setting rlimit type {}: operation not "
                      "permitted`)",
                      w.name, host::limit_text(w.value), host::limit_text(w.ceiling), w.type));
    }
  }
  // CRI-O applies its own default_ulimits to every container it creates.
  std::vector<std::string> crio_over;
  if (const auto& c = facts.crio(); c.default_ulimits) {
    for (auto [name, ceiling] :
         {std::pair{"nofile", nofile_ceiling}, std::pair{"nproc", nproc_ceiling}}) {
      auto hard = ulimit_hard(c.default_ulimits->value, name);
      if (hard && *hard > ceiling) {
        crio_over.push_back(fmt::format("{} {} > {} ({}:{})", name, host::limit_text(*hard),
                                        host::limit_text(ceiling), c.default_ulimits->where.file,
                                        c.default_ulimits->where.line));
      }
    }
  }
  for (const auto& o : crio_over) evidence.push_back("CRI-O's default_ulimits asks for " + o);
  if (over.empty() && crio_over.empty()) {
    return pass(fmt::format("the limits containers ask for fit this host's hard limits (nofile {}, "
                            "nproc {})",
                            host::limit_text(nofile_ceiling), host::limit_text(nproc_ceiling)),
                evidence);
  }
  std::string fix;
  if (!over.empty()) {
    fix = fmt::format(
        "give Podman limits this host allows, in /etc/containers/containers.conf (or a file in "
        "/etc/containers/containers.conf.d/):\n[containers]\ndefault_ulimits = [\"nofile={}:{}\", "
        "\"nproc={}:{}\"]",
        host::limit_text(nofile_ceiling), host::limit_text(nofile_ceiling),
        host::limit_text(nproc_ceiling), host::limit_text(nproc_ceiling));
  }
  if (!crio_over.empty()) {
    fix += fmt::format(
        "{}lower default_ulimits in [crio.runtime] to at most nofile {}, nproc {}, "
        "then:\n$ systemctl restart crio",
        fix.empty() ? "" : "\n", host::limit_text(nofile_ceiling), host::limit_text(nproc_ceiling));
  }
  std::string who = over.empty() ? "CRI-O" : crio_over.empty() ? "Podman" : "Podman and CRI-O";
  return fail(fmt::format("every container {} starts fails here: it asks for {} and raising a hard "
                          "limit needs CAP_SYS_RESOURCE",
                          who, join(over.empty() ? crio_over : over, ", ")),
              evidence, fix);
}

// crun's libcrun refuses a hybrid layout (cgroup v1 controllers at /sys/fs/cgroup, a cgroup2
// mount at /sys/fs/cgroup/unified) when that cgroup2 hierarchy has any controller: "cgroups in
// hybrid mode not supported, drop all controllers from cgroupv2". runc runs there.
Outcome check_oci_cgroups(const Facts& facts) {
  auto cg = host::read_cgroup_facts(facts.root());
  const auto choice = host::podman_oci_runtime(facts.root(), containers_conf(facts));
  std::vector<std::string> evidence = {
      "cgroups: " + cg.evidence,
      fmt::format("Podman's OCI runtime: {} ({}; {})", choice.name,
                  choice.path.empty() ? "not installed" : choice.path, choice.source)};
  std::vector<std::string> crun_users;
  if (choice.name == "crun") crun_users.emplace_back("Podman");
  if (facts.crio().found()) {
    // The crio-config section's decision: the default handler and the binary CRI-O runs for it.
    const auto& verdict = crio_verdict(facts);
    const std::string& def = verdict.default_runtime;
    std::string path = verdict.default_runtime_path.empty() ? def : verdict.default_runtime_path;
    evidence.push_back(fmt::format("CRI-O's default handler: {} ({})", def, path));
    if (std::filesystem::path(path).filename() == "crun") crun_users.emplace_back("CRI-O");
  }
  const bool refuses = cg.layout == host::CgroupLayout::hybrid && !cg.unified_controllers.empty();
  if (refuses && !crun_users.empty()) {
    return fail(fmt::format("{} run{} crun, which refuses this hybrid cgroup layout: every "
                            "container start fails (\"cgroups in hybrid mode not supported\")",
                            join(crun_users, " and "), crun_users.size() == 1 ? "s" : ""),
                evidence,
                "use runc, which runs here:\n[engine]\nruntime = \"runc\"   # in "
                "/etc/containers/containers.conf\nfor CRI-O: default_runtime = \"runc\" with a "
                "[crio.runtime.runtimes.runc] table\n(or boot with a pure cgroup v2 layout: "
                "systemd.unified_cgroup_hierarchy=1)");
  }
  const bool podman =
      !host::find_binary(facts.root(), "podman", {"/usr/bin", "/usr/local/bin"}).empty();
  if (choice.path.empty() && podman) {
    return warn(fmt::format("Podman's OCI runtime {} is not installed", choice.name), evidence,
                fmt::format("$ apt-get install {}", choice.name));
  }
  std::string layout = cg.layout == host::CgroupLayout::unified  ? "cgroup v2"
                       : cg.layout == host::CgroupLayout::hybrid ? "hybrid cgroups"
                       : cg.layout == host::CgroupLayout::legacy ? "cgroup v1"
                                                                 : "cgroup layout unknown";
  return pass(fmt::format("{} on {}", choice.name, layout), evidence);
}

}  // namespace

std::vector<Check> runtime_checks() {
  return {
      {"runtime.ulimits", "runtime",
       "the nofile/nproc limits containers ask for against this host's hard limits", check_ulimits},
      {"runtime.oci-cgroups", "runtime", "the OCI runtime against the cgroup layout",
       check_oci_cgroups},
  };
}

}  // namespace edgecrew::doctor
