#include <fmt/format.h>

#include <map>
#include <optional>

#include "cli/build_stage.h"
#include "cli/engine_source.h"
#include "cli/event_lines.h"
#include "cli/plan_source.h"
#include "cli/progress_board.h"
#include "cli/project_lock.h"
#include "cli/store_sides.h"
#include "cli/verbs.h"
#include "images/prepare.h"
#include "plan/executor.h"
#include "plan/plan.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

struct UpOptions {
  std::vector<std::string> services;
  bool detach = false;  // accepted for Compose's sake: up never stays attached
  bool wait = false;
  double wait_timeout_s = plan::k_default_wait_timeout.count() / 1000.0;
  bool remove_orphans = false;
  bool dry_run = false;
  RecreateFlags recreate;
  std::string pull = "missing";  // always | missing | never
  bool build = false;
  double wait_lock_s = static_cast<double>(k_default_wait_lock.count());
};

// "2 created, 1 kept": the plan's actions by kind, in the order they are listed.
std::string summary(const plan::Plan& plan) {
  std::map<plan::ActionKind, int> counts;
  for (const auto& a : plan.actions) ++counts[a.kind];
  std::vector<std::string> parts;
  for (auto kind : {plan::ActionKind::create, plan::ActionKind::recreate, plan::ActionKind::start,
                    plan::ActionKind::unpause, plan::ActionKind::keep, plan::ActionKind::remove}) {
    if (counts[kind] == 0) continue;
    std::string verb = plan::to_string(kind);
    // create → created, keep → kept, start → started
    std::string done = verb == "keep" ? "kept" : verb.ends_with('e') ? verb + "d" : verb + "ed";
    parts.push_back(fmt::format("{} {}", counts[kind], done));
  }
  return parts.empty() ? "nothing to do" : join(parts, ", ");
}

// The images the plan creates containers from.
std::vector<std::string> images_needed(const plan::Plan& plan) {
  std::vector<std::string> needed;
  for (const auto& a : plan.actions) {
    if (a.kind != plan::ActionKind::create && a.kind != plan::ActionKind::recreate) continue;
    if (std::find(needed.begin(), needed.end(), a.spec->image) == needed.end()) {
      needed.push_back(a.spec->image);
    }
  }
  return needed;
}

// --pull never: every image the plan needs is in the engine's store already, or up stops here,
// naming each missing one, before anything is created.
void check_images_present(const OpenedEngine& opened, const std::vector<std::string>& needed) {
  std::vector<std::string> missing;
  for (const auto& image : needed) {
    auto present = opened.engine->image_present(image);
    if (!present) throw engine_error(opened, "looking up image " + image, present.error());
    if (!*present) missing.push_back(image);
  }
  if (missing.empty()) return;
  throw CommandError(1, fmt::format("--pull never: {} not in {}'s store: {} (load or pull {}, or "
                                    "run up with --pull missing)",
                                    missing.size() == 1 ? "this image is" : "these images are",
                                    opened.engine->name(), join(missing, ", "),
                                    missing.size() == 1 ? "it" : "them"));
}

// The image stage, before anything is created: an image the engine lacks comes from the other
// store when that has it (said on stdout); one that must be pulled needs its registry to answer,
// or up stops here, naming each such image and its registry. The pulls are the executor's.
void prepare_images(Context& ctx, const stack::Stack& st, const OpenedEngine& opened,
                    const std::vector<std::string>& needed) {
  if (needed.empty()) return;
  const std::string other = opened.kind == engine::EngineKind::cri ? "podman" : "cri";
  auto prepared = images::prepare_images(
      needed, *opened.engine, [&] { return side_of(ctx, opened); },
      [&] { return open_side(ctx, st, other); },
      [&](const std::string& image, std::string_view line) {
        if (ctx.global.verbose) ctx.io.err << "edgecrew: " << image << ": " << line << "\n";
      },
      ctx.reach.registries);
  for (const auto& note : prepared.notes) ctx.io.out << note << "\n";
  if (!prepared.errors.empty()) throw CommandError(1, join(prepared.errors, "\n"));
}

// What the CRI engine does without project networks, when the stack names networks beyond the
// default one or gives a service aliases or an address; "" when there is nothing to say.
std::string cri_network_note(const stack::Stack& st) {
  std::vector<std::string> named;
  for (const auto& [key, network] : st.networks) {
    if (key != "default") named.push_back(key);
  }
  bool per_service = false;
  for (const auto& service : st.services) {
    for (const auto& joined : service.networks) {
      per_service = per_service || !joined.aliases.empty() || !joined.ipv4_address.empty();
    }
  }
  if (named.empty() && !per_service) return "";
  return fmt::format(
      "the CRI engine creates no networks{}: every pod joins the runtime's pod network (CNI), "
      "where aliases and ipv4_address do not apply and services do not resolve each other by "
      "name; use network_mode: host (and localhost) or the Podman engine",
      named.empty() ? "" : fmt::format(" ({})", join(named, ", ")));
}

