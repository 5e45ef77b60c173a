// Section "network": the kernel settings pod and bridge networking need, and the CNI
// configuration CRI-O loads, all read from /proc, /sys and /etc under the root.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "host/host_path.h"
#include "host/runtime_traps.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

std::string persist(const std::string& key, const std::string& value) {
  return fmt::format(
      "$ sysctl -w {}={}\n$ echo '{} = {}' > /etc/sysctl.d/99-edgecrew.conf   # after reboots", key,
      value, key, value);
}

Outcome check_ip_forward(const Facts& facts) {
  auto v = host::read_first_line(facts.root(), "/proc/sys/net/ipv4/ip_forward");
  if (!v) return skip("cannot read /proc/sys/net/ipv4/ip_forward");
  std::vector<std::string> evidence = {"/proc/sys/net/ipv4/ip_forward = " + *v};
  if (*v == "1") return pass("net.ipv4.ip_forward = 1", evidence);
  return fail("net.ipv4.ip_forward = " + *v + ": bridge and pod networks cannot route", evidence,
              persist("net.ipv4.ip_forward", "1"));
}

Outcome check_ipv6_forward(const Facts& facts) {
  auto v = host::read_first_line(facts.root(), "/proc/sys/net/ipv6/conf/all/forwarding");
  if (!v) return skip("IPv6 is disabled (no /proc/sys/net/ipv6)");
  std::vector<std::string> evidence = {"/proc/sys/net/ipv6/conf/all/forwarding = " + *v};
  if (*v == "1") return pass("net.ipv6.conf.all.forwarding = 1", evidence);
  return warn("net.ipv6.conf.all.forwarding = " + *v +
                  ": IPv6 pod networks cannot route (IPv4 is unaffected)",
              evidence, persist("net.ipv6.conf.all.forwarding", "1"));
}

Outcome check_br_netfilter(const Facts& facts) {
  auto call = host::read_first_line(facts.root(), "/proc/sys/net/bridge/bridge-nf-call-iptables");
  // The bridge-nf-call sysctls exist only while br_netfilter is active (module or built in).
  bool loaded = call.has_value() ||
                host::stat_path(host::under(facts.root(), "/sys/module/br_netfilter")).has_value();
  if (!loaded) {
    if (auto modules = read_file(host::under(facts.root(), "/proc/modules"))) {
      loaded = modules->starts_with("br_netfilter ") ||
               modules->find("\nbr_netfilter ") != std::string::npos;
    }
  }
  std::vector<std::string> evidence = {
      std::string("br_netfilter ") +
          (loaded ? "loaded" : "not loaded (/sys/module/br_netfilter, /proc/modules)"),
      "/proc/sys/net/bridge/bridge-nf-call-iptables = " + call.value_or("(absent)")};
  std::string fix =
      "$ modprobe br_netfilter\n$ echo br_netfilter > /etc/modules-load.d/br_netfilter.conf\n" +
      persist("net.bridge.bridge-nf-call-iptables", "1");
  const char* why =
      "bridged pod traffic bypasses iptables (Kubernetes Services, CNI port maps); host-network "
      "pods such as the built-in stack's are unaffected";
  if (!loaded) return warn(std::string("br_netfilter is not loaded: ") + why, evidence, fix);
  if (call && *call != "1")
    return warn("bridge-nf-call-iptables = " + *call + ": " + why, evidence, fix);
  return pass("br_netfilter active, bridge-nf-call-iptables = 1", evidence);
}

