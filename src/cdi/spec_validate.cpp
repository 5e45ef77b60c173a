#include "cdi/spec_validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>

#include "util/strings.h"

namespace edgecrew::cdi {

namespace {

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
  if (e.has_intel_rdt) out.push_back({"0.7.0", where + "intelRdt", e.where});
  if (e.has_net_devices) out.push_back({"1.1.0", where + "netDevices", e.where});
}

void validate_edits(const ContainerEdits& e, Diagnostics& d) {
  for (std::size_t i = 0; i < e.env.size(); ++i) {
    const auto& env = e.env[i];
    if (env.find('=') == std::string::npos) {
      d.error(i < e.env_at.size() ? e.env_at[i] : e.where, fmt::format("invalid environment variable \"{}\": it has no '='", env),
              "write NAME=VALUE");
    }
  }
  for (const auto& n : e.device_nodes) {
    if (n.path.empty()) d.error(n.where, "a device node has an empty \"path\"");
    if (!n.type.empty() && n.type != "b" && n.type != "c" && n.type != "u" && n.type != "p") {
      d.error(n.where, fmt::format("invalid device node type \"{}\"", n.type), "use b, c, u or p");
    }
    if (n.type == "p" && ((n.major && *n.major != 0) || (n.minor && *n.minor != 0))) {
      d.error(n.where, "a fifo (type p) device node cannot have a major or minor number");
    }
    for (char c : n.permissions) {
      if (c != 'r' && c != 'w' && c != 'm') {
        d.error(n.where, fmt::format("invalid device permissions \"{}\"", n.permissions),
                "use a combination of r, w and m");
        break;
      }
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
  }
}

}  // namespace

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
    if (!d.name.empty() && !is_letter(d.name.front())) {
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

std::string minimum_version(const Spec& spec) {
  auto needs = version_needs(spec);
  return needs.empty() ? "0.3.0" : needs.front().version;
}

Diagnostics validate_spec(const Spec& spec) {
  Diagnostics d;
  const auto& known = known_versions();
  bool version_known = false;
  for (const auto& v : known)
    version_known |= compare_versions(v, spec.version) == 0 && parse_version(spec.version)[0] >= 0;
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
  validate_edits(spec.edits, d);
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
