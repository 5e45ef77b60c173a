#include "cdi/spec_validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "util/strings.h"

namespace edgecrew::cdi {

namespace {

constexpr const char* k_no_permissions = "none";

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_letter(c) || is_digit(c);
}

std::string chars_problem(const std::string& s, const std::string& extra, bool first_letter) {
  if (s.empty()) return "it is empty";
  if (first_letter ? !is_letter(s.front()) : !is_alnum(s.front())) {
    return first_letter ? "it must start with a letter" : "it must start with a letter or digit";
  }
  for (char c : s) {
    if (!is_alnum(c) && extra.find(c) == std::string::npos) {
      return fmt::format("character '{}' is not allowed", c);
    }
  }
  if (!is_alnum(s.back())) return "it must end with a letter or digit";
  return {};
}

// The library compares versions as strings after dropping one leading "v": "0.03.0" or " 0.3.0"
// are not known versions.
bool is_known_version(const std::string& v) {
  std::string s = v.starts_with("v") ? v.substr(1) : v;
  const auto& known = known_versions();
  return std::find(known.begin(), known.end(), s) != known.end();
}

std::array<int, 3> parse_version(const std::string& v) {
  std::array<int, 3> out{-1, -1, -1};
  std::string s = v.starts_with("v") ? v.substr(1) : v;
  char rest = 0;
  if (std::sscanf(s.c_str(), "%d.%d.%d%c", &out[0], &out[1], &out[2], &rest) != 3)
    return {-1, -1, -1};
  return out;
}

void edits_needs(const ContainerEdits& e, const std::string& where, std::vector<VersionNeed>& out) {
  for (const auto& m : e.mounts) {
    if (!m.type.empty()) out.push_back({"0.4.0", where + "mounts[].type", m.where});
  }
  for (const auto& d : e.device_nodes) {
    if (!d.host_path.empty()) out.push_back({"0.5.0", where + "deviceNodes[].hostPath", d.where});
  }
  if (e.has_additional_gids) out.push_back({"0.7.0", where + "additionalGids", e.where});
  if (e.intel_rdt) {
    out.push_back({"0.7.0", where + "intelRdt", e.intel_rdt->where});
    if (e.intel_rdt->has_schemata)
      out.push_back({"1.1.0", where + "intelRdt.schemata", e.intel_rdt->where});
    if (e.intel_rdt->enable_monitoring)
      out.push_back({"1.1.0", where + "intelRdt.enableMonitoring", e.intel_rdt->where});
  }
  if (!e.net_devices.empty()) out.push_back({"1.1.0", where + "netDevices", e.where});
}

// The library's env rule: a name before the first '=' (so "=VALUE" and "NAME" are refused).
void validate_env(const std::vector<std::string>& env, const std::vector<Location>& at,
                  const Location& fallback, std::string_view what, Diagnostics& d) {
  for (std::size_t i = 0; i < env.size(); ++i) {
    const auto& entry = env[i];
    auto eq = entry.find('=');
    if (eq != std::string::npos && eq > 0) continue;
    d.error(i < at.size() ? at[i] : fallback,
            fmt::format("invalid {} \"{}\": {}", what, entry,
                        eq == std::string::npos ? "it has no '='" : "it has no name before '='"),
            "write NAME=VALUE");
  }
}

// The library's ClosID rule: a Linux file name, or "/" for the root CLOS.
std::string clos_id_problem(const std::string& id) {
  if (id == "/") return {};
  if (id.size() >= 4096) return "it is 4096 characters or longer";
  if (id == "." || id == "..") return fmt::format("\"{}\" is not a file name", id);
  if (id.find('/') != std::string::npos) return "it contains '/'";
  if (id.find('\n') != std::string::npos) return "it contains a newline";
  return {};
}

void validate_edits(const ContainerEdits& e, Diagnostics& d) {
  validate_env(e.env, e.env_at, e.where, "environment variable", d);
  for (const auto& n : e.device_nodes) {
    if (n.path.empty()) d.error(n.where, "a device node has an empty \"path\"");
    if (!n.type.empty() && n.type != "b" && n.type != "c" && n.type != "u" && n.type != "p") {
      d.error(n.where, fmt::format("invalid device node type \"{}\"", n.type), "use b, c, u or p");
    }
    // "none" is the library's word for "no cgroup access"; otherwise only r, w and m.
    if (n.permissions != k_no_permissions &&
        n.permissions.find_first_not_of("rwm") != std::string::npos) {
      d.error(n.where, fmt::format("invalid device permissions \"{}\"", n.permissions),
              "use a combination of r, w and m, or \"none\"");
    }
  }
  for (const auto& m : e.mounts) {
    if (m.host_path.empty()) d.error(m.where, "a mount has an empty \"hostPath\"");
    if (m.container_path.empty()) d.error(m.where, "a mount has an empty \"containerPath\"");
  }
  static const std::set<std::string> k_hooks = {
      "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
  for (const auto& h : e.hooks) {
    if (!k_hooks.contains(h.hook_name)) {
      d.error(
          h.where, fmt::format("invalid hook name \"{}\"", h.hook_name),
          "use prestart, createRuntime, createContainer, startContainer, poststart or poststop");
    }
    if (h.path.empty()) d.error(h.where, "a hook has an empty \"path\"");
    validate_env(h.env, h.env_at, h.where, "hook environment variable", d);
  }
  if (e.intel_rdt) {
    if (auto why = clos_id_problem(e.intel_rdt->clos_id); !why.empty()) {
      d.error(e.intel_rdt->where, fmt::format("invalid intelRdt closID: {}", why),
              "use a plain name such as \"gold\", or \"/\" for the root class of service");
    }
  }
  std::set<std::string> hosts, names;
  for (const auto& n : e.net_devices) {
    if (n.host_interface_name.empty()) {
      d.error(n.where, "a net device has an empty \"hostInterfaceName\"",
              "name the host's interface, e.g. eth1");
    } else if (!hosts.insert(n.host_interface_name).second) {
      d.error(
          n.where,
          fmt::format("net device host interface \"{}\" is listed twice", n.host_interface_name),
          "move each host interface once");
    }
    if (n.name.empty()) {
      d.error(n.where, "a net device has an empty \"name\"",
              "give the interface's name in the container, e.g. net0");
    } else if (!names.insert(n.name).second) {
      d.error(n.where, fmt::format("net device name \"{}\" is used twice", n.name),
              "give each interface its own name in the container");
    }
  }
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c);
}

// RFC 1123 subdomain, lowercase: labels of [a-z0-9-] that start and end alphanumeric.
bool is_dns_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (const auto& label : split(s, '.')) {
    if (label.empty() || !is_lower_alnum(label.front()) || !is_lower_alnum(label.back()))
      return false;
    for (char c : label) {
      if (!is_lower_alnum(c) && c != '-') return false;
    }
  }
  return true;
}

