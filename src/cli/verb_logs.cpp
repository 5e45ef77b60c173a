#include <fmt/format.h>

#include "cli/engine_source.h"
#include "cli/verbs.h"

namespace edgecrew::cli {

namespace {

struct LogsOptions {
  std::vector<std::string> services;
  std::optional<int> tail;
};

int run_logs(Context& ctx, const LogsOptions& opt) {
  if (opt.tail && *opt.tail < 0) throw CommandError(2, "--tail must be 0 or more");
  auto loaded = load_stack_for(ctx);
  auto services = select_services(ctx, loaded.stack, opt.services, false);
  auto opened = open_engine(ctx, loaded.stack);
  auto containers = observe(opened, loaded.stack);

  std::vector<std::pair<std::string, const engine::Container*>> shown;
  std::size_t width = 0;
  for (const auto* s : services) {
    const engine::Container* c = container_of(containers, s->name);
    if (c == nullptr) {
      // Naming a service that has no container is a mistake; the default "all" is not.
      if (!opt.services.empty()) {
        throw CommandError(1, fmt::format("service \"{}\" has no container: run `edgecrew up {}`",
                                          s->name, s->name));
      }
      continue;
    }
    shown.emplace_back(s->name, c);
    width = std::max(width, s->name.size());
  }
  for (const auto& [service, container] : shown) {
    // Several services' lines are told apart by a "service | " prefix, as Compose does.
    std::string prefix = shown.size() > 1 ? fmt::format("{:<{}} | ", service, width) : "";
    auto status = opened.engine->logs(container->id, {false, opt.tail},
                                      [&](std::string_view, std::string_view line) {
                                        ctx.io.out << prefix << line << "\n";
                                        return true;
                                      });
    if (!status) throw engine_error(opened, "reading the logs of " + service, status.error());
  }
  return 0;
}

}  // namespace

Verb logs_verb() {
  return {"logs", "Print the logs of the stack's containers",
          "  edgecrew logs redis              # redis's log so far\n"
          "  edgecrew logs --tail 20 vllm     # its last 20 lines\n"
          "  edgecrew logs                    # every service, each line prefixed \"service | \"",
          [](CLI::App& sub) {
            auto opt = std::make_shared<LogsOptions>();
            sub.add_option("services", opt->services,
                           "These services (default: every enabled one)");
            sub.add_option("-n,--tail", opt->tail, "Only the last N lines of each")->type_name("N");
            return [opt](Context& ctx) { return run_logs(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