Outcome check_cni(const Facts& facts) {
  const auto& crio = facts.crio();
  std::string dir = host::normal_dir(crio.network_dir ? crio.network_dir->value : "/etc/cni/net.d");
  std::vector<std::string> plugin_dirs = {"/opt/cni/bin", "/usr/lib/cni", "/usr/libexec/cni"};
  if (crio.plugin_dirs) {
    plugin_dirs.clear();
    for (const auto& d : crio.plugin_dirs->value) plugin_dirs.push_back(host::normal_dir(d));
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(host::under(facts.root(), dir), ec), end;
       !ec && it != end; it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (n.ends_with(".conf") || n.ends_with(".conflist") || n.ends_with(".json"))
      names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> evidence = {
      fmt::format("{} ({}), plugins in {}", dir,
                  crio.network_dir ? "CRI-O's network_dir" : "default", join(plugin_dirs, ", "))};
  if (names.empty()) {
    return warn(
        "no CNI network in " + dir + ": CRI pod networking is not ready (host-network pods work)",
        evidence,
        "install the CNI plugins (containernetworking-plugins) and a network config, e.g. a bridge "
        ".conflist in " +
            dir);
  }
  std::vector<std::string> problems, networks;
  for (const auto& n : names) {
    std::string file = dir + "/" + n;
    auto text = read_file(host::under(facts.root(), file));
    nlohmann::json doc = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!text || doc.is_discarded() || !doc.is_object()) {
      problems.push_back(file + ": not a JSON object");
      continue;
    }
    std::vector<std::string> types;
    if (doc.contains("plugins") && doc["plugins"].is_array()) {
      for (const auto& p : doc["plugins"]) {
        if (p.is_object() && p.contains("type") && p["type"].is_string())
          types.push_back(p["type"]);
      }
    } else if (doc.contains("type") && doc["type"].is_string()) {
      types.push_back(doc["type"]);
    }
    std::string name = doc.contains("name") && doc["name"].is_string()
                           ? doc["name"].get<std::string>()
                           : "(no name)";
    networks.push_back(name);
    evidence.push_back(fmt::format("{}: network {}, plugins {}", file, name, join(types, ", ")));
    for (const auto& t : types) {
      bool found = std::any_of(plugin_dirs.begin(), plugin_dirs.end(), [&](const std::string& d) {
        return host::stat_path(host::under(facts.root(), d + "/" + t)).has_value();
      });
      if (!found)
        problems.push_back(
            fmt::format("{}: plugin \"{}\" is not in {}", file, t, join(plugin_dirs, ", ")));
    }
  }
  if (!problems.empty()) {
    evidence.insert(evidence.begin(), problems.begin(), problems.end());
    return warn(problems.front(), evidence,
                "install the CNI plugins (Debian: apt-get install containernetworking-plugins) or "
                "fix the file");
  }
  return pass(fmt::format("{} network{} in {}: {}", networks.size(),
                          networks.size() == 1 ? "" : "s", dir, join(networks, ", ")),
              evidence);
}

// Podman's networks resolve service names only with the backend's DNS helper installed: without
// it every `redis:6379` in a stack fails with "bad address".
Outcome check_service_names(const Facts& facts) {
  const auto dns = host::podman_dns(facts.root(), containers_conf(facts));
  std::vector<std::string> evidence = {
      fmt::format("Podman's network backend: {} ({})", dns.backend, dns.backend_source),
      fmt::format(
          "{}: {}", dns.helper,
          dns.helper_path.empty() ? "not found in " + join(dns.looked_in, ", ") : dns.helper_path)};
  if (!dns.helper_path.empty()) {
    return pass(
        fmt::format("{} resolves service names on Podman's {} networks", dns.helper, dns.backend),
        evidence);
  }
  std::string fix =
      dns.backend == "cni"
          ? "$ apt-get install golang-github-containernetworking-plugin-dnsname   # Debian, "
            "Ubuntu\n"
            "then edgecrew down && edgecrew up: the project network is created again, with DNS"
          : "$ apt-get install aardvark-dns\nthen edgecrew down && edgecrew up";
  return fail(fmt::format("services cannot reach each other by name on Podman: the {} backend's "
                          "DNS helper ({}) is not installed",
                          dns.backend, dns.helper),
              evidence, fix);
}

}  // namespace

std::vector<Check> network_checks() {
  return {
      {"network.ip-forward", "network", "net.ipv4.ip_forward", check_ip_forward},
      {"network.ipv6-forward", "network", "net.ipv6.conf.all.forwarding", check_ipv6_forward},
      {"network.br-netfilter", "network", "br_netfilter and bridge-nf-call-iptables",
       check_br_netfilter},
      {"network.cni", "network", "CNI network configs and their plugins", check_cni},
      {"network.service-names", "network", "Podman's networks resolve service names",
       check_service_names},
  };
}

}  // namespace edgecrew::doctor
