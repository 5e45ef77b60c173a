#include "cdi/spec_parser.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "util/strings.h"

namespace edgecrew::cdi {

namespace {

// The fields each object of the spec may have (CDI specification, all versions up to 1.1.0).
// The version a field needs is checked by validate_spec, not here.
const std::vector<std::string> k_spec_fields = {"cdiVersion", "kind", "annotations", "devices",
                                                "containerEdits"};
const std::vector<std::string> k_device_fields = {"name", "annotations", "containerEdits"};
const std::vector<std::string> k_edits_fields = {
    "env", "deviceNodes", "hooks", "mounts", "intelRdt", "additionalGids", "netDevices"};
const std::vector<std::string> k_node_fields = {"path",     "hostPath",    "type", "major", "minor",
                                                "fileMode", "permissions", "uid",  "gid"};
const std::vector<std::string> k_mount_fields = {"hostPath", "containerPath", "options", "type"};
const std::vector<std::string> k_hook_fields = {"hookName", "path", "args", "env", "timeout"};
const std::vector<std::string> k_intel_rdt_fields = {"closID", "l3CacheSchema", "memBwSchema",
                                                     "schemata", "enableMonitoring"};
const std::vector<std::string> k_net_device_fields = {"hostInterfaceName", "name"};

// A quoted scalar ("1", 'true') is a string to the library's JSON decoding, never a number or a
// boolean; yaml-cpp tags it "!".
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_quoted(const YAML::Node& n) {
  return n.Tag() == "!";
}

class Reader {
 public:
  Reader(const std::string& file, Diagnostics& diags) : m_file(file), m_diags(diags) {}

  Location at(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.line < 0) return {m_file, 0, 0};
    return {m_file, m.line + 1, m.column + 1};
  }

  void error(const YAML::Node& n, std::string message, std::string hint = {}) {
    m_diags.error(at(n), std::move(message), std::move(hint));
  }

