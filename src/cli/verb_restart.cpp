#include <fmt/format.h>

#include "cli/engine_source.h"
#include "cli/event_lines.h"
#include "cli/progress_board.h"
#include "cli/project_lock.h"
#include "cli/verbs.h"
#include "plan/container_ops.h"
#include "plan/events.h"
#include "stack/secrets.h"

namespace edgecrew::cli {

namespace {

struct RestartOptions {
  std::vector<std::string> services;
  std::optional<double> timeout_s;
  double wait_lock_s = static_cast<double>(k_default_wait_lock.count());
};

int run_restart(Context& ctx, const RestartOptions& opt) {
  if (opt.timeout_s && *opt.timeout_s < 0) throw CommandError(2, "-t must be 0 seconds or more");
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto services = select_services(ctx, st, opt.services, false);
  auto opened = open_engine(ctx, st);
  ProjectLock lock(ctx, st.name, opened.lock_key, "restart",
                   std::chrono::milliseconds(static_cast<long>(opt.wait_lock_s * 1000)));
  auto containers = observe(opened, st);

  std::vector<std::string> names;
  for (const auto* s : services) names.push_back(s->name);
  plan::EventStream events(progress_sink(ctx.io.out, ctx.io.out_is_terminal, names),
                           plan::real_clock(), stack::Redactor(stack::collect_secrets(st)));
  std::optional<std::chrono::milliseconds> grace;
  if (opt.timeout_s) grace = std::chrono::milliseconds(static_cast<long>(*opt.timeout_s * 1000));
  plan::ExecutionResult result;
  int restarted = 0;
  // One at a time, in the stack's order: a restart is a person's targeted action, not a rollout.
  for (const auto* s : services) {
    const engine::Container* c = container_of(containers, s->name);
    if (c == nullptr) {
      if (!opt.services.empty()) result.failures.push_back({s->name, "it has no container"});
      continue;
    }
    // A paused container is stopped too (the engine resumes it first): a start alone is refused.
    if (c->state == engine::ContainerState::running || c->state == engine::ContainerState::paused) {
      auto spec = plan::stop_spec(s, grace);
      events.emit(s->name, plan::Phase::stopping, c->id.substr(0, 12));
      if (auto stopped = opened.engine->stop(c->id, spec.grace, spec.signal); !stopped) {
        events.emit(s->name, plan::Phase::failed, stopped.error().message);
        result.failures.push_back({s->name, "stop failed: " + stopped.error().message});
        continue;
      }
    }
    events.emit(s->name, plan::Phase::starting, c->id.substr(0, 12));
    if (auto started = opened.engine->start(c->id); !started) {
      events.emit(s->name, plan::Phase::failed, started.error().message);
      result.failures.push_back({s->name, "start failed: " + started.error().message});
      continue;
    }
    events.emit(s->name, plan::Phase::started, c->id.substr(0, 12));
    ++restarted;
  }
  if (!result.ok()) {
    print_failures(ctx.io.err, "restart", result);
    return 1;
  }
  ctx.io.out << fmt::format("{}: {} container(s) restarted\n", st.name, restarted);
  return 0;
}

}  // namespace

Verb restart_verb() {
  return {"restart", "Stop (with the service's grace period) and start services' containers",
          "  edgecrew restart redis        # stop_grace_period, then start again\n"
          "  edgecrew restart -t 1 vllm    # wait 1 s after SIGTERM, then kill\n"
          "  edgecrew restart              # every enabled service",
          [](CLI::App& sub) {
            auto opt = std::make_shared<RestartOptions>();
            sub.add_option("services", opt->services,
                           "These services (default: every enabled one)");
            sub.add_option("-t,--timeout", opt->timeout_s,
                           "Seconds to wait for each container to stop before killing it")
                ->type_name("S");
            sub.add_option("--wait-lock", opt->wait_lock_s,
                           "Seconds to wait while another edgecrew changes this project")
                ->type_name("S")
                ->capture_default_str();
            return [opt](Context& ctx) { return run_restart(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
