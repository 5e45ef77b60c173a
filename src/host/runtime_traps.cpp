#include "host/runtime_traps.h"

#include <fmt/format.h>

#include "host/host_path.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace {

// Where containers/common looks for the runtimes it knows ([engine.runtimes] defaults).
const std::vector<std::string> k_runtime_dirs = {"/usr/bin",        "/usr/sbin", "/usr/local/bin",
                                                 "/usr/local/sbin", "/sbin",     "/bin"};

}  // namespace

std::optional<KnownTrap> known_trap(std::string_view e) {
  // runc: "error setting rlimit type 7: operation not permitted" (7 = RLIMIT_NOFILE, 6 =
  // RLIMIT_NPROC); crun: "setrlimit `RLIMIT_NOFILE`: Operation not permitted".
  if (e.find("error setting rlimit type") != std::string_view::npos ||
      (e.find("setrlimit") != std::string_view::npos &&
       e.find("Operation not permitted") != std::string_view::npos)) {
    return KnownTrap{
        k_trap_ulimits,
        "the container asks for more open files or processes (nofile/nproc) than this host's hard "
        "limit, and raising it needs CAP_SYS_RESOURCE",
        "lower Podman's defaults in /etc/containers/containers.conf: [containers] "
        "default_ulimits = [\"nofile=N:N\", \"nproc=M:M\"] with N, M at most `ulimit -Hn`, "
        "`ulimit -Hu`"};
  }
  if (e.find("cgroups in hybrid mode not supported") != std::string_view::npos) {
    return KnownTrap{k_trap_oci_cgroups,
                     "crun does not run containers on a hybrid cgroup layout whose cgroup2 "
                     "hierarchy has controllers",
                     "use runc: [engine] runtime = \"runc\" in /etc/containers/containers.conf"};
  }
  return std::nullopt;
}

CgroupFacts read_cgroup_facts(const std::filesystem::path& root) {
  CgroupFacts out;
  auto mountinfo = read_file(under(root, "/proc/self/mountinfo"));
  if (!mountinfo) {
    out.evidence = "/proc/self/mountinfo: " + mountinfo.error().message;
    return out;
  }
  // "36 25 0:31 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro": the mount point is the 5th field,
  // the filesystem type the first after " - ".
  std::string top, unified;
  for (const auto& line : split(*mountinfo, '\n')) {
    auto fields = split(line, ' ');
    auto dash = line.find(" - ");
    if (fields.size() < 5 || dash == std::string::npos) continue;
    std::string type = line.substr(dash + 3);
    type = type.substr(0, type.find(' '));
    if (fields[4] == "/sys/fs/cgroup") top = type;
    if (fields[4] == "/sys/fs/cgroup/unified") unified = type;
  }
  out.evidence = fmt::format("/sys/fs/cgroup {}", top.empty() ? "not mounted" : top);
  if (!unified.empty()) out.evidence += ", /sys/fs/cgroup/unified " + unified;
  if (top == "cgroup2") {
    out.layout = CgroupLayout::unified;
  } else if (top == "tmpfs" && unified == "cgroup2") {
    out.layout = CgroupLayout::hybrid;
    auto c = read_file(under(root, "/sys/fs/cgroup/unified/cgroup.controllers"));
    if (c) out.unified_controllers = trim(*c);
    out.evidence += fmt::format(" (controllers: {})",
                                out.unified_controllers.empty() ? "none" : out.unified_controllers);
  } else if (top == "tmpfs") {
    out.layout = CgroupLayout::legacy;
  }
  return out;
}

std::string find_binary(const std::filesystem::path& root, const std::string& name,
                        const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    auto st = stat_path(under(root, dir + "/" + name));
    if (st && st->is_regular && st->executable) return dir + "/" + name;
  }
  return {};
}

OciRuntimeChoice podman_oci_runtime(const std::filesystem::path& root, const ContainersConf& conf) {
  OciRuntimeChoice out;
  if (conf.runtime && !conf.runtime->value.empty()) {
    const auto& v = conf.runtime->value;
    out.source =
        fmt::format("containers.conf {}:{}", conf.runtime->where.file, conf.runtime->where.line);
    if (v.starts_with('/')) {
      out.name = std::filesystem::path(v).filename().string();
      if (stat_path(under(root, v))) out.path = v;
    } else {
      out.name = v;
      out.path = find_binary(root, v, k_runtime_dirs);
    }
    return out;
  }
  out.source = "not set in containers.conf: crun when installed, else runc";
  out.path = find_binary(root, "crun", k_runtime_dirs);
  out.name = "crun";
  if (out.path.empty()) {
    out.name = "runc";
    out.path = find_binary(root, "runc", k_runtime_dirs);
  }
  return out;
}

PodmanDns podman_dns(const std::filesystem::path& root, const ContainersConf& conf) {
  // containers/common's defaults (Podman 4).
  std::vector<std::string> helpers = {"/usr/local/libexec/podman", "/usr/local/lib/podman",
                                      "/usr/libexec/podman", "/usr/lib/podman"};
  if (conf.helper_binaries_dir) helpers = conf.helper_binaries_dir->value;
  std::vector<std::string> cni = {"/usr/local/libexec/cni", "/usr/libexec/cni",
                                  "/usr/local/lib/cni", "/usr/lib/cni", "/opt/cni/bin"};
  if (conf.cni_plugin_dirs) cni = conf.cni_plugin_dirs->value;
  PodmanDns out;
  if (conf.network_backend && !conf.network_backend->value.empty()) {
    out.backend = conf.network_backend->value;
    out.backend_source = "containers.conf " + conf.network_backend->where.file + ":" +
                         std::to_string(conf.network_backend->where.line);
  } else if (!find_binary(root, "netavark", helpers).empty()) {
    out.backend = "netavark";
    out.backend_source = "not set: netavark is installed";
  } else {
    out.backend = "cni";
    out.backend_source = "not set: netavark is not installed";
  }
  out.helper = out.backend == "netavark" ? "aardvark-dns" : "dnsname";
  out.looked_in = out.backend == "netavark" ? helpers : cni;
  out.helper_path = find_binary(root, out.helper, out.looked_in);
  return out;
}

}  // namespace edgecrew::host
