// `logs [-f] [--tail N] [SERVICE...]`: each service's log, "service | " prefixed when several;
// with -f, one follower per service that moves on to the service's next container (a restart or
// a recreate) and ends once the service has had no running container for a while.

#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "cli/engine_source.h"
#include "cli/verbs.h"
#include "util/clock.h"

namespace edgecrew::cli {

namespace {

// After a container stops, how long `logs -f` waits for the service's next one (a restart policy,
// `edgecrew restart`, a recreate by `up`) before it stops following that service.
constexpr std::chrono::milliseconds k_follow_reattach_window{5'000};
constexpr std::chrono::milliseconds k_follow_relist_period{250};

struct LogsOptions {
  std::vector<std::string> services;
  std::optional<int> tail;
  bool follow = false;
};

// The lines of a container's log so far (its whole log, however long).
std::size_t count_lines(engine::Engine& engine, const std::string& id) {
  std::size_t n = 0;
  (void)engine.logs(id, {}, [&n](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

// Follows one service across its containers. Writes under `out_mutex`; returns "" or why it
// stopped early.
std::string follow_service(Context& ctx, const OpenedEngine& opened, const std::string& project,
                           const std::string& service, engine::Container container,
                           std::optional<int> tail, const std::string& prefix,
                           std::mutex& out_mutex) {
  engine::Engine& engine = *opened.engine;
  // Lines of the current container already shown, or skipped by --tail: a container that
  // restarts keeps its log, and following it again must not repeat them.
  std::size_t seen = 0;
  if (tail) {
    std::size_t all = count_lines(engine, container.id);
    seen = all > static_cast<std::size_t>(*tail) ? all - *tail : 0;
  }
  while (true) {
    // Without a tail the whole log comes again: skip what was shown, and count it all anew.
    std::size_t skip = tail ? 0 : seen;
    if (!tail) seen = 0;
    auto status =
        engine.logs(container.id, {true, tail}, [&](std::string_view, std::string_view line) {
          ++seen;
          if (skip > 0) {
            --skip;
            return true;
          }
          std::lock_guard lock(out_mutex);
          ctx.io.out << prefix << line << "\n" << std::flush;
          return true;
        });
    if (!status) return fmt::format("{}: {}", service, status.error().message);
    tail.reset();
    // The container stopped: wait for the service's next one to run.
    Deadline window(k_follow_reattach_window);
    std::optional<engine::Container> next;
    while (!next && !window.expired()) {
      std::this_thread::sleep_for(k_follow_relist_period);
      auto listed = engine.list(project);
      if (!listed) continue;
      const engine::Container* c = container_of(*listed, service);
      if (c == nullptr || c->state != engine::ContainerState::running) continue;
      // Running: a new container, or this one started again. Podman lists start times in whole
      // seconds, so a restart within the second looks like the run already followed; following
      // that run again would repeat nothing (`seen` skips what was shown), so either is taken.
      next = *c;
    }
    if (!next) return {};
    if (next->id != container.id) seen = 0;  // a new container: its whole log is new
    container = *next;
  }
}

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
  if (opt.follow) {
    std::mutex out_mutex;
    std::vector<std::string> failures(shown.size());
    std::vector<std::thread> followers;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      const auto& [service, container] = shown[i];
      std::string prefix = shown.size() > 1 ? fmt::format("{:<{}} | ", service, width) : "";
      followers.emplace_back([&, i, service = service, container = *container, prefix] {
        failures[i] = follow_service(ctx, opened, loaded.stack.name, service, container, opt.tail,
                                     prefix, out_mutex);
      });
    }
    for (auto& t : followers) t.join();
    for (const auto& why : failures) {
      if (!why.empty()) throw CommandError(1, "logs -f: " + why);
    }
    return 0;
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
          "  edgecrew logs                    # every service, each line prefixed \"service | \"\n"
          "  edgecrew logs -f redis           # and what it writes next, across restarts",
          [](CLI::App& sub) {
            auto opt = std::make_shared<LogsOptions>();
            sub.add_option("services", opt->services,
                           "These services (default: every enabled one)");
            sub.add_option("-n,--tail", opt->tail, "Only the last N lines of each")->type_name("N");
            sub.add_flag("-f,--follow", opt->follow,
                         "Keep printing new lines, following each service to its next container");
            return [opt](Context& ctx) { return run_logs(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
