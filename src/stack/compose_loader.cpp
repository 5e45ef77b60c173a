#include "stack/compose_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "stack/compose_files.h"
#include "stack/decode.h"
#include "stack/dotenv.h"
#include "stack/interpolate.h"
#include "stack/merge.h"
#include "stack/networks.h"
#include "stack/secrets.h"
#include "stack/service_decoder.h"
#include "stack/validate.h"
#include "stack/yaml_tree.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::stack {

namespace {

using Variables = std::map<std::string, std::string>;

Variables resolve_variables(const LoadOptions& options, Diagnostics& diags) {
  Variables vars = options.defaults;
  for (const auto& file : options.env_files) {
    auto text = read_stack_input(file.path);
    if (!text) {
      if (file.required || text.error().kind != ErrorKind::not_found) {
        diags.error({file.path.string(), 0, 0}, "cannot read env file", text.error().message);
      }
      continue;
    }
    VariableLookup lookup = [&](const std::string& name) -> std::optional<std::string> {
      if (auto it = options.environment.find(name); it != options.environment.end())
        return it->second;
      if (auto it = vars.find(name); it != vars.end()) return it->second;
      return std::nullopt;
    };
    for (auto& [k, entry] : parse_dotenv(*text, file.path.string(), lookup, diags)) {
      vars[k] = std::move(entry.value);
    }
  }
  for (const auto& [k, v] : options.environment) vars[k] = v;
  return vars;
}

// Interpolates every value (not keys) in place; records substituted secret-named variables.
void interpolate_tree(Node& node, const Variables& vars, std::set<std::string>& secrets,
                      Diagnostics& diags) {
  switch (node.kind) {
    case Node::Kind::scalar: {
      if (node.scalar.find('$') == std::string::npos) return;
      auto result =
          interpolate(node.scalar, [&](const std::string& name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end()) return std::nullopt;
            return it->second;
          });
      if (result.error) {
        Location where = node.where;
        // On one line the offset in the text is an offset in columns.
        if (node.scalar.find('\n') == std::string::npos) {
          where.column += static_cast<int>(result.error->offset) + (node.quoted ? 1 : 0);
        }
        diags.error(where, result.error->message, result.error->hint);
        return;
      }
      if (invalid_utf8_offset(result.value) != std::string::npos) {
        diags.error(node.where, "a variable substituted here has a value that is not valid UTF-8");
        return;
      }
      for (const auto& name : result.variables) {
        if (is_secret_name(name)) secrets.insert(vars.at(name));
      }
      node.scalar = std::move(result.value);
      return;
    }
    case Node::Kind::sequence:
      for (auto& item : node.items) interpolate_tree(item, vars, secrets, diags);
      return;
    case Node::Kind::mapping:
      for (auto& [k, v] : node.entries) interpolate_tree(v, vars, secrets, diags);
      return;
    case Node::Kind::null:
      return;
  }
}

// `external: {name: X}`, the older form of `name: X` with `external: true`, as Compose reads it.
void decode_legacy_external(const Node& external, Volume& vol, std::string& explicit_name,
                            const std::string& what, Decoder& d) {
  vol.external = true;
  if (!d.check_keys(external, fmt::format("external of {}", what), {"name"})) return;
  const Node* name = external.find("name");
  if (name == nullptr) return;
  auto legacy = d.string(*name, "external name").value_or("");
  if (!explicit_name.empty() && explicit_name != legacy) {
    d.diags().error(name->where,
                    fmt::format("name and external.name of {} differ (\"{}\" and \"{}\")", what,
                                explicit_name, legacy),
                    "keep name: only, with external: true");
    return;
  }
  d.diags().warning(name->where, fmt::format("external.name of {} is deprecated", what),
                    fmt::format("write name: {} and external: true, as Compose asks", legacy));
  explicit_name = legacy;
}

void decode_volumes_section(const Node& n, Stack& stack, Decoder& d) {
  if (!d.mapping(n, "volumes")) return;
  for (const auto& [k, v] : n.entries) {
    Volume vol;
    vol.key = k.scalar;
    vol.where = k.where;
    std::string explicit_name;
    std::string what = fmt::format("volume \"{}\"", k.scalar);
    if (!v.is_null() && d.check_section(v, what, "volume")) {
      if (const Node* x = v.find("name")) explicit_name = d.string(*x, "volume name").value_or("");
      if (const Node* x = v.find("driver")) vol.driver = d.string(*x, "volume driver").value_or("");
      if (const Node* x = v.find("external")) {
        if (x->is_mapping()) {
          decode_legacy_external(*x, vol, explicit_name, what, d);
        } else {
          vol.external = d.boolean(*x, "external").value_or(false);
        }
      }
      if (const Node* x = v.find("labels")) {
        vol.labels = d.key_values(*x, "volume labels", nullptr).value_or(vol.labels);
      }
      if (const Node* x = v.find("driver_opts")) {
        vol.driver_opts = d.key_values(*x, "driver_opts", nullptr).value_or(vol.driver_opts);
      }
      // Compose: an external volume is only named; anything else would configure what exists.
      for (const auto& [key, _] : v.entries) {
        if (vol.external && key.scalar != "name" && key.scalar != "external" &&
            !key.scalar.starts_with("x-")) {
          d.diags().error(key.where,
                          fmt::format("{} is external: \"{}\" cannot be set", what, key.scalar),
                          "an external volume exists already; keep name: and external: true");
        }
      }
    }
    if (!explicit_name.empty()) {
      vol.name = explicit_name;
    } else if (vol.external) {
      vol.name = vol.key;
    } else {
      vol.name = stack.name + "_" + vol.key;
    }
    stack.volumes[vol.key] = std::move(vol);
  }
}

