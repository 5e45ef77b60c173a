// `edgecrew images`: the stack's images in Podman's store and in the CRI runtime's, compared by
// id; `images pull` through the engine in use, with per-layer progress; `images sync` from one
// store to the other, without a registry.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/engine_source.h"
#include "cli/progress_board.h"
#include "cli/store_sides.h"
#include "cli/table.h"
#include "cli/verbs.h"
#include "engine/image_pull.h"
#include "images/image_table.h"
#include "images/store.h"
#include "images/sync.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

using images::StoreSide;

struct ImagesOptions {
  std::vector<std::string> services;
  bool json = false;
  std::string to;  // sync: "cri" | "podman"; "" = the engine the stack runs on
  bool yes = false;
  std::string archive_dir;
};

std::string cell(const images::Presence& p) {
  if (!p.error.empty()) return "?";
  return p.info ? images::short_id(p.info->id) : "-";
}

std::string size_of(const images::ImageRow& row) {
  const auto& info = row.podman.present() ? row.podman.info : row.cri.info;
  return info && info->size > 0 ? engine::human_size(info->size) : "-";
}

nlohmann::json side_json(const StoreSide& side) {
  nlohmann::json out = {{"reachable", side.engine != nullptr}};
  if (!side.absent.empty()) out["error"] = side.absent;
  if (side.store) {
    out["kind"] = engine::to_string(side.store->kind);
    out["driver"] = side.store->driver;
    out["graphroot"] = side.store->graphroot;
    out["runroot"] = side.store->runroot;
    out["found_by"] = side.store->found_by;
  }
  return out;
}

nlohmann::json presence_json(const images::Presence& p) {
  if (!p.error.empty()) return {{"error", p.error}};
  if (!p.info) return {{"present", false}};
  return {{"present", true},
          {"id", p.info->id},
          {"repo_digests", p.info->repo_digests},
          {"size", p.info->size}};
}

// The first line of why a side is unknown, without the colon that led to the rest.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.ends_with(':')) line.pop_back();
  return line;
}

void print_side(std::ostream& out, const StoreSide& side) {
  std::string label = side.label() + " store:";
  if (!side.store) {
    out << fmt::format("{:<14}unknown: {}\n", label, first_line(side.absent));
    return;
  }
  out << fmt::format("{:<14}{} ({})", label, images::describe(*side.store), side.store->found_by);
  // The first line of why: the rest lists every socket tried (-v shows it all).
  if (!side.engine) {
    out << fmt::format("; not reachable: {}", first_line(side.absent));
  }
  out << "\n";
}

int run_list(Context& ctx, const ImagesOptions& opt) {
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto services = select_services(ctx, st, opt.services, false);
  StoreSide podman = open_side(ctx, st, "podman");
  StoreSide cri = open_side(ctx, st, "cri");
  auto table = images::build_table(services, podman, cri);

  if (opt.json) {
    nlohmann::json doc = {{"stores", {{"podman", side_json(podman)}, {"cri", side_json(cri)}}},
                          {"shared", table.shared},
                          {"images", nlohmann::json::array()}};
    for (const auto& row : table.rows) {
      doc["images"].push_back({{"image", row.image},
                               {"services", row.services},
                               {"podman", presence_json(row.podman)},
                               {"cri", presence_json(row.cri)},
                               {"state", images::to_string(row.agreement)}});
    }
    ctx.io.out << doc.dump(2) << "\n";
    return 0;
  }

  print_side(ctx.io.out, podman);
  print_side(ctx.io.out, cri);
  if (table.shared) {
    ctx.io.out << "The two share one store: an image in one is in the other; `images sync` has "
                  "nothing to do.\n";
  } else if (podman.store && cri.store) {
    ctx.io.out << "The stores are separate: `edgecrew images sync --to cri` (or --to podman) "
                  "copies what one lacks.\n";
  }
  ctx.io.out << "\n";
  std::vector<std::vector<std::string>> rows{
      {"IMAGE", "SERVICES", "SIZE", "PODMAN", "CRI", "STATE"}};
  std::vector<std::string> notes;
  for (const auto& row : table.rows) {
    rows.push_back({row.image, join(row.services, ","), size_of(row), cell(row.podman),
                    cell(row.cri), images::to_string(row.agreement)});
    if (row.agreement == images::Agreement::differ) {
      notes.push_back(fmt::format(
          "{}: the name points to different images: {} in Podman's store, {} in the CRI's",
          row.image, row.podman.info->id, row.cri.info->id));
    }
    for (const auto* p : {&row.podman, &row.cri}) {
      if (!p->error.empty() && (p == &row.podman ? podman : cri).engine) {
        notes.push_back(fmt::format("{}: {}", row.image, p->error));
      }
    }
  }
  print_table(ctx.io.out, rows);
  for (const auto& note : notes) ctx.io.out << note << "\n";
  return 0;
}

