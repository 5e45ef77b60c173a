#include <fmt/format.h>

#include "cli/engine_source.h"
#include "cli/verbs.h"

namespace edgecrew::cli {

namespace {

// An exec runs a person's command (a migration, a shell script): generous, but bounded.
inline constexpr double k_default_exec_timeout_s = 600;

struct ExecOptions {
  std::string service;
  std::vector<std::string> command;
  double timeout_s = k_default_exec_timeout_s;
};

int run_exec(Context& ctx, const ExecOptions& opt) {
  if (opt.timeout_s <= 0) throw CommandError(2, "--timeout must be more than 0 seconds");
  auto loaded = load_stack_for(ctx);
  select_services(ctx, loaded.stack, {opt.service}, false);  // the service must exist
  auto opened = open_engine(ctx, loaded.stack);
  auto containers = observe(opened, loaded.stack);
  const engine::Container* c = container_of(containers, opt.service);
  if (c == nullptr || c->state != engine::ContainerState::running) {
    throw CommandError(1, fmt::format("service \"{}\" is not running: run `edgecrew up {}`",
                                      opt.service, opt.service));
  }
  auto timeout = std::chrono::milliseconds(static_cast<long>(opt.timeout_s * 1000));
  auto result = opened.engine->exec(c->id, opt.command, timeout);
  if (!result) throw engine_error(opened, "exec in " + opt.service, result.error());
  ctx.io.out << result->output << std::flush;
  return result->exit_code;
}

}  // namespace

Verb exec_verb() {
  return {"exec", "Run a command in a service's running container; its exit status is returned",
          "  edgecrew exec redis -- redis-cli ping\n"
          "  edgecrew exec neo4j -- cypher-shell 'RETURN 1'\n"
          "  edgecrew exec vllm -- sh -c 'nvidia-smi -L'",
          [](CLI::App& sub) {
            auto opt = std::make_shared<ExecOptions>();
            sub.add_option("service", opt->service, "The service")->required();
            sub.add_option("command", opt->command, "The command and its arguments, after --")
                ->required();
            sub.add_option("--timeout", opt->timeout_s, "Seconds the command may run")
                ->type_name("S")
                ->capture_default_str();
            return [opt](Context& ctx) { return run_exec(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