// The top-level configs and secrets are refused as a whole (reported once at their key); a key
// the specification does not define in one of their entries is still an error.
void check_whole_sections(const Node& root, Decoder& d) {
  static const std::vector<std::pair<std::string, std::string>> sections = {{"configs", "config"},
                                                                            {"secrets", "secret"}};
  for (const auto& [key, section] : sections) {
    const Node* n = root.find(key);
    if (n == nullptr || !n->is_mapping()) continue;
    for (const auto& [k, v] : n->entries) {
      if (v.is_null()) continue;
      d.check_section(v, fmt::format("{} \"{}\"", section, k.scalar), section, true);
    }
  }
}

// Compose's rules on the networks a service names: not together with network_mode, and each one
// declared at the top level (or Compose's implicit "default").
void check_service_networks(const Node& root, const Node& services, Decoder& d) {
  const Node* declared = root.find("networks");
  for (const auto& [k, v] : services.entries) {
    if (!v.is_mapping()) continue;
    const Node* networks = v.find("networks");
    if (networks == nullptr) continue;
    if (const Node* mode = v.find("network_mode")) {
      d.diags().error(mode->where,
                      fmt::format("service \"{}\" sets both network_mode and networks, which "
                                  "exclude each other",
                                  k.scalar),
                      "keep one of them; with network_mode: host the service is on the host's "
                      "network");
      continue;
    }
    std::vector<const Node*> names;
    if (networks->is_sequence()) {
      for (const auto& item : networks->items) names.push_back(&item);
    } else if (networks->is_mapping()) {
      for (const auto& [name, _] : networks->entries) names.push_back(&name);
    }
    for (const Node* name : names) {
      if (!name->is_scalar() || name->scalar == "default") continue;
      if (declared != nullptr && declared->is_mapping() && declared->find(name->scalar)) continue;
      d.diags().error(
          name->where,
          fmt::format("service \"{}\" names network \"{}\", which is not declared", k.scalar,
                      name->scalar),
          fmt::format("declare it under the top-level networks: ({}: {{}})", name->scalar));
    }
  }
}

void decode_extension_section(const Node& n, Stack& stack, Decoder& d) {
  if (!d.check_keys(n, "x-edgecrew", {"engine", "cri_endpoint"})) return;
  if (const Node* e = n.find("engine")) {
    stack.engine = d.string(*e, "x-edgecrew engine").value_or("");
    if (!stack.engine.empty() && stack.engine != "podman" && stack.engine != "cri") {
      d.diags().error(e->where, fmt::format("unknown engine \"{}\"", stack.engine),
                      "use podman or cri");
    }
  }
  if (const Node* c = n.find("cri_endpoint")) {
    stack.cri_endpoint = d.string(*c, "x-edgecrew cri_endpoint").value_or("");
  }
}

// Compose's rule; the name also becomes part of container and volume names.
bool valid_service_name(const std::string& name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

// COMPOSE_PROJECT_NAME counts from the environment and from the env files, as in Compose.
// `name` is the (interpolated) name: of the last file that has one; `first_file` names the first.
std::string project_name(const Node* name, const std::string& first_file,
                         const LoadOptions& options, const Variables& vars, Diagnostics& diags) {
  auto explicit_name = [&](const std::string& raw, const Location& where) -> std::string {
    auto normalized = normalize_project_name(raw);
    if (!normalized || *normalized != raw) {
      diags.error(where, fmt::format("project name \"{}\" is not valid", raw),
                  "use lower-case letters, digits, '-' and '_', starting with a letter or digit");
      return normalized.value_or("edgecrew");
    }
    return raw;
  };
  if (!options.project_name.empty()) return explicit_name(options.project_name, {"-p", 0, 0});
  if (auto it = vars.find("COMPOSE_PROJECT_NAME"); it != vars.end() && !it->second.empty()) {
    return explicit_name(it->second, {"COMPOSE_PROJECT_NAME", 0, 0});
  }
  if (name != nullptr && name->is_scalar() && !name->scalar.empty()) {
    return explicit_name(name->scalar, name->where);
  }
  auto normalized = normalize_project_name(options.fallback_project_name);
  if (!normalized) {
    diags.error({first_file, 0, 0},
                fmt::format("no project name: the directory name \"{}\" has no usable characters",
                            options.fallback_project_name),
                "set name: in the stack file or pass -p NAME");
    return "edgecrew";
  }
  return *normalized;
}

}  // namespace

