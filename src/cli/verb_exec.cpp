#include <fmt/format.h>

#include <cctype>

#include "cli/engine_source.h"
#include "cli/verbs.h"
#include "stack/units.h"

namespace edgecrew::cli {

namespace {

// An exec runs a person's command (a migration, a shell script): generous, but bounded, so that
// a hung engine or command ends the exec too.
inline constexpr std::string_view k_default_exec_timeout = "10m";

struct ExecOptions {
  std::string service;
  std::vector<std::string> command;
  std::string timeout{k_default_exec_timeout};
};

// "90s", "5m", "1h30m" (Go durations, as Compose writes them) or a bare number of seconds.
std::chrono::milliseconds exec_timeout(const std::string& text) {
  std::optional<stack::Duration> d;
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.back()))) {
    try {
      std::size_t used = 0;
      double seconds = std::stod(text, &used);
      if (used == text.size() && seconds > 0 && seconds < 1e9) {
        d = std::chrono::duration_cast<stack::Duration>(std::chrono::duration<double>(seconds));
      }
    } catch (const std::exception&) {
    }
  } else {
    d = stack::parse_duration(text);
  }
  auto ms =
      d ? std::chrono::duration_cast<std::chrono::milliseconds>(*d) : std::chrono::milliseconds{0};
  if (ms.count() <= 0) {
    throw CommandError(2, fmt::format("--timeout {}: expected a duration of more than 0 (\"30s\", "
                                      "\"5m\", \"1h\") or a number of seconds",
                                      text));
  }
  return ms;
}

int run_exec(Context& ctx, const ExecOptions& opt) {
  const auto timeout = exec_timeout(opt.timeout);
  auto loaded = load_stack_for(ctx);
  select_services(ctx, loaded.stack, {opt.service}, false);  // the service must exist
  auto opened = open_engine(ctx, loaded.stack);
  auto containers = observe(opened, loaded.stack);
  const engine::Container* c = container_of(containers, opt.service);
  if (c == nullptr || c->state != engine::ContainerState::running) {
    throw CommandError(1, fmt::format("service \"{}\" is not running: run `edgecrew up {}`",
                                      opt.service, opt.service));
  }
  auto result = opened.engine->exec(c->id, opt.command, timeout);
  if (!result && result.error().kind == ErrorKind::timeout) {
    // The command still runs, or the engine no longer answers: either way, not past --timeout.
    throw CommandError(1, fmt::format("exec in {}: timeout: no result within --timeout {} ({}); "
                                      "the command may still be running in the container, or "
                                      "the engine is hung; raise it with --timeout",
                                      opt.service, opt.timeout, result.error().message));
  }
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
            sub.add_option("--timeout", opt->timeout,
                           "How long the command may run (30s, 5m, 1h, or seconds); then exec "
                           "fails with a timeout")
                ->type_name("DURATION")
                ->capture_default_str();
            return [opt](Context& ctx) { return run_exec(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
