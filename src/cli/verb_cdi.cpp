// `edgecrew cdi list|validate|explain`: the host's CDI devices as the CDI library sees them.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "cdi/registry.h"
#include "cdi/spec_validate.h"
#include "cli/verbs.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

struct CdiOptions {
  bool json = false;
  std::string root;
  std::vector<std::string> files;
  std::string name;
};

std::filesystem::path root_of(const Context& ctx, const CdiOptions& opt) {
  return opt.root.empty() ? ctx.process.host_root
                          : ctx.process.cwd / std::filesystem::path(opt.root);
}

void report_rejected(Context& ctx, const cdi::Registry& reg) {
  for (const auto& ls : reg.specs) {
    if (ls.valid()) continue;
    ctx.io.err << fmt::format("edgecrew: {} is rejected, its devices do not resolve: {}\n", ls.file,
                              format_diagnostic(ls.first_error()));
  }
  for (const auto& c : reg.conflicts) {
    ctx.io.err << fmt::format("edgecrew: {} is defined in {} (same priority): dropped\n", c.name,
                              join(c.files, " and "));
  }
}

int run_list(Context& ctx, const CdiOptions& opt) {
  auto reg = cdi::load_registry(root_of(ctx, opt));
  if (opt.json) {
    auto doc = nlohmann::ordered_json::array();
    for (const auto& [name, ref] : reg.devices) {
      const auto& ls = reg.spec_of(ref);
      doc.push_back({{"name", name},
                     {"kind", ls.spec->kind},
                     {"spec", ls.file},
                     {"line", reg.device(ref).where.line},
                     {"priority", ls.priority},
                     {"cdiVersion", ls.spec->version}});
    }
    ctx.io.out << doc.dump(2) << "\n";
  } else if (reg.devices.empty()) {
    std::vector<std::string> dirs;
    for (const auto& d : reg.dirs) dirs.push_back(d.path);
    ctx.io.out << "no CDI device in " << join(dirs, ", ") << "\n";
  } else {
    std::size_t w_name = 4, w_kind = 4;
    for (const auto& [name, ref] : reg.devices) {
      w_name = std::max(w_name, name.size());
      w_kind = std::max(w_kind, reg.spec_of(ref).spec->kind.size());
    }
    ctx.io.out << fmt::format("{:<{}}  {:<{}}  PRIORITY  SPEC\n", "NAME", w_name, "KIND", w_kind);
    for (const auto& [name, ref] : reg.devices) {
      const auto& ls = reg.spec_of(ref);
      ctx.io.out << fmt::format("{:<{}}  {:<{}}  {:<8}  {}:{}\n", name, w_name, ls.spec->kind,
                                w_kind, ls.priority, ls.file, reg.device(ref).where.line);
    }
  }
  report_rejected(ctx, reg);
  return 0;
}

// Prints one spec's diagnostics and verdict; false when the CDI library would reject it.
bool report_spec(Context& ctx, const cdi::LoadedSpec& ls) {
  const std::string& file = ls.file;
  for (const auto& d : ls.diagnostics.items()) ctx.io.out << format_diagnostic(d) << "\n";
  if (!ls.valid()) {
    ctx.io.out << fmt::format("{}: invalid ({} error{})\n", file, ls.diagnostics.error_count(),
                              ls.diagnostics.error_count() == 1 ? "" : "s");
    return false;
  }
  auto needs = cdi::version_needs(*ls.spec);
  std::string line =
      fmt::format("{}: valid, cdiVersion {}, kind {}, {} device{}", file, ls.spec->version,
                  ls.spec->kind, ls.spec->devices.size(), ls.spec->devices.size() == 1 ? "" : "s");
  if (!needs.empty()) {
    line += fmt::format("; needs cdiVersion {} for {} (line {})", needs.front().version,
                        needs.front().feature, needs.front().where.line);
  }
  ctx.io.out << line << "\n";
  if (cdi::compare_versions(ls.spec->version, "0.3.0") > 0) {
    ctx.io.out << fmt::format("{}: note: Podman 4.3 resolves only cdiVersion 0.3.0 specs\n", file);
  }
  for (const auto& r : cdi::older_library_refusals(*ls.spec)) {
    ctx.io.out << fmt::format("{}:{}:{}: note: {}\n", file, r.where.line, r.where.column,
                              r.feature);
  }
  return true;
}