std::vector<SourceFile> read_sources(const std::vector<std::filesystem::path>& paths,
                                     const std::filesystem::path& cwd, Diagnostics& diags) {
  std::vector<SourceFile> out;
  for (const auto& path : paths) {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(cwd / path, ec).lexically_normal();
    auto relative = absolute.lexically_relative(cwd);
    bool inside = !relative.empty() && *relative.begin() != "..";
    std::string name = inside ? relative.string() : absolute.string();
    auto text = read_stack_input(absolute);
    if (!text) {
      diags.error({name, 0, 0}, "cannot read the stack file", text.error().message);
      continue;
    }
    out.push_back({name, std::move(*text), absolute.parent_path()});
  }
  return out;
}

LoadResult load_stack(const std::vector<SourceFile>& sources, const LoadOptions& options) {
  LoadResult result;
  Diagnostics& diags = result.diagnostics;
  if (sources.empty()) {
    if (!diags.has_errors()) diags.error({"", 0, 0}, "no stack file to load");
    return result;
  }
  Variables vars = resolve_variables(options, diags);

  std::set<std::string> secrets;
  std::vector<Node> docs;
  for (const auto& source : sources) {
    // Several documents in one file merge in order, as Compose merges them.
    auto parsed = parse_yaml_documents(source.text, source.name, diags);
    if (!parsed) continue;
    for (auto& doc : *parsed) {
      if (!doc.is_mapping() && !doc.is_null()) {
        diags.error(doc.where, "a stack file must be a mapping with a services key");
        continue;
      }
      if (doc.is_null()) doc = Node::make_mapping(doc.where);  // an empty document
      docs.push_back(std::move(doc));
    }
  }
  if (docs.empty()) return result;

  // As Compose: the project name first (its `name:` interpolated on its own), then the rest of the
  // files with COMPOSE_PROJECT_NAME set to it.
  const Node* name_node = nullptr;
  for (auto& doc : docs) {
    if (Node* n = doc.find("name")) {
      interpolate_tree(*n, vars, secrets, diags);
      name_node = n;
    }
  }
  Stack stack;
  stack.project_dir = sources.front().dir.string();
  for (const auto& s : sources) stack.files.push_back(s.name);
  stack.name = project_name(name_node, sources.front().name, options, vars, diags);
  vars["COMPOSE_PROJECT_NAME"] = stack.name;

  std::optional<Node> root;
  for (auto& doc : docs) {
    for (auto& [key, value] : doc.entries) {
      if (key.scalar != "name") interpolate_tree(value, vars, secrets, diags);
    }
    if (!root) {
      root = std::move(doc);
    } else {
      merge_documents(*root, doc);
    }
  }

  Decoder d(diags);
  d.check_section(*root, "the stack file", "top");
  check_whole_sections(*root, d);
  if (const Node* x = root->find("x-edgecrew")) decode_extension_section(*x, stack, d);
  if (const Node* v = root->find("volumes")) decode_volumes_section(*v, stack, d);
  if (const Node* n = root->find("networks"); n != nullptr && !n->is_null()) {
    decode_networks_section(*n, stack, d);
  }

  const Node* services = root->find("services");
  if (services == nullptr || services->is_null() ||
      (services->is_mapping() && services->entries.empty())) {
    diags.error({sources.front().name, root->where.line, root->where.column},
                "the stack defines no services",
                "add a services: mapping with at least one service");
  } else if (d.mapping(*services, "services")) {
    check_service_networks(*root, *services, d);
    DecodeContext ctx{stack.project_dir, options.home, &vars};
    for (const auto& [k, v] : services->entries) {
      if (!valid_service_name(k.scalar)) {
        diags.error(k.where, fmt::format("service name \"{}\" is not valid", k.scalar),
                    "use letters, digits, '.', '-' and '_', starting with a letter or digit");
        continue;
      }
      if (auto service = decode_service(k, v, d, ctx)) {
        // Compose's name for an image built without image: (compose-go's default image name).
        if (service->build && service->image.empty()) {
          service->image = stack.name + "-" + service->name;
        }
        stack.services.push_back(std::move(*service));
      }
    }
  }
  std::sort(stack.services.begin(), stack.services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  stack.secret_values.assign(secrets.begin(), secrets.end());
  finish_networks(stack, diags);

  validate_stack(stack, diags);
  if (!diags.has_errors()) result.stack = std::move(stack);
  return result;
}

}  // namespace edgecrew::stack