void annotation_warnings(const std::vector<Annotation>& annotations, const std::string& where,
                         Diagnostics& d) {
  std::size_t total = 0;
  for (const auto& a : annotations) {
    total += a.key.size() + a.value.size();
    if (auto why = annotation_key_problem(a.key); !why.empty()) {
      d.warning(a.where, fmt::format("annotation key \"{}\" in {}: {}", a.key, where, why),
                "runtimes load the spec, but the CDI schema validator (cdi validate) refuses it; "
                "use a key like example.com/name");
    }
  }
  constexpr std::size_t k_limit = 256 * 1024;
  if (total > k_limit && !annotations.empty()) {
    d.warning(annotations.front().where,
              fmt::format("{} annotations hold {} bytes, more than {}", where, total, k_limit),
              "the CDI schema validator refuses it");
  }
}

}  // namespace

std::string annotation_key_problem(const std::string& key) {
  // Kubernetes' qualified-name rule on the lowercased key: [PREFIX/]NAME.
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto parts = split(k, '/');
  std::string name = parts.back();
  if (parts.size() > 2) return "it has more than one '/'";
  if (parts.size() == 2) {
    if (parts[0].empty()) return "the prefix before '/' is empty";
    if (!is_dns_subdomain(parts[0]))
      return "the prefix before '/' is not a DNS subdomain (lowercase a-z, 0-9, '-' and '.', at "
             "most 253 characters)";
  }
  if (name.empty()) return "the name is empty";
  if (name.size() > 63) return "the name is longer than 63 characters";
  if (!is_alnum(name.front()) || !is_alnum(name.back()))
    return "the name must start and end with a letter or digit";
  for (char c : name) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
      return fmt::format("character '{}' is not allowed in the name", c);
  }
  return {};
}

const std::vector<std::string>& known_versions() {
  static const std::vector<std::string> k = {"0.3.0", "0.4.0", "0.5.0", "0.6.0",
                                             "0.7.0", "0.8.0", "1.0.0", "1.1.0"};
  return k;
}

