#include "cdi/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "cdi/qualified_name.h"
#include "cdi/spec_parser.h"
#include "cdi/spec_validate.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::cdi {

namespace fs = std::filesystem;

namespace {

std::string host_path(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

bool is_spec_file(const std::string& name) {
  return name.ends_with(".json") || name.ends_with(".yaml");
}

}  // namespace

const std::vector<std::string>& default_spec_dirs() {
  static const std::vector<std::string> k = {"/etc/cdi", "/var/run/cdi"};
  return k;
}

const Diagnostic& LoadedSpec::first_error() const {
  const auto& items = diagnostics.items();
  auto it = std::find_if(items.begin(), items.end(),
                         [](const Diagnostic& d) { return d.severity == Severity::error; });
  return it != items.end() ? *it : items.front();
}

LoadedSpec load_spec_text(const std::string& text, const std::string& file, int priority) {
  LoadedSpec out;
  out.file = file;
  out.priority = priority;
  auto parsed = parse_spec(text, file);
  out.diagnostics = std::move(parsed.diagnostics);
  out.spec = std::move(parsed.spec);
  if (out.spec) out.diagnostics.append(validate_spec(*out.spec));
  return out;
}

Registry load_registry(const fs::path& root, const std::vector<std::string>& dirs) {
  std::vector<fs::path> paths;
  for (const auto& d : dirs) paths.push_back(root / fs::path(d).relative_path());
  return load_spec_dirs(paths, dirs);
}

Registry load_spec_dirs(const std::vector<fs::path>& paths, const std::vector<std::string>& dirs) {
  Registry reg;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    SpecDir dir{dirs[i], static_cast<int>(i), false, {}};
    const fs::path& under = paths[i];
    std::error_code ec;
    dir.exists = fs::is_directory(under, ec);
    std::vector<std::string> names;
    for (fs::directory_iterator it(under, ec), end; dir.exists && !ec && it != end;
         it.increment(ec)) {
      // Like the library (a directory entry's own type), a symbolic link to a directory is not
      // skipped: named *.json or *.yaml, it is read and fails as a spec.
      if (!it->is_symlink(ec) && it->is_directory(ec)) continue;
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string file = host_path(dirs[i], name);
      if (!is_spec_file(name)) {
        dir.ignored.push_back(file);
        continue;
      }
      auto text = read_file(under / name);
      if (!text) {
        LoadedSpec bad;
        bad.file = file;
        bad.priority = dir.priority;
        bad.diagnostics.error({file, 0, 0}, text.error().message);
        reg.specs.push_back(std::move(bad));
        continue;
      }
      reg.specs.push_back(load_spec_text(*text, file, dir.priority));
    }
    reg.dirs.push_back(std::move(dir));
  }

  // Later (higher-priority) definitions replace earlier ones; two at the same priority conflict.
  std::map<std::string, std::vector<std::size_t>> conflict_files;
  for (std::size_t s = 0; s < reg.specs.size(); ++s) {
    const auto& ls = reg.specs[s];
    if (!ls.valid()) continue;
    for (std::size_t d = 0; d < ls.spec->devices.size(); ++d) {
      std::string name = ls.spec->kind + "=" + ls.spec->devices[d].name;
      auto it = reg.devices.find(name);
      if (it == reg.devices.end()) {
        reg.devices[name] = {s, d};
        continue;
      }
      const auto& old = reg.specs[it->second.spec];
      if (old.priority < ls.priority) {
        reg.overrides.push_back({name, ls.file, old.file});
        it->second = {s, d};
      } else {
        auto& files = conflict_files[name];
        if (files.empty()) files.push_back(it->second.spec);
        files.push_back(s);
      }
    }
  }
  for (auto& [name, files] : conflict_files) {
    Conflict c{name, {}};
    for (auto s : files) c.files.push_back(reg.specs[s].file);
    reg.conflicts.push_back(std::move(c));
    reg.devices.erase(name);
  }
  return reg;
}

