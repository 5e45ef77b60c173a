#include "cdi/spec_parser.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

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
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) {
        error(it->first, fmt::format("{} has a key that is not a string", what));
        continue;
      }
      std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string hint = did_you_mean(key, allowed);
        if (hint.empty()) hint = "allowed: " + join(allowed, ", ");
        error(it->first, fmt::format("unknown field \"{}\" in {}", key, what), hint);
        continue;
      }
      on_field(key, it->second);
    }
    return true;
  }

  std::string string(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) {
      error(n, fmt::format("{} must be a string", what));
      return {};
    }
    return n.Scalar();
  }

  std::optional<std::int64_t> integer(const YAML::Node& n, std::string_view what) {
    if (n.IsScalar()) {
      try {
        return n.as<std::int64_t>();
      } catch (const YAML::Exception&) {
      }
    }
    error(n, fmt::format("{} must be an integer", what));
    return std::nullopt;
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
  bool annotations(const YAML::Node& n, std::string_view what) {
    if (n.IsNull()) return false;
    if (!n.IsMap()) {
      error(n, fmt::format("{} must be a mapping of strings", what));
      return false;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->second.IsScalar()) error(it->second, fmt::format("{} values must be strings", what));
    }
    return n.size() > 0;
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
      if (key == "fileMode" || key == "uid" || key == "gid") integer(v, "deviceNodes[]." + key);
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
      if (key == "env") strings(v, "hooks[].env");
      if (key == "timeout") integer(v, "hooks[].timeout");
    });
    return h;
  }

  ContainerEdits edits(const YAML::Node& n) {
    ContainerEdits e;
    e.where = at(n);
    if (n.IsNull()) return e;
    fields(n, "containerEdits", k_edits_fields, [&](const std::string& key, const YAML::Node& v) {
      if (key == "env") {
        e.env = strings(v, "containerEdits.env");
        if (v.IsSequence()) {
          for (const auto& item : v) e.env_at.push_back(at(item));
        }
      }
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
      if (key == "intelRdt") e.has_intel_rdt = !v.IsNull();
      if (key == "additionalGids") {
        sequence(v, "containerEdits.additionalGids",
                 [&](const YAML::Node& i) { integer(i, "additionalGids[]"); });
        e.has_additional_gids = v.IsSequence() && v.size() > 0;
      }
      if (key == "netDevices") {
        sequence(v, "containerEdits.netDevices", [&](const YAML::Node& i) {
          fields(i, "a net device", {"hostInterfaceName", "name"},
                 [&](const std::string&, const YAML::Node& s) { string(s, "netDevices[] field"); });
        });
        e.has_net_devices = v.IsSequence() && v.size() > 0;
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
      if (key == "annotations") d.has_annotations = annotations(v, "devices[].annotations");
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
  if (!root.IsMap()) {
    out.diagnostics.error(r.at(root),
                          "a CDI spec must be a mapping with cdiVersion, kind and devices");
    return out;
  }
  Spec spec;
  spec.file = file;
  bool has_devices = false;
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
        spec.has_annotations = r.annotations(v, "annotations");
        spec.annotations_at = r.at(v);
      }
      if (key == "containerEdits") spec.edits = r.edits(v);
      if (key == "devices") {
        has_devices = true;
        r.sequence(v, "devices", [&](const YAML::Node& i) { spec.devices.push_back(r.device(i)); });
      }
    });
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on nodes it cannot convert; say so rather than crash.
    out.diagnostics.error({file, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (spec.version.empty()) out.diagnostics.error({file, 1, 1}, "the spec has no \"cdiVersion\"");
  if (spec.kind.empty()) out.diagnostics.error({file, 1, 1}, "the spec has no \"kind\"");
  if (!has_devices) out.diagnostics.error({file, 1, 1}, "the spec has no \"devices\"");
  out.spec = std::move(spec);
  return out;
}

}  // namespace edgecrew::cdi