int compare_versions(const std::string& a, const std::string& b) {
  auto x = parse_version(a);
  auto y = parse_version(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string vendor_problem(const std::string& vendor) {
  return chars_problem(vendor, "-_.", true);
}
// '.' in a class is allowed from cdiVersion 0.6.0 on (see version_needs).
std::string class_problem(const std::string& clazz) {
  return chars_problem(clazz, "-_.", true);
}
std::string device_name_problem(const std::string& name) {
  return chars_problem(name, "-_.:", false);
}

std::vector<VersionNeed> version_needs(const Spec& spec) {
  std::vector<VersionNeed> out;
  if (spec.has_annotations) out.push_back({"0.6.0", "annotations", spec.annotations_at});
  auto slash = spec.kind.find('/');
  if (slash != std::string::npos && spec.kind.find('.', slash) != std::string::npos) {
    out.push_back({"0.6.0", "a '.' in the class of kind", spec.kind_at});
  }
  edits_needs(spec.edits, "containerEdits.", out);
  for (const auto& d : spec.devices) {
    if (d.has_annotations) out.push_back({"0.6.0", "devices[].annotations", d.where});
    if (!d.name.empty() && is_digit(d.name.front())) {
      out.push_back(
          {"0.5.0", fmt::format("a device name starting with a digit (\"{}\")", d.name), d.where});
    }
    edits_needs(d.edits, "devices[].containerEdits.", out);
  }
  std::stable_sort(out.begin(), out.end(), [](const VersionNeed& a, const VersionNeed& b) {
    return compare_versions(a.version, b.version) > 0;
  });
  return out;
}

std::vector<VersionNeed> older_library_refusals(const Spec& spec) {
  std::vector<VersionNeed> out;
  auto scan = [&](const ContainerEdits& e) {
    for (const auto& n : e.device_nodes) {
      if (n.permissions != k_no_permissions) continue;
      out.push_back({"",
                     fmt::format("device node {} has permissions \"none\", which released CDI "
                                 "libraries (v1.1.0 and older, Podman 4.3's too) refuse",
                                 n.path),
                     n.where});
    }
  };
  scan(spec.edits);
  for (const auto& d : spec.devices) scan(d.edits);
  return out;
}

std::string minimum_version(const Spec& spec) {
  auto needs = version_needs(spec);
  return needs.empty() ? "0.3.0" : needs.front().version;
}

Diagnostics validate_spec(const Spec& spec) {
  Diagnostics d;
  const auto& known = known_versions();
  bool version_known = is_known_version(spec.version);
  if (!spec.version.empty() && !version_known) {
    d.error(spec.version_at, fmt::format("unsupported cdiVersion \"{}\"", spec.version),
            "the CDI library knows " + join(known, ", "));
  }
  if (version_known) {
    for (const auto& need : version_needs(spec)) {
      if (compare_versions(spec.version, need.version) >= 0) continue;
      d.error(
          need.where,
          fmt::format("{} needs cdiVersion {} or later, but the spec declares {}", need.feature,
                      need.version, spec.version),
          fmt::format("set cdiVersion: \"{}\" (when every runtime reading it knows that version) "
                      "or remove it",
                      need.version));
    }
  }
  if (!spec.kind.empty()) {
    auto slash = spec.kind.find('/');
    if (slash == std::string::npos) {
      d.error(spec.kind_at, fmt::format("invalid kind \"{}\": it has no vendor/class", spec.kind),
              "write VENDOR/CLASS, e.g. nvidia.com/gpu");
    } else {
      std::string vendor = spec.kind.substr(0, slash);
      std::string clazz = spec.kind.substr(slash + 1);
      if (auto why = vendor_problem(vendor); !why.empty()) {
        d.error(spec.kind_at, fmt::format("invalid vendor \"{}\" in kind: {}", vendor, why));
      }
      if (auto why = class_problem(clazz); !why.empty()) {
        d.error(spec.kind_at, fmt::format("invalid class \"{}\" in kind: {}", clazz, why));
      }
    }
  }
  annotation_warnings(spec.annotations, "the spec's annotations", d);
  validate_edits(spec.edits, d);
  if (spec.devices.empty()) {
    d.error(spec.devices_written ? spec.devices_at : Location{spec.file, 1, 1},
            "the spec defines no devices", "add at least one entry under \"devices\"");
  }
  std::set<std::string> seen;
  for (const auto& dev : spec.devices) {
    if (auto why = device_name_problem(dev.name); !why.empty()) {
      d.error(dev.where, fmt::format("invalid device name \"{}\": {}", dev.name, why));
    }
    if (!seen.insert(dev.name).second) {
      d.error(dev.where, fmt::format("device \"{}\" is defined twice in this spec", dev.name),
              "the CDI library rejects the whole spec");
    }
    if (dev.edits.empty()) {
      d.error(dev.where, fmt::format("device \"{}\" has no containerEdits", dev.name),
              "a device must add at least one env, device node, mount or hook");
    }
    annotation_warnings(dev.annotations, fmt::format("device \"{}\"'s annotations", dev.name), d);
    validate_edits(dev.edits, d);
  }
  Diagnostics sorted;
  auto items = d.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  for (auto& item : items) sorted.add(std::move(item));
  return sorted;
}

}  // namespace edgecrew::cdi