Explanation explain(const Registry& reg, const std::string& name) {
  Explanation out;
  auto parsed = parse_qualified_name(name);
  if (!parsed.name) {
    out.lines.push_back(parsed.error);
    out.lines.emplace_back("a CDI device name is VENDOR/CLASS=NAME, e.g. nvidia.com/gpu=all");
    return out;
  }
  std::vector<std::string> dir_names;
  for (const auto& d : reg.dirs) dir_names.push_back(d.path + (d.exists ? "" : " (missing)"));
  std::string dirs_text = join(dir_names, ", ");

  if (auto it = reg.devices.find(name); it != reg.devices.end()) {
    const auto& ls = reg.spec_of(it->second);
    const auto& dev = reg.device(it->second);
    out.resolves = true;
    out.lines.push_back(
        fmt::format("{} resolves: device \"{}\" of kind {} in {}:{} (cdiVersion {})", name,
                    dev.name, ls.spec->kind, ls.file, dev.where.line, ls.spec->version));
    for (const auto& o : reg.overrides) {
      if (o.name == name) {
        out.lines.push_back(fmt::format(
            "it overrides the definition in {} (a later directory wins)", o.loser_file));
      }
    }
    auto needs = version_needs(*ls.spec);
    if (!needs.empty() && compare_versions(needs.front().version, "0.3.0") > 0) {
      out.lines.push_back(fmt::format(
          "note: the spec uses {} ({}:{}), so a runtime with an older CDI library (Podman 4.3 "
          "knows only 0.3.0-era fields) cannot resolve it",
          needs.front().feature, ls.file, needs.front().where.line));
    }
    return out;
  }

  out.lines.push_back(fmt::format("{} does not resolve:", name));
  bool said = false;
  for (const auto& c : reg.conflicts) {
    if (c.name != name) continue;
    out.lines.push_back(fmt::format(
        "  it is defined in {} at the same priority (same directory): a conflict, so the CDI "
        "library drops the device",
        join(c.files, " and ")));
    said = true;
  }
  std::string kind = parsed.name->kind();
  std::set<std::string> kinds;
  for (const auto& ls : reg.specs) {
    if (!ls.spec) {
      continue;
    }
    kinds.insert(ls.spec->kind);
    if (ls.spec->kind != kind) continue;
    bool defines = std::any_of(ls.spec->devices.begin(), ls.spec->devices.end(),
                               [&](const Device& d) { return d.name == parsed.name->name; });
    if (!ls.valid()) {
      const auto& first = ls.first_error();
      out.lines.push_back(fmt::format("  {} {} kind {}, but the CDI library rejects that spec: {}",
                                      ls.file, defines ? "defines it in" : "is of", kind,
                                      format_diagnostic(first)));
      if (ls.diagnostics.error_count() > 1) {
        out.lines.push_back(fmt::format("  ({} more errors: edgecrew cdi validate {})",
                                        ls.diagnostics.error_count() - 1, ls.file));
      }
      said = true;
    } else if (!defines) {
      std::vector<std::string> names;
      for (const auto& d : ls.spec->devices) names.push_back(d.name);
      out.lines.push_back(fmt::format("  {} defines kind {} with devices {}, but not \"{}\"",
                                      ls.file, kind, join(names, ", "), parsed.name->name));
      said = true;
    }
  }
  for (const auto& ls : reg.specs) {
    if (!ls.spec && ls.diagnostics.has_errors()) {
      out.lines.push_back(fmt::format("  {} could not be read as a spec: {}", ls.file,
                                      format_diagnostic(ls.first_error())));
      said = true;
    }
  }
  for (const auto& d : reg.dirs) {
    for (const auto& f : d.ignored) {
      out.lines.push_back(
          fmt::format("  {} is not read: the CDI library reads only *.json and *.yaml files", f));
      said = true;
    }
  }
  if (!said) {
    out.lines.push_back(fmt::format(
        "  no spec in {} defines kind {}{}", dirs_text, kind,
        kinds.empty() ? std::string(" (no spec at all)")
                      : " (kinds found: " + join({kinds.begin(), kinds.end()}, ", ") + ")"));
    if (parsed.name->vendor == "nvidia.com") {
      out.lines.emplace_back(
          "  generate it: nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml --format=yaml");
    }
  }
  return out;
}

}  // namespace edgecrew::cdi