// What the CRI engine cannot do for this stack and does instead, one line each.
std::vector<std::string> cri_notes(const stack::Stack& st) {
  std::vector<std::string> notes;
  if (std::string note = cri_network_note(st); !note.empty()) notes.push_back(std::move(note));
  for (const auto& service : st.services) {
    for (const auto& mount : service.mounts) {
      if (mount.type == stack::MountType::volume && mount.source.empty()) {
        notes.push_back(fmt::format(
            "service {}: the anonymous volume at {} is not mounted (the CRI has none): what the "
            "container writes there is lost with it; name the volume under volumes: to keep it",
            service.name, mount.target));
      }
    }
  }
  return notes;
}

int run_up(Context& ctx, const UpOptions& opt) {
  if (opt.wait_timeout_s <= 0) throw CommandError(2, "--wait-timeout must be more than 0 seconds");
  auto plan_opts = plan_options(opt.recreate, opt.services, opt.remove_orphans);
  // load → plan → apply → wait → report
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto desired = select_services(ctx, st, opt.services, true);
  auto opened = open_engine(ctx, st);
  // A dry run changes nothing: it neither takes nor waits for the project's lock.
  std::optional<ProjectLock> lock;
  if (!opt.dry_run) {
    lock.emplace(ctx, st.name, opened.lock_key, "up",
                 std::chrono::milliseconds(static_cast<long>(opt.wait_lock_s * 1000)));
  }
  // --pull always: every selected service's image is pulled first, so that the plan compares
  // the containers with what the registry has now. A dry run pulls nothing.
  if (opt.pull == "always" && !opt.dry_run) {
    std::vector<std::string> images;
    for (const auto* s : desired) {
      if (std::find(images.begin(), images.end(), s->image) == images.end()) {
        images.push_back(s->image);
      }
    }
    pull_images(ctx, opened, images, true);
  }
  // The build stage comes before the plan: the planner sees the images as they now are.
  build_services(ctx, st, desired, opened, opt.build ? BuildWhen::always : BuildWhen::missing,
                 opt.dry_run);
  auto plan = plan_against(opened, st, desired, std::move(plan_opts));
  if (opt.dry_run) {
    ctx.io.out << plan::describe(plan);
    return 0;
  }
  for (const auto& w : plan.warnings) ctx.io.err << "edgecrew: warning: " << w << "\n";
  const auto needed = images_needed(plan);
  if (opt.pull == "never") {
    check_images_present(opened, needed);
  } else {
    prepare_images(ctx, st, opened, needed);
  }
  // Every time, not only at a create: a project network deleted behind edgecrew's back comes back.
  if (auto networks = opened.engine->ensure_networks(st, desired); !networks) {
    throw CommandError(1, "up: " + networks.error().message);
  }
  if (opened.kind == engine::EngineKind::cri) {
    for (const std::string& note : cri_notes(st))
      ctx.io.err << "edgecrew: warning: " << note << "\n";
  }

  std::vector<std::string> names;
  for (const auto& a : plan.actions) names.push_back(a.service);
  plan::ExecutorOptions options;
  options.wait = opt.wait;
  options.wait_timeout = std::chrono::milliseconds(static_cast<long>(opt.wait_timeout_s * 1000));
  options.events = progress_sink(ctx.io.out, ctx.io.out_is_terminal, names);
  auto result = plan::apply(*opened.engine, plan, options);
  if (!result.ok()) {
    print_failures(ctx.io.err, "up", result);
    return 1;
  }
  ctx.io.out << fmt::format("{}: {}\n", st.name, summary(plan));
  return 0;
}

}  // namespace

Verb up_verb() {
  return {"up", "Create and start the stack's containers, changing only what differs",
          "  edgecrew up                       # every enabled service\n"
          "  edgecrew up redis                 # redis and what it depends on\n"
          "  edgecrew up --wait                # and wait until each one is ready\n"
          "  edgecrew up --build               # build the images of build: services first\n"
          "  edgecrew up --dry-run             # print the plan, change nothing\n"
          "  edgecrew up --force-recreate      # replace every container, changed or not\n"
          "  edgecrew up --pull always         # pull every image first, recreate what changed",
          [](CLI::App& sub) {
            auto opt = std::make_shared<UpOptions>();
            sub.add_option(
                "services", opt->services,
                "Only these services and their dependencies (default: every enabled one)");
            sub.add_flag("-d,--detach", opt->detach, "Accepted for Compose: up always detaches");
            sub.add_flag("--wait", opt->wait, "Wait until every service is ready");
            sub.add_option("--wait-timeout", opt->wait_timeout_s, "Seconds --wait waits at most")
                ->type_name("S")
                ->capture_default_str();
            sub.add_flag("--remove-orphans", opt->remove_orphans,
                         "Remove containers whose service left the stack");
            sub.add_flag("--dry-run", opt->dry_run, "Print the plan and change nothing");
            add_recreate_flags(sub, opt->recreate);
            sub.add_option("--pull", opt->pull,
                           "always: pull every image first; missing: only those the store lacks; "
                           "never: fail when one is missing")
                ->check(CLI::IsMember({"always", "missing", "never"}))
                ->type_name("WHEN")
                ->capture_default_str();
            sub.add_flag("--build", opt->build,
                         "Build every selected service that has build: first (else only the "
                         "images that are missing, or pull_policy: build)");
            sub.add_option("--wait-lock", opt->wait_lock_s,
                           "Seconds to wait while another edgecrew changes this project")
                ->type_name("S")
                ->capture_default_str();
            return [opt](Context& ctx) { return run_up(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
