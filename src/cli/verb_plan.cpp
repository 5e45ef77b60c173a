#include "cli/engine_source.h"
#include "cli/plan_source.h"
#include "cli/verbs.h"
#include "plan/plan.h"

namespace edgecrew::cli {

namespace {

struct PlanOptions {
  std::vector<std::string> services;
  bool remove_orphans = false;
  RecreateFlags recreate;
};

int run_plan(Context& ctx, const PlanOptions& opt) {
  auto options = plan_options(opt.recreate, opt.services, opt.remove_orphans);
  auto loaded = load_stack_for(ctx);
  auto desired = select_services(ctx, loaded.stack, opt.services, true);
  auto opened = open_engine(ctx, loaded.stack);
  auto plan = plan_against(opened, loaded.stack, desired, std::move(options));
  ctx.io.out << plan::describe(plan);
  return 0;
}

}  // namespace

Verb plan_verb() {
  return {"plan", "Show what `up` would change, and change nothing",
          "  edgecrew plan                    # create / recreate / start / unpause / keep\n"
          "  edgecrew plan redis              # redis and what it depends on\n"
          "  edgecrew plan --remove-orphans   # also the containers of removed services\n"
          "  edgecrew plan --force-recreate   # as up --force-recreate would",
          [](CLI::App& sub) {
            auto opt = std::make_shared<PlanOptions>();
            sub.add_option(
                "services", opt->services,
                "Only these services and their dependencies (default: every enabled one)");
            sub.add_flag("--remove-orphans", opt->remove_orphans,
                         "Plan the removal of containers whose service left the stack");
            add_recreate_flags(sub, opt->recreate);
            return [opt](Context& ctx) { return run_plan(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
