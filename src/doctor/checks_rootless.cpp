// The rootless limits, in section "runtime": when edgecrew runs as a non-root user, Podman runs
// rootless, and what it can do depends on the user's subordinate id ranges, the setuid helpers
// that write the namespace's maps, the lowest port an unprivileged process may bind, and the
// cgroup controllers delegated to the user. As root each check is skipped.
#include <fmt/format.h>

#include <algorithm>

#include "doctor/check.h"
#include "host/process_limits.h"
#include "host/rootless.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

// Podman's own guidance: a rootless user needs 65536 ids for most images.
constexpr std::uint64_t k_wanted_ids = 65536;

struct Caller {
  unsigned uid = 0;
  std::string name;  // "" when /etc/passwd has none
};

// The user edgecrew (and so Podman) runs as; nullopt as root or when /proc/self/status is not
// readable (`why` says which).
std::optional<Caller> rootless_caller(const Facts& facts, std::string& why) {
  auto limits = host::read_process_limits(facts.root(), "self");
  if (!limits) {
    why = "the user edgecrew runs as is not known: " + limits.error().message;
    return std::nullopt;
  }
  if (limits->uid == 0) {
    why = "edgecrew runs as root: Podman is not rootless";
    return std::nullopt;
  }
  return Caller{limits->uid, host::user_name(facts.root(), limits->uid)};
}

std::string shown(const Caller& c) {
  return c.name.empty() ? fmt::format("uid {}", c.uid) : fmt::format("{} (uid {})", c.name, c.uid);
}

Outcome check_ids(const Facts& facts) {
  std::string why;
  auto caller = rootless_caller(facts, why);
  if (!caller) return skip(why);
  std::vector<std::string> evidence;
  std::vector<std::string> short_of;
  for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
    auto ranges = host::subid_ranges(facts.root(), file, caller->name, caller->uid);
    std::uint64_t total = 0;
    for (const auto& r : ranges) {
      total += r.count;
      evidence.push_back(fmt::format("{}: {} ids from {}", r.where, r.count, r.start));
    }
    if (ranges.empty())
      evidence.push_back(fmt::format("{}: no range for {}", file, shown(*caller)));
    if (total < k_wanted_ids) short_of.push_back(fmt::format("{} ({} ids)", file, total));
  }
  if (short_of.empty()) {
    return pass(fmt::format("{} has subordinate uid and gid ranges", shown(*caller)), evidence);
  }
  const std::string user = caller->name.empty() ? std::to_string(caller->uid) : caller->name;
  return fail(fmt::format("{} has fewer than {} subordinate ids in {}: rootless Podman cannot map "
                          "an image's other owners (\"potentially insufficient UIDs or GIDs\"), "
                          "and userns_mode auto and keep-id have no room",
                          shown(*caller), k_wanted_ids, join(short_of, ", ")),
              evidence,
              fmt::format("as root: usermod --add-subuids 100000-165535 --add-subgids "
                          "100000-165535 {} (a range no other user has), then, as {}: podman "
                          "system migrate",
                          user, user));
}

Outcome check_helpers(const Facts& facts) {
  std::string why;
  auto caller = rootless_caller(facts, why);
  if (!caller) return skip(why);
  std::vector<std::string> evidence;
  std::vector<std::string> missing;
  std::vector<std::string> powerless;
  for (const char* name : {"newuidmap", "newgidmap"}) {
    auto helper = host::id_map_helper(facts.root(), name);
    if (helper.path.empty()) {
      evidence.push_back(fmt::format("{}: not found in /usr/bin, /bin, /usr/sbin, /sbin", name));
      missing.emplace_back(name);
      continue;
    }
    evidence.push_back(fmt::format("{}: {}", helper.path,
                                   helper.setuid_root ? "setuid root"
                                   : helper.file_caps ? "file capabilities"
                                                      : "neither setuid root nor capabilities"));
    if (!helper.usable()) powerless.push_back(helper.path);
  }
  if (!missing.empty()) {
    return fail(fmt::format("{} missing: rootless Podman gets a user namespace of one id only",
                            join(missing, " and ")),
                evidence, "apt-get install uidmap (dnf install shadow-utils)");
  }
  if (!powerless.empty()) {
    return fail(fmt::format("{} cannot write a namespace's maps (not setuid root, no file "
                            "capabilities)",
                            join(powerless, " and ")),
                evidence,
                fmt::format("as root: chmod u+s {} (or setcap cap_setuid+ep / cap_setgid+ep)",
                            join(powerless, " ")));
  }
  return pass("newuidmap and newgidmap can write a rootless user namespace's maps", evidence);
}

