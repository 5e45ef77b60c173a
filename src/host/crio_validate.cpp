#include "host/crio_validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <set>

#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace {

constexpr std::string_view k_runtimes = "crio.runtime.runtimes.";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::optional<long long> integer(std::string_view s) {
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool one_of(const std::string& v, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// capabilities(7), as CRI-O's capability library knows them (without the CAP_ prefix).
const std::set<std::string>& known_capabilities() {
  static const std::set<std::string> k = {"CHOWN",
                                          "DAC_OVERRIDE",
                                          "DAC_READ_SEARCH",
                                          "FOWNER",
                                          "FSETID",
                                          "KILL",
                                          "SETGID",
                                          "SETUID",
                                          "SETPCAP",
                                          "LINUX_IMMUTABLE",
                                          "NET_BIND_SERVICE",
                                          "NET_BROADCAST",
                                          "NET_ADMIN",
                                          "NET_RAW",
                                          "IPC_LOCK",
                                          "IPC_OWNER",
                                          "SYS_MODULE",
                                          "SYS_RAWIO",
                                          "SYS_CHROOT",
                                          "SYS_PTRACE",
                                          "SYS_PACCT",
                                          "SYS_ADMIN",
                                          "SYS_BOOT",
                                          "SYS_NICE",
                                          "SYS_RESOURCE",
                                          "SYS_TIME",
                                          "SYS_TTY_CONFIG",
                                          "MKNOD",
                                          "LEASE",
                                          "AUDIT_WRITE",
                                          "AUDIT_CONTROL",
                                          "SETFCAP",
                                          "MAC_OVERRIDE",
                                          "MAC_ADMIN",
                                          "SYSLOG",
                                          "WAKE_ALARM",
                                          "BLOCK_SUSPEND",
                                          "AUDIT_READ",
                                          "PERFMON",
                                          "BPF",
                                          "CHECKPOINT_RESTORE"};
  return k;
}

// go-units' ParseUlimit names (`as` is not among them).
const std::set<std::string>& ulimit_names() {
  static const std::set<std::string> k = {"core",    "cpu",      "data",   "fsize",      "locks",
                                          "memlock", "msgqueue", "nice",   "nofile",     "nproc",
                                          "rss",     "rtprio",   "rttime", "sigpending", "stack"};
  return k;
}

// go-units ParseUlimit: "name=soft[:hard]", int64 values; -1 is unlimited.
std::optional<std::string> ulimit_error(const std::string& entry) {
  auto eq = entry.find('=');
  if (eq == std::string::npos) return "is not name=soft[:hard]";
  std::string name = entry.substr(0, eq);
  if (!ulimit_names().contains(name)) {
    return fmt::format("names \"{}\", which is not a ulimit (nofile, nproc, memlock, core, ...)",
                       name);
  }
  auto parts = split(entry.substr(eq + 1), ':');
  if (parts.size() > 2) return "has more than soft:hard";
  auto soft = integer(parts[0]);
  if (!soft) return fmt::format("has soft limit \"{}\", not an integer", parts[0]);
  if (parts.size() == 2) {
    auto hard = integer(parts[1]);
    if (!hard) return fmt::format("has hard limit \"{}\", not an integer", parts[1]);
    if (*hard != -1 && (*soft == -1 || *soft > *hard)) {
      return fmt::format("has soft limit {} above its hard limit {}", *soft, *hard);
    }
  }
  return std::nullopt;
}

bool device_mode(const std::string& m) {
  if (m.empty() || m.size() > 3) return false;
  std::set<char> seen;
  for (char c : m) {
    if ((c != 'r' && c != 'w' && c != 'm') || !seen.insert(c).second) return false;
  }
  return true;
}

class Validator {
 public:
  Validator(const CrioConfig& c, const std::filesystem::path& root) : m_c(c), m_root(root) {}

  CrioVerdict run() {
    values();
    handlers();
    std::sort(m_out.handlers.begin(), m_out.handlers.end());
    return std::move(m_out);
  }

 private:
  const CrioValue* get(const std::string& key) const { return m_c.value(key); }
  std::string text(const std::string& key, const std::string& fallback = {}) const {
    const auto* v = get(key);
    return v == nullptr ? fallback : v->text;
  }

  void refuse(CrioArea area, const std::string& subject, const std::string& message, Location where,
              std::string fix) {
    m_out.refuses.push_back({area, subject, message, std::move(where), std::move(fix)});
  }

  // A value that must be one of a set: CRI-O's start stops on anything else.
  void enumeration(const std::string& key, std::initializer_list<std::string_view> allowed,
                   bool fold_case = false, bool empty_ok = false) {
    const auto* v = get(key);
    if (v == nullptr || (empty_ok && v->text.empty())) return;
    std::string value = fold_case ? lower(v->text) : v->text;
    if (one_of(value, allowed)) return;
    std::vector<std::string> names(allowed.begin(), allowed.end());
    refuse(CrioArea::value, key,
           fmt::format("{} = \"{}\" is not one of {}", key, v->text, join(names, ", ")), v->where,
           fmt::format("set {} to one of {}", key.substr(key.rfind('.') + 1), join(names, ", ")));
  }

  std::optional<std::string> look_path(const std::string& name) const {
    for (const auto& dir : crio_path_dirs()) {
      auto st = stat_path(under(m_root, dir + "/" + name));
      if (st && st->is_regular && st->executable) return dir + "/" + name;
    }
    return std::nullopt;
  }

  bool exists(const std::string& path) const { return stat_path(under(m_root, path)).has_value(); }

  void values() {
    enumeration("crio.runtime.log_level",
                {"panic", "fatal", "error", "warn", "warning", "info", "debug", "trace"}, true);
    enumeration("crio.runtime.cgroup_manager", {"systemd", "cgroupfs"});
    enumeration("crio.image.image_volumes", {"mkdir", "bind", "ignore"});
    enumeration("crio.image.short_name_mode", {"enforcing", "disabled"}, false, true);
    enumeration("crio.api.tls_min_version", {"VersionTLS12", "VersionTLS13"}, false, true);
    enumeration("crio.checkpoint_restore.container_level_enabled",
                {"none", "checkpoint_only", "checkpoint_restore"});
    ulimits();
    capabilities();
    sysctls();
    devices();
    if (const auto* v = get("crio.runtime.log_size_max")) {
      auto n = integer(v->text);
      if (n && *n >= 0 && *n < 8192) {
        refuse(CrioArea::value, "crio.runtime.log_size_max",
               fmt::format("log_size_max = {}: CRI-O wants a negative value (no limit) or at least "
                           "8192",
                           *n),
               v->where, "set log_size_max = -1, or 8192 or more");
      }
    }
    if (const auto* v = get("crio.log_dir"); v != nullptr && !v->text.starts_with('/')) {
      refuse(CrioArea::value, "crio.log_dir",
             fmt::format("log_dir \"{}\" is not an absolute path", v->text), v->where,
             "write log_dir as an absolute path");
    }
    if (const auto* v = get("crio.runtime.timezone")) {
      std::string tz = v->text;
      if (!tz.empty() && lower(tz) != "local" && tz != "UTC" &&
          !exists("/usr/share/zoneinfo/" + tz)) {
        refuse(CrioArea::value, "crio.runtime.timezone",
               fmt::format("timezone \"{}\" is not a time zone (/usr/share/zoneinfo/{} is missing)",
                           tz, tz),
               v->where, "use \"Local\", \"UTC\" or a name such as \"Europe/Berlin\"");
      }
    }
    if (const auto* v = get("crio.api.stream_port")) {
      auto port = integer(v->text);
      bool numeric =
          !v->text.empty() && std::all_of(v->text.begin(), v->text.end(),
                                          [](unsigned char c) { return std::isdigit(c); });
      if (numeric && (!port || *port > 65535)) {
        refuse(CrioArea::value, "crio.api.stream_port",
               fmt::format("stream_port \"{}\" is not a port (0 to 65535)", v->text), v->where,
               "set stream_port to a port number, as a string: \"10010\"");
      }
    }
    if (const auto* v = get("crio.api.stream_enable_tls"); v != nullptr && v->text == "true") {
      for (const char* key : {"crio.api.stream_tls_cert", "crio.api.stream_tls_key"}) {
        if (text(key).empty()) {
          refuse(CrioArea::value, key,
                 fmt::format("stream_enable_tls is true but {} is not set",
                             std::string(key).substr(9)),
                 v->where, "set stream_tls_cert and stream_tls_key, or stream_enable_tls = false");
        }
      }
    }
    if (const auto* v = get("crio.stats.included_pod_metrics")) {
      static const std::set<std::string> k = {"cpu",     "disk", "diskIO",  "hugetlb", "memory",
                                              "network", "oom",  "process", "spec",    "pressure"};
      bool all_alone = v->items.size() == 1 && v->items.front() == "all";
      for (const auto& m : v->items) {
        if (!all_alone && !k.contains(m)) {
          refuse(CrioArea::value, "crio.stats.included_pod_metrics",
                 fmt::format("included_pod_metrics names \"{}\"", m), v->where,
                 "use [\"all\"] alone, or names from cpu, disk, diskIO, hugetlb, memory, "
                 "network, oom, process, spec, pressure");
        }
      }
    }
    if (const auto* v = get("crio.runtime.pinns_path"); v == nullptr || v->text.empty()) {
      if (!look_path("pinns")) {
        refuse(CrioArea::value, "crio.runtime.pinns_path",
               fmt::format("pinns_path is not set and pinns is not in CRI-O's $PATH ({})",
                           join(crio_path_dirs(), ":")),
               v == nullptr ? Location{} : v->where,
               "install pinns (it comes with CRI-O) or set pinns_path to it");
      }
    } else if (!exists(v->text)) {
      refuse(CrioArea::value, "crio.runtime.pinns_path",
             fmt::format("pinns_path {} does not exist", v->text), v->where,
             "point pinns_path at CRI-O's pinns binary");
    }
    workloads();
  }

  void ulimits() {
    const auto* v = get("crio.runtime.default_ulimits");
    if (v == nullptr) return;
    for (const auto& u : v->items) {
      if (auto why = ulimit_error(u)) {
        refuse(CrioArea::value, "crio.runtime.default_ulimits",
               fmt::format("default_ulimits entry \"{}\" {}", u, *why), v->where,
               "write each entry as name=soft:hard, e.g. \"nofile=65536:65536\"");
      }
    }
  }

  void capabilities() {
    const auto* v = get("crio.runtime.default_capabilities");
    if (v == nullptr) return;
    for (const auto& cap : v->items) {
      std::string name = upper(cap);
      if (name.starts_with("CAP_")) {
        refuse(CrioArea::value, "crio.runtime.default_capabilities",
               fmt::format("default_capabilities names \"{}\": CRI-O adds CAP_ itself, so this is "
                           "CAP_{}",
                           cap, name),
               v->where, fmt::format("write \"{}\"", name.substr(4)));
      } else if (!known_capabilities().contains(name)) {
        refuse(CrioArea::value, "crio.runtime.default_capabilities",
               fmt::format("default_capabilities names \"{}\", which is not a capability", cap),
               v->where,
               "use names from capabilities(7) without CAP_: CHOWN, NET_BIND_SERVICE, ...");
      }
    }
  }

  void sysctls() {
    const auto* v = get("crio.runtime.default_sysctls");
    if (v == nullptr) return;
    for (const auto& s : v->items) {
      if (s.empty()) continue;
      auto eq = s.find('=');
      std::string key = eq == std::string::npos ? s : s.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : s.substr(eq + 1);
      if (eq == std::string::npos || key.empty() || trim(key) != key || trim(value) != value) {
        refuse(CrioArea::value, "crio.runtime.default_sysctls",
               fmt::format("default_sysctls entry \"{}\" is not key=value (no spaces)", s),
               v->where, "write \"net.ipv4.ping_group_range=0 2147483647\"");
      }
    }
  }

  void devices() {
    const auto* v = get("crio.runtime.additional_devices");
    if (v == nullptr) return;
    for (const auto& d : v->items) {
      if (d.empty()) continue;
      auto parts = split(d, ':');
      std::string src = parts[0], dst = src, mode = "rwm";
      if (parts.size() == 2) (device_mode(parts[1]) ? mode : dst) = parts[1];
      if (parts.size() == 3) {
        dst = parts[1];
        mode = parts[2];
      }
      std::string why;
      if (parts.size() > 3) {
        why = "has more than src:dst:mode";
      } else if (!device_mode(mode)) {
        why = fmt::format("has mode \"{}\", not a combination of r, w, m", mode);
      } else if (!dst.starts_with("/dev/")) {
        why = fmt::format("puts the device at {}, outside /dev/", dst);
      } else if (!exists(src)) {
        why = fmt::format("names {}, which does not exist on this host", src);
      }
      if (!why.empty()) {
        refuse(CrioArea::value, "crio.runtime.additional_devices",
               fmt::format("additional_devices entry \"{}\" {}", d, why), v->where,
               "write each entry as /dev/SRC[:/dev/DST][:rwm] for a device that exists");
      }
    }
  }

  void workloads() {
    constexpr std::string_view prefix = "crio.runtime.workloads.";
    std::set<std::string> names;
    for (auto it = m_c.values.lower_bound(std::string(prefix));
         it != m_c.values.end() && it->first.starts_with(prefix); ++it) {
      std::string rest = it->first.substr(prefix.size());
      names.insert(rest.substr(0, rest.find('.')));
    }
    for (const auto& name : names) {
      std::string base = std::string(prefix) + name;
      if (text(base + ".activation_annotation").empty()) {
        const auto* any = &m_c.values.lower_bound(base + ".")->second;
        refuse(CrioArea::value, base, fmt::format("workload {} has no activation_annotation", name),
               any->where, "set activation_annotation for the workload");
      }
      auto period = integer(text(base + ".resources.cpuperiod", "0"));
      if (period && *period != 0 && *period < 1000) {
        refuse(CrioArea::value, base + ".resources.cpuperiod",
               fmt::format("workload {}: cpuperiod {} is below 1000", name, *period),
               get(base + ".resources.cpuperiod")->where, "set cpuperiod to 1000 or more");
      }
      auto quota = integer(text(base + ".resources.cpuquota", "0"));
      auto shares = integer(text(base + ".resources.cpushares", "0"));
      if (quota && shares && *quota != 0 && *quota < *shares) {
        refuse(CrioArea::value, base + ".resources.cpuquota",
               fmt::format("workload {}: cpuquota {} is below cpushares {}", name, *quota, *shares),
               get(base + ".resources.cpuquota")->where, "raise cpuquota to at least cpushares");
      }
    }
  }

  struct Handler {
    std::string name;
    Location where;
    bool builtin = false;
    std::string path, type, config_path;
    std::string monitor_path, monitor_cgroup;
    Location path_where, type_where, monitor_where;
    bool no_sync_log = false, websockets = false, inherit = false;
    std::string cpu_affinity;
  };

  Handler handler(const std::string& name) const {
    Handler h;
    h.name = name;
    std::string base = std::string(k_runtimes) + name + ".";
    auto field = [&](const char* key, std::string& out, Location* where = nullptr) {
      if (const auto* v = get(base + key)) {
        out = v->text;
        if (where != nullptr) *where = v->where;
      }
    };
    auto it = m_c.runtimes.find(name);
    if (it == m_c.runtimes.end()) {
      // CRI-O's built-in handler (DefaultRuntimeConfig): found in $PATH, type oci.
      h.builtin = true;
      h.type = "oci";
      h.monitor_cgroup = "system.slice";
      return h;
    }
    h.where = it->second.where;
    h.path_where = h.type_where = h.monitor_where = h.where;
    field("runtime_path", h.path, &h.path_where);
    field("runtime_type", h.type, &h.type_where);
    field("runtime_config_path", h.config_path);
    field("monitor_path", h.monitor_path, &h.monitor_where);
    field("monitor_cgroup", h.monitor_cgroup);
    field("exec_cpu_affinity", h.cpu_affinity);
    h.no_sync_log = text(base + "no_sync_log") == "true";
    h.websockets = text(base + "stream_websockets") == "true";
    h.inherit = text(base + "inherit_default_runtime") == "true";
    return h;
  }

  std::string at(const Location& l) const {
    return l.line > 0 ? fmt::format("{}:{}", l.file, l.line) : "built in";
  }

  // RuntimeHandler.Validate: the reason CRI-O rejects the handler, or "".
  std::string reject_reason(Handler& h) const {
    if (!one_of(h.type, {"", "oci", "vm", "pod"})) {
      return fmt::format("runtime_type \"{}\" is not oci, vm or pod ({})", h.type,
                         at(h.type_where));
    }
    if (h.path.empty()) {
      auto found = look_path(h.name);
      if (!found) {
        return fmt::format("no runtime_path and no \"{}\" in CRI-O's $PATH ({}) ({})", h.name,
                           join(crio_path_dirs(), ":"), at(h.where));
      }
      h.path = *found;
    } else if (!exists(h.path)) {
      return fmt::format("runtime_path {} does not exist ({})", h.path, at(h.path_where));
    }
    if (h.type == "vm" && !std::regex_match(std::filesystem::path(h.path).filename().string(),
                                            std::regex("containerd-shim-[a-zA-Z0-9\\-+]+"))) {
      return fmt::format("a vm handler's runtime_path must name a containerd-shim-* binary, not {}",
                         h.path);
    }
    if (!h.config_path.empty()) {
      if (h.type != "vm") return "runtime_config_path is only for runtime_type \"vm\"";
      if (!exists(h.config_path)) {
        return fmt::format("runtime_config_path {} does not exist", h.config_path);
      }
    }
    if (h.no_sync_log && !one_of(h.type, {"", "oci"})) {
      return "no_sync_log is only for runtime_type \"oci\"";
    }
    if (h.websockets && h.type != "pod")
      return "stream_websockets is only for runtime_type \"pod\"";
    if (!one_of(h.cpu_affinity, {"", "first"})) {
      return fmt::format("exec_cpu_affinity \"{}\" is not \"\" or \"first\"", h.cpu_affinity);
    }
    return {};
  }

  void handlers() {
    const auto* d = get("crio.runtime.default_runtime");
    m_out.default_runtime =
        d == nullptr || d->text.empty() ? std::string(k_crio_builtin_runtime) : d->text;
    const Location dwhere = d == nullptr ? Location{} : d->where;
    std::set<std::string> names;
    for (const auto& [name, r] : m_c.runtimes) names.insert(name);
    const std::string builtin(k_crio_builtin_runtime);
    // The built-in table exists whatever the files say; when nothing asks for it and its binary
    // is absent, CRI-O drops it with a log line only: not worth a finding.
    if (!names.contains(builtin) &&
        (m_out.default_runtime == builtin || look_path(builtin).has_value())) {
      names.insert(builtin);
    }
    if (!names.contains(m_out.default_runtime)) {
      refuse(CrioArea::default_runtime, m_out.default_runtime,
             fmt::format("default_runtime set to \"{}\", but no runtime entry table "
                         "[crio.runtime.runtimes.{}] was found",
                         m_out.default_runtime, m_out.default_runtime),
             dwhere,
             fmt::format("define [crio.runtime.runtimes.{}], or set default_runtime to a defined "
                         "handler (CRI-O 1.31 and later build in only \"crun\"; before, \"runc\")",
                         m_out.default_runtime));
    }
    m_out.configured.assign(names.begin(), names.end());
    Handler def = handler(m_out.default_runtime);
    std::vector<Handler> kept;
    for (const auto& name : names) {
      Handler h = handler(name);
      if (h.inherit && name != m_out.default_runtime) {
        h.path = def.path;
        h.type = def.type;
        h.config_path = def.config_path;
      }
      std::string why = reject_reason(h);
      if (name == m_out.default_runtime && why.empty()) m_out.default_runtime_path = h.path;
      if (why.empty()) {
        if (auto st = stat_path(under(m_root, h.path)); st && st->is_regular && !st->executable) {
          m_out.unusable.push_back(
              {CrioArea::handler, name,
               fmt::format("runtime_path {} is not executable ({}): CRI-O keeps the handler, and "
                           "every container on it fails at create",
                           h.path, at(h.path_where)),
               h.path_where, fmt::format("$ chmod 755 {}", h.path)});
        }
        kept.push_back(h);
        m_out.handlers.push_back(name);
        m_out.found.push_back(fmt::format("{}: {} {} ({})", name, h.type.empty() ? "oci" : h.type,
                                          h.path, at(h.path.empty() ? h.where : h.path_where)));
      } else if (name == m_out.default_runtime) {
        refuse(CrioArea::default_runtime, name,
               fmt::format("the default handler {} fails validation: {}", name, why),
               h.where.line > 0 ? h.where : dwhere,
               fmt::format("install the runtime or fix [crio.runtime.runtimes.{}]", name));
      } else {
        m_out.dropped.push_back(
            {CrioArea::handler, name, why, h.where,
             h.path.empty() ? fmt::format("set runtime_path in [crio.runtime.runtimes.{}] ({})",
                                          name, at(h.where))
                            : fmt::format("install {} or point runtime_path at the binary ({})",
                                          h.path, at(h.path_where))});
      }
    }
    for (auto& h : kept) monitor(h);
  }

  // TranslateMonitorFields, for every oci handler CRI-O keeps: conmon must be found, and the
  // monitor cgroup must suit the cgroup manager.
  void monitor(Handler& h) {
    if (!one_of(h.type, {"", "oci"})) return;
    std::string path = h.monitor_path;
    Location where = h.monitor_where;
    if (const auto* g = get("crio.runtime.conmon"); g != nullptr && !g->text.empty()) {
      path = g->text;
      where = g->where;
    }
    if (path.empty()) {
      if (!look_path("conmon")) {
        refuse(
            CrioArea::monitor, h.name,
            fmt::format("handler {} has no monitor_path and conmon is not in CRI-O's $PATH ({}): "
                        "CRI-O cannot translate its monitor fields",
                        h.name, join(crio_path_dirs(), ":")),
            h.where,
            fmt::format("set monitor_path = \"/usr/libexec/crio/conmon\" (where CRI-O's packages "
                        "put it) in [crio.runtime.runtimes.{}]",
                        h.name));
      }
    } else if (!path.starts_with('/') || !exists(path)) {
      refuse(CrioArea::monitor, h.name,
             fmt::format("handler {}: monitor_path {} {}", h.name, path,
                         path.starts_with('/') ? "does not exist" : "is not absolute"),
             where, "point monitor_path at conmon (CRI-O's packages: /usr/libexec/crio/conmon)");
    }
    std::string cgroup = h.monitor_cgroup;
    if (const auto* g = get("crio.runtime.conmon_cgroup"); g != nullptr && !g->text.empty()) {
      cgroup = g->text;
    }
    const std::string manager = text("crio.runtime.cgroup_manager", "systemd");
    if (manager == "systemd" && !cgroup.empty() && cgroup != "pod" && !cgroup.ends_with(".slice")) {
      refuse(CrioArea::monitor, h.name,
             fmt::format("handler {}: conmon cgroup \"{}\" should be 'pod' or a systemd slice",
                         h.name, cgroup),
             where, "set monitor_cgroup = \"pod\" or \"system.slice\"");
    } else if (manager == "cgroupfs" && cgroup != "system.slice" && !cgroup.empty() &&
               cgroup != "pod") {
      refuse(CrioArea::monitor, h.name,
             fmt::format("handler {}: with cgroup_manager cgroupfs the conmon cgroup must be 'pod' "
                         "or empty, not \"{}\"",
                         h.name, cgroup),
             where, "set monitor_cgroup = \"pod\" (or leave it empty)");
    }
  }

  const CrioConfig& m_c;
  const std::filesystem::path& m_root;
  CrioVerdict m_out;
};

}  // namespace

const std::vector<std::string>& crio_path_dirs() {
  static const std::vector<std::string> k = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                             "/usr/bin",        "/sbin",          "/bin"};
  return k;
}

CrioVerdict validate_crio_config(const CrioConfig& config, const std::filesystem::path& root) {
  return Validator(config, root).run();
}

}  // namespace edgecrew::host