int run_pull(Context& ctx, const ImagesOptions& opt) {
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto services = select_services(ctx, st, opt.services, false);
  auto opened = open_engine(ctx, st);
  std::vector<std::string> wanted;
  for (const auto* s : services) {
    // A service with build: gets its image from `edgecrew build` (or up), not from a registry.
    if (s->build) continue;
    if (std::find(wanted.begin(), wanted.end(), s->image) == wanted.end()) {
      wanted.push_back(s->image);
    }
  }
  pull_images(ctx, opened, wanted, false);
  return 0;
}

int run_sync(Context& ctx, const ImagesOptions& opt) {
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  std::string to = opt.to.empty() ? engine_name(ctx, st) : opt.to;
  std::string from = to == "cri" ? "podman" : "cri";
  auto services = select_services(ctx, st, opt.services, false);
  StoreSide source = open_side(ctx, st, from);
  StoreSide target = open_side(ctx, st, to);
  for (const auto* side : {&source, &target}) {
    if (!side->store) {
      throw CommandError(1,
                         fmt::format("the {} store is unknown: {}", side->label(), side->absent));
    }
  }
  if (images::same_store(*source.store, *target.store)) {
    ctx.io.out << fmt::format("Podman and the CRI share one store ({}): nothing to copy.\n",
                              images::describe(*target.store));
    return 0;
  }
  auto table = images::build_table(services, from == "podman" ? source : target,
                                   from == "podman" ? target : source);
  images::SyncOptions options{opt.yes, opt.archive_dir};
  std::size_t width = 0;
  for (const auto& row : table.rows) width = std::max(width, row.image.size());
  auto steps = images::sync_images(
      table, source, target, options, [&](const std::string& image, std::string_view line) {
        ctx.io.out << fmt::format("{:<{}}  {}\n", image, width, line) << std::flush;
      });
  int failed = 0;
  for (const auto& step : steps) {
    std::string line = fmt::format("{:<{}}  {}", step.image, width, images::to_string(step.result));
    if (step.result == images::StepResult::not_in_source) {
      line = fmt::format(
          "{:<{}}  in neither store: `edgecrew images pull` brings it from its "
          "registry",
          step.image, width);
      ++failed;
    }
    if (!step.detail.empty()) line += ": " + step.detail;
    if (step.result == images::StepResult::failed) ++failed;
    ctx.io.out << line << "\n";
    if (step.result == images::StepResult::to_run) {
      ctx.io.out << fmt::format("{:<{}}  import it (or run sync again with --yes):\n  {}\n", "",
                                width, step.command);
    }
  }
  if (failed > 0) {
    throw CommandError(1, fmt::format("{} of {} images are not in the {} store", failed,
                                      steps.size(), target.label()));
  }
  return 0;
}

}  // namespace

Verb images_verb() {
  return {
      "images", "The stack's images in Podman's and the CRI's stores; pull, or copy across",
      "  edgecrew images                    # each image: id in each store, shared or not\n"
      "  edgecrew images --json\n"
      "  edgecrew images pull               # pull what the engine in use lacks\n"
      "  edgecrew images sync --to cri      # copy Podman's images into the CRI store\n"
      "  edgecrew images sync --to cri --yes  # and run ctr's import when the CRI is containerd",
      [](CLI::App& sub) {
        auto opt = std::make_shared<ImagesOptions>();
        sub.require_subcommand(0, 1);
        sub.add_option("services", opt->services, "Only these services' images");
        sub.add_flag("--json", opt->json, "Print JSON instead of a table");
        auto* pull = sub.add_subcommand("pull", "Pull the images the engine in use lacks");
        pull->add_option("services", opt->services, "Only these services' images");
        auto* sync = sub.add_subcommand(
            "sync", "Copy the stack's images from one store to the other, without a registry");
        sync->add_option("--to", opt->to, "The store to copy into (default: the stack's engine)")
            ->check(CLI::IsMember({"cri", "podman"}));
        sync->add_flag("-y,--yes", opt->yes,
                       "Run `ctr images import` when the CRI runtime is containerd");
        sync->add_option("--archive-dir", opt->archive_dir,
                         "Where archives for containerd are written (default: a temp dir)")
            ->type_name("DIR");
        sync->add_option("services", opt->services, "Only these services' images");
        return [opt, pull, sync](Context& ctx) {
          if (pull->parsed()) return run_pull(ctx, *opt);
          if (sync->parsed()) return run_sync(ctx, *opt);
          return run_list(ctx, *opt);
        };
      }};
}

}  // namespace edgecrew::cli