// Each port a service binds on the host: published ports, and with network_mode host the
// container's own.
std::vector<std::string> low_ports(const stack::Stack& stack, unsigned start) {
  std::vector<std::string> out;
  for (const auto& s : stack.services) {
    for (const auto& p : s.ports) {
      const bool host = s.network_mode == stack::NetworkMode::host;
      const unsigned port = host ? p.container_port : p.host_port;
      if ((host || p.published) && port != 0 && port < start) {
        out.push_back(fmt::format("{} {}/{}", s.name, port, p.protocol));
      }
    }
  }
  return out;
}

Outcome check_ports(const Facts& facts) {
  std::string why;
  auto caller = rootless_caller(facts, why);
  if (!caller) return skip(why);
  auto start = host::unprivileged_port_start(facts.root());
  if (!start) return skip("net.ipv4.ip_unprivileged_port_start is not readable");
  std::vector<std::string> evidence = {
      fmt::format("net.ipv4.ip_unprivileged_port_start = {}", *start)};
  const auto& stack = facts.inputs().stack;
  if (!stack) {
    return pass(
        fmt::format("ports from {} up may be published rootless (no stack to compare)", *start),
        evidence);
  }
  auto low = low_ports(*stack, *start);
  if (low.empty()) {
    return pass(fmt::format("every port the stack binds is {} or above", *start), evidence);
  }
  return fail(fmt::format("the stack binds ports below {}, which a rootless user may not: {} "
                          "(\"rootlessport cannot expose privileged port\")",
                          *start, join(low, ", ")),
              evidence,
              fmt::format("publish ports from {} up (\"8080:80\"), or as root: sysctl -w "
                          "net.ipv4.ip_unprivileged_port_start={} (and in /etc/sysctl.d/ to keep "
                          "it)",
                          *start, std::min(*start, 80u)));
}

bool stack_has_limits(const stack::Stack* stack) {
  if (stack == nullptr) return false;
  return std::any_of(stack->services.begin(), stack->services.end(), [](const auto& s) {
    return stack::cpu_quota(s.resources).has_value() || s.resources.memory_bytes.has_value();
  });
}

Outcome check_cgroups(const Facts& facts) {
  std::string why;
  auto caller = rootless_caller(facts, why);
  if (!caller) return skip(why);
  const auto cgroups = host::user_cgroups(facts.root(), caller->uid);
  const bool limits = stack_has_limits(facts.inputs().stack.get());
  const std::string asked =
      limits ? "the stack sets cpus or mem_limit" : "the stack sets no cpus or mem_limit";
  const std::string delegate =
      "as root: mkdir -p /etc/systemd/system/user@.service.d && printf "
      "'[Service]\\nDelegate=cpu cpuset io memory pids\\n' > "
      "/etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload, then log in "
      "again";
  if (!cgroups.v2) {
    std::vector<std::string> evidence = {
        "/sys/fs/cgroup/cgroup.controllers: not there (cgroup "
        "v1 or hybrid)",
        asked};
    if (!limits) {
      return pass("cgroup v1: rootless containers get no resource limits; the stack asks for none",
                  evidence);
    }
    return warn(
        "cgroup v1: rootless Podman applies no cpus or mem_limit (it needs cgroup v2 with "
        "controllers delegated to the user)",
        evidence, "boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1), then " + delegate);
  }
  std::vector<std::string> evidence = {
      cgroups.controllers ? fmt::format("{}: {}", cgroups.where, join(*cgroups.controllers, " "))
                          : cgroups.where + ": not there (no systemd user service)",
      asked};
  std::vector<std::string> lacking;
  for (const char* c : {"cpu", "memory"}) {
    if (!cgroups.controllers || std::find(cgroups.controllers->begin(), cgroups.controllers->end(),
                                          c) == cgroups.controllers->end()) {
      lacking.emplace_back(c);
    }
  }
  if (lacking.empty()) {
    return pass(fmt::format("the cpu and memory controllers are delegated to {}", shown(*caller)),
                evidence);
  }
  std::string summary = fmt::format(
      "the {} controller{} not delegated to {}: rootless Podman "
      "cannot apply {}",
      join(lacking, " and "), lacking.size() > 1 ? "s are" : " is", shown(*caller),
      limits ? "the stack's limits" : "limits");
  if (!limits) return pass(summary + "; the stack asks for none", evidence);
  return warn(summary, evidence, delegate);
}

}  // namespace

std::vector<Check> rootless_checks() {
  return {
      {"runtime.rootless-ids", "runtime",
       "a non-root user's subordinate uid and gid ranges (/etc/subuid, /etc/subgid)", check_ids},
      {"runtime.rootless-helpers", "runtime",
       "newuidmap and newgidmap, setuid root or with file capabilities", check_helpers},
      {"runtime.rootless-ports", "runtime",
       "the ports the stack binds against net.ipv4.ip_unprivileged_port_start", check_ports},
      {"runtime.rootless-cgroups", "runtime",
       "the cgroup controllers delegated to the user, for cpus and mem_limit", check_cgroups},
  };
}

}  // namespace edgecrew::doctor