  // Calls `on_field` for each known key of mapping `n`; unknown keys are errors.
  bool fields(const YAML::Node& n, std::string_view what, const std::vector<std::string>& allowed,
              const std::function<void(const std::string&, const YAML::Node&)>& on_field) {
    if (!n.IsMap()) {
      error(n, fmt::format("{} must be a mapping", what));
      return false;
    }
    std::vector<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) {
        error(it->first, fmt::format("{} has a key that is not a string", what));
        continue;
      }
      std::string key = it->first.Scalar();
      // The library's strict decoding refuses a key written twice.
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        error(it->first, fmt::format("field \"{}\" is written twice in {}", key, what),
              "keep one of them");
        continue;
      }
      seen.push_back(key);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        // The library's JSON decoding matches field names regardless of case.
        auto same = std::find_if(allowed.begin(), allowed.end(),
                                 [&](const std::string& a) { return iequals(a, key); });
        if (same != allowed.end()) {
          m_diags.warning(at(it->first),
                          fmt::format("field \"{}\" in {} is read as \"{}\"", key, what, *same),
                          fmt::format("write \"{}\": the CDI library ignores the case, other "
                                      "readers may not",
                                      *same));
          on_field(*same, it->second);
          continue;
        }
        std::string hint = did_you_mean(key, allowed);
        if (hint.empty()) hint = "allowed: " + join(allowed, ", ");
        error(it->first, fmt::format("unknown field \"{}\" in {}", key, what), hint);
        continue;
      }
      on_field(key, it->second);
    }
    return true;
  }

  // The library decodes through JSON, where null leaves a string, number or boolean at its zero
  // value without an error.
  std::string string(const YAML::Node& n, std::string_view what) {
    if (n.IsNull()) return {};
    if (!n.IsScalar()) {
      error(n, fmt::format("{} must be a string", what));
      return {};
    }
    return n.Scalar();
  }

  std::optional<std::int64_t> integer(const YAML::Node& n, std::string_view what) {
    if (n.IsNull()) return std::nullopt;
    if (n.IsScalar() && !is_quoted(n)) {
      try {
        return n.as<std::int64_t>();
      } catch (const YAML::Exception&) {
      }
    }
    error(n, fmt::format("{} must be an integer", what), "write it without quotes, e.g. 1");
    return std::nullopt;
  }

  // uid, gid, fileMode and additionalGids are uint32 in the library.
  std::optional<std::int64_t> unsigned32(const YAML::Node& n, std::string_view what) {
    auto v = integer(n, what);
    if (v && (*v < 0 || *v > 0xffffffffLL)) {
      error(n, fmt::format("{} must be between 0 and 4294967295, not {}", what, *v));
      return std::nullopt;
    }
    return v;
  }

  bool boolean(const YAML::Node& n, std::string_view what) {
    if (n.IsNull()) return false;
    if (n.IsScalar() && !is_quoted(n)) {
      try {
        return n.as<bool>();
      } catch (const YAML::Exception&) {
      }
    }
    error(n, fmt::format("{} must be true or false", what), "write it without quotes");
    return false;
  }

  std::vector<std::string> strings(const YAML::Node& n, std::string_view what) {
    std::vector<std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsSequence()) {
      error(n, fmt::format("{} must be a list of strings", what));
      return out;
    }
    for (const auto& item : n) out.push_back(string(item, what));
    return out;
  }

  void sequence(const YAML::Node& n, std::string_view what,
                const std::function<void(const YAML::Node&)>& on_item) {
    if (n.IsNull()) return;
    if (!n.IsSequence()) {
      error(n, fmt::format("{} must be a list", what));
      return;
    }
    for (const auto& item : n) on_item(item);
  }

  // Annotations are a map of strings to strings.
  bool annotations(const YAML::Node& n, std::string_view what, std::vector<Annotation>& out) {
    if (n.IsNull()) return false;
    if (!n.IsMap()) {
      error(n, fmt::format("{} must be a mapping of strings", what));
      return false;
    }
    std::vector<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) {
        error(it->first, fmt::format("{} has a key that is not a string", what));
        continue;
      }
      const std::string& key = it->first.Scalar();
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        error(it->first, fmt::format("annotation \"{}\" is written twice in {}", key, what),
              "keep one of them");
        continue;
      }
      seen.push_back(key);
      if (!it->second.IsScalar() && !it->second.IsNull()) {
        error(it->second, fmt::format("{} values must be strings", what));
        continue;
      }
      out.push_back({at(it->first), key, it->second.IsNull() ? "" : it->second.Scalar()});
    }
    return n.size() > 0;
  }

  std::vector<std::string> located_strings(const YAML::Node& n, std::string_view what,
                                           std::vector<Location>& where) {
    auto out = strings(n, what);
    if (n.IsSequence()) {
      for (const auto& item : n) where.push_back(at(item));
    }
    return out;
  }

  IntelRdt intel_rdt(const YAML::Node& n) {
    IntelRdt r;
    r.where = at(n);
    fields(n, "intelRdt", k_intel_rdt_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "closID") r.clos_id = string(v, "intelRdt.closID");
      if (key == "l3CacheSchema") string(v, "intelRdt.l3CacheSchema");
      if (key == "memBwSchema") string(v, "intelRdt.memBwSchema");
      if (key == "schemata") {
        strings(v, "intelRdt.schemata");
        r.has_schemata = !v.IsNull();
      }
      if (key == "enableMonitoring") r.enable_monitoring = boolean(v, "intelRdt.enableMonitoring");
    });
    return r;
  }

  NetDevice net_device(const YAML::Node& n) {
    NetDevice d;
    d.where = at(n);
    fields(n, "a net device", k_net_device_fields,
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "hostInterfaceName")
               d.host_interface_name = string(v, "netDevices[].hostInterfaceName");
             if (key == "name") d.name = string(v, "netDevices[].name");
           });
    return d;
  }

  DeviceNode device_node(const YAML::Node& n) {
    DeviceNode d;
    d.where = at(n);
    fields(n, "a device node", k_node_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "path") d.path = string(v, "deviceNodes[].path");
      if (key == "hostPath") d.host_path = string(v, "deviceNodes[].hostPath");
      if (key == "type") d.type = string(v, "deviceNodes[].type");
      if (key == "major") d.major = integer(v, "deviceNodes[].major");
      if (key == "minor") d.minor = integer(v, "deviceNodes[].minor");
      if (key == "permissions") d.permissions = string(v, "deviceNodes[].permissions");
      if (key == "fileMode" || key == "uid" || key == "gid") unsigned32(v, "deviceNodes[]." + key);
    });
    return d;
  }

  Mount mount(const YAML::Node& n) {
    Mount m;
    m.where = at(n);
    fields(n, "a mount", k_mount_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "hostPath") m.host_path = string(v, "mounts[].hostPath");
      if (key == "containerPath") m.container_path = string(v, "mounts[].containerPath");
      if (key == "type") m.type = string(v, "mounts[].type");
      if (key == "options") m.options = strings(v, "mounts[].options");
    });
    return m;
  }

  Hook hook(const YAML::Node& n) {
    Hook h;
    h.where = at(n);
    fields(n, "a hook", k_hook_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "hookName") h.hook_name = string(v, "hooks[].hookName");
      if (key == "path") h.path = string(v, "hooks[].path");
      if (key == "args") strings(v, "hooks[].args");
      if (key == "env") h.env = located_strings(v, "hooks[].env", h.env_at);
      if (key == "timeout") integer(v, "hooks[].timeout");
    });
    return h;
  }

  ContainerEdits edits(const YAML::Node& n) {
    ContainerEdits e;
    e.where = at(n);
    if (n.IsNull()) return e;
    fields(n, "containerEdits", k_edits_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "env") e.env = located_strings(v, "containerEdits.env", e.env_at);
      if (key == "deviceNodes") {
        sequence(v, "containerEdits.deviceNodes",
                 [&](const YAML::Node& i) { e.device_nodes.push_back(device_node(i)); });
      }
      if (key == "mounts") {
        sequence(v, "containerEdits.mounts",
                 [&](const YAML::Node& i) { e.mounts.push_back(mount(i)); });
      }
      if (key == "hooks") {
        sequence(v, "containerEdits.hooks",
                 [&](const YAML::Node& i) { e.hooks.push_back(hook(i)); });
      }
      if (key == "intelRdt" && !v.IsNull()) e.intel_rdt = intel_rdt(v);
      if (key == "additionalGids") {
        sequence(v, "containerEdits.additionalGids",
                 [&](const YAML::Node& i) { unsigned32(i, "additionalGids[]"); });
        e.has_additional_gids = v.IsSequence() && v.size() > 0;
      }
      if (key == "netDevices") {
        sequence(v, "containerEdits.netDevices",
                 [&](const YAML::Node& i) { e.net_devices.push_back(net_device(i)); });
      }
    });
    return e;
  }

  Device device(const YAML::Node& n) {
    Device d;
    d.where = at(n);
    bool has_name = false;
    fields(n, "a device", k_device_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "name") {
        d.name = string(v, "devices[].name");
        has_name = true;
      }
      if (key == "annotations")
        d.has_annotations = annotations(v, "devices[].annotations", d.annotations);
      if (key == "containerEdits") d.edits = edits(v);
    });
    if (n.IsMap() && !has_name) error(n, "a device has no \"name\"");
    return d;
  }

 private:
  const std::string& m_file;
  Diagnostics& m_diags;
};

}  // namespace