// Directories are read together as the library's cache reads its spec directories: every *.json
// and *.yaml file, later directories taking priority, a device defined twice at one priority
// dropped.
bool report_dirs(Context& ctx, const std::vector<std::filesystem::path>& paths,
                 const std::vector<std::string>& dirs) {
  auto reg = cdi::load_spec_dirs(paths, dirs);
  bool ok = true;
  for (const auto& ls : reg.specs) ok &= report_spec(ctx, ls);
  for (const auto& d : reg.dirs) {
    bool has_spec = std::any_of(reg.specs.begin(), reg.specs.end(),
                                [&](const auto& ls) { return ls.priority == d.priority; });
    if (!has_spec) {
      ctx.io.out << fmt::format("{}: no *.json or *.yaml spec in this directory\n", d.path);
    }
    for (const auto& f : d.ignored) {
      ctx.io.out << fmt::format("{}: not read (the CDI library reads only *.json and *.yaml)\n", f);
    }
  }
  for (const auto& o : reg.overrides) {
    ctx.io.out << fmt::format("{}: {} overrides {} (a later directory has priority)\n", o.name,
                              o.winner_file, o.loser_file);
  }
  for (const auto& c : reg.conflicts) {
    ctx.io.out << fmt::format(
        "{}: conflict: defined in {} at the same priority, so the CDI library drops the device "
        "(keep one definition, or move one spec to a later directory)\n",
        c.name, join(c.files, " and "));
    ok = false;
  }
  return ok;
}

int run_validate(Context& ctx, const CdiOptions& opt) {
  bool ok = true;
  std::vector<std::filesystem::path> dir_paths;
  std::vector<std::string> dirs;
  for (const auto& file : opt.files) {
    auto path = std::filesystem::path(file).is_absolute() ? std::filesystem::path(file)
                                                          : ctx.process.cwd / file;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      dir_paths.push_back(path);
      dirs.push_back(file);
      continue;
    }
    auto text = read_file(path);
    if (!text) {
      ctx.io.out << fmt::format("{}: {}\n", file, text.error().message);
      ok = false;
      continue;
    }
    ok &= report_spec(ctx, cdi::load_spec_text(*text, file));
  }
  if (!dirs.empty()) ok &= report_dirs(ctx, dir_paths, dirs);
  return ok ? 0 : 1;
}

int run_explain(Context& ctx, const CdiOptions& opt) {
  auto reg = cdi::load_registry(root_of(ctx, opt));
  auto ex = cdi::explain(reg, opt.name);
  for (const auto& line : ex.lines) ctx.io.out << line << "\n";
  return ex.resolves ? 0 : 1;
}

}  // namespace

Verb cdi_verb() {
  return {
      "cdi", "List, validate and explain the host's CDI devices",
      "  edgecrew cdi list                         # every device, its spec and priority\n"
      "  edgecrew cdi validate /etc/cdi/nvidia.yaml\n"
      "  edgecrew cdi validate /etc/cdi /var/run/cdi  # every spec, conflicts, later dir wins\n"
      "  edgecrew cdi explain nvidia.com/gpu=all   # why it resolves, or why not",
      [](CLI::App& sub) {
        auto opt = std::make_shared<CdiOptions>();
        sub.require_subcommand(1);
        sub.add_option("--root", opt->root, "Read the spec directories under DIR")
            ->type_name("DIR");
        auto* list =
            sub.add_subcommand("list", "Every device name, its spec file, kind and priority");
        list->add_flag("--json", opt->json, "Print a JSON array");
        auto* validate = sub.add_subcommand(
            "validate", "Validate spec files or directories as the CDI library does");
        validate->add_option("file", opt->files, "Spec files (YAML or JSON) or spec directories")
            ->required()
            ->type_name("FILE");
        auto* explain = sub.add_subcommand("explain", "Why a device name resolves, or why not");
        explain->add_option("name", opt->name, "VENDOR/CLASS=NAME")->required()->type_name("NAME");
        return [opt, list, validate](Context& ctx) {
          if (list->parsed()) return run_list(ctx, *opt);
          if (validate->parsed()) return run_validate(ctx, *opt);
          return run_explain(ctx, *opt);
        };
      }};
}

}  // namespace edgecrew::cli
