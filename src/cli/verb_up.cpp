#include <fmt/format.h>

#include <map>
#include <optional>

#include "cli/build_stage.h"
#include "cli/engine_source.h"
#include "cli/event_lines.h"
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
  bool build = false;
  double wait_lock_s = static_cast<double>(k_default_wait_lock.count());
};

// "2 created, 1 kept": the plan's actions by kind, in the order they are listed.
std::string summary(const plan::Plan& plan) {
  std::map<plan::ActionKind, int> counts;
  for (const auto& a : plan.actions) ++counts[a.kind];
  std::vector<std::string> parts;
  for (auto kind : {plan::ActionKind::create, plan::ActionKind::recreate, plan::ActionKind::start,
                    plan::ActionKind::keep, plan::ActionKind::remove}) {
    if (counts[kind] == 0) continue;
    std::string verb = plan::to_string(kind);
    // create → created, keep → kept, start → started
    std::string done = verb == "keep" ? "kept" : verb.ends_with('e') ? verb + "d" : verb + "ed";
    parts.push_back(fmt::format("{} {}", counts[kind], done));
  }
  return parts.empty() ? "nothing to do" : join(parts, ", ");
}

// The image stage, before anything is created: an image the engine lacks comes from the other
// store when that has it (said on stdout); one that must be pulled needs its registry to answer,
// or up stops here, naming each such image and its registry. The pulls are the executor's.
void prepare_images(Context& ctx, const stack::Stack& st, const OpenedEngine& opened,
                    const plan::Plan& plan) {
  std::vector<std::string> needed;
  for (const auto& a : plan.actions) {
    if (a.kind != plan::ActionKind::create && a.kind != plan::ActionKind::recreate) continue;
    if (std::find(needed.begin(), needed.end(), a.spec->image) == needed.end()) {
      needed.push_back(a.spec->image);
    }
  }
  // A test's fake engine has no store to copy from and no registry to ask.
  if (needed.empty() || ctx.engine_factory) return;
  const std::string other = opened.engine->name() == "cri" ? "podman" : "cri";
  auto prepared = images::prepare_images(
      needed, *opened.engine, [&] { return side_of(ctx, opened); },
      [&] { return open_side(ctx, st, other); },
      [&](const std::string& image, std::string_view line) {
        if (ctx.global.verbose) ctx.io.err << "edgecrew: " << image << ": " << line << "\n";
      });
  for (const auto& note : prepared.notes) ctx.io.out << note << "\n";
  if (!prepared.errors.empty()) throw CommandError(1, join(prepared.errors, "\n"));
}

int run_up(Context& ctx, const UpOptions& opt) {
  if (opt.wait_timeout_s <= 0) throw CommandError(2, "--wait-timeout must be more than 0 seconds");
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
  // The build stage comes before the plan: the planner sees the images as they now are.
  build_services(ctx, st, desired, opened, opt.build ? BuildWhen::always : BuildWhen::missing,
                 opt.dry_run);
  auto plan = plan::make_plan(st, desired, observe(opened, st), {opt.remove_orphans});
  if (opt.dry_run) {
    ctx.io.out << plan::describe(plan);
    return 0;
  }
  for (const auto& w : plan.warnings) ctx.io.err << "edgecrew: warning: " << w << "\n";
  prepare_images(ctx, st, opened, plan);

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
          "  edgecrew up --dry-run             # print the plan, change nothing",
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