SpecParse parse_spec(std::string_view text, const std::string& file) {
  SpecParse out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    out.diagnostics.error({file, e.mark.line + 1, e.mark.column + 1},
                          fmt::format("not valid YAML or JSON: {}", e.msg));
    return out;
  } catch (const YAML::Exception& e) {
    out.diagnostics.error({file, 0, 0}, fmt::format("not valid YAML or JSON: {}", e.what()));
    return out;
  }
  Reader r(file, out.diagnostics);
  if (!root.IsDefined() || root.IsNull()) {
    out.diagnostics.error({file, 1, 1}, "the file holds no spec (it is empty or null)",
                          "write cdiVersion, kind and devices, or remove the file");
    return out;
  }
  if (!root.IsMap()) {
    out.diagnostics.error(r.at(root),
                          "a CDI spec must be a mapping with cdiVersion, kind and devices");
    return out;
  }
  Spec spec;
  spec.file = file;
  try {
    r.fields(root, "the spec", k_spec_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "cdiVersion") {
        spec.version = r.string(v, "cdiVersion");
        spec.version_at = r.at(v);
      }
      if (key == "kind") {
        spec.kind = r.string(v, "kind");
        spec.kind_at = r.at(v);
      }
      if (key == "annotations") {
        spec.has_annotations = r.annotations(v, "annotations", spec.annotations);
        spec.annotations_at = r.at(v);
      }
      if (key == "containerEdits") spec.edits = r.edits(v);
      if (key == "devices") {
        spec.devices_written = true;
        spec.devices_at = r.at(v);
        r.sequence(v, "devices", [&](const YAML::Node& i) { spec.devices.push_back(r.device(i)); });
      }
    });
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on nodes it cannot convert; say so rather than crash.
    out.diagnostics.error({file, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (spec.version.empty()) out.diagnostics.error({file, 1, 1}, "the spec has no \"cdiVersion\"");
  if (spec.kind.empty()) out.diagnostics.error({file, 1, 1}, "the spec has no \"kind\"");
  out.spec = std::move(spec);
  return out;
}

}  // namespace edgecrew::cdi
