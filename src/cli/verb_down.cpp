#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>

#include "cli/engine_source.h"
#include "cli/event_lines.h"
#include "cli/progress_board.h"
#include "cli/project_lock.h"
#include "cli/verbs.h"
#include "plan/executor.h"

namespace edgecrew::cli {

namespace {

struct DownOptions {
  std::optional<double> timeout_s;
  bool volumes = false;
  bool remove_orphans = false;  // accepted for Compose: down always removes them
  double wait_lock_s = static_cast<double>(k_default_wait_lock.count());
};

int run_down(Context& ctx, const DownOptions& opt) {
  if (opt.timeout_s && *opt.timeout_s < 0) throw CommandError(2, "-t must be 0 seconds or more");
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto opened = open_engine(ctx, st);
  ProjectLock lock(ctx, st.name, opened.lock_key, "down",
                   std::chrono::milliseconds(static_cast<long>(opt.wait_lock_s * 1000)));
  auto containers = observe(opened, st);

  std::vector<std::string> names;
  for (const auto& c : containers) names.push_back(c.service);
  for (const auto& [key, n] : st.networks) {
    if (!n.external) names.push_back(n.name);
  }
  if (opt.volumes) {
    for (const auto& [key, v] : st.volumes) names.push_back(v.name);
  }
  plan::ExecutorOptions options;
  options.remove_volumes = opt.volumes;
  if (opt.timeout_s) {
    options.stop_timeout = std::chrono::milliseconds(static_cast<long>(*opt.timeout_s * 1000));
  }
  options.events = progress_sink(ctx.io.out, ctx.io.out_is_terminal, names);
  const auto started = std::chrono::steady_clock::now();
  auto result = plan::teardown(*opened.engine, st, options);
  if (!result.ok()) {
    print_failures(ctx.io.err, "down", result);
    // A stop or remove the engine did not answer in time: say that down stopped waiting, and when.
    bool timed_out = std::any_of(result.failures.begin(), result.failures.end(), [](const auto& f) {
      return f.why.find("timed out") != std::string::npos;
    });
    if (timed_out) {
      auto waited = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::steady_clock::now() - started);
      ctx.io.err << fmt::format(
          "down: timeout: gave up waiting for the engine after {} s; what is listed above may "
          "still be there: run `edgecrew down` again once the engine answers\n",
          waited.count());
    }
    return 1;
  }
  std::string line = fmt::format("{}: {} container(s) removed", st.name, containers.size());
  if (!result.removed_networks.empty()) {
    line += fmt::format(", network(s) removed: {}", fmt::join(result.removed_networks, " "));
  }
  for (const std::string& name : result.networks_in_use) {
    ctx.io.err << fmt::format(
        "edgecrew: warning: network {} kept: containers outside project {} still use it (it goes "
        "with the next `edgecrew down` once they are gone, or `podman network rm -f {}` removes "
        "them with it)\n",
        name, st.name, name);
  }
  if (opt.volumes) {
    line += result.removed_volumes.empty()
                ? std::string(", no volume to remove")
                : fmt::format(", volume(s) removed: {}", fmt::join(result.removed_volumes, " "));
  } else {
    line += ", named volumes kept";
  }
  ctx.io.out << line << "\n";
  return 0;
}

}  // namespace

Verb down_verb() {
  return {"down", "Stop and remove the stack's containers and networks (volumes are kept)",
          "  edgecrew down              # containers and project networks go, volumes stay\n"
          "  edgecrew down -t 2         # wait 2 s after SIGTERM instead of stop_grace_period\n"
          "  edgecrew down --volumes    # also remove named and anonymous volumes (data is lost)",
          [](CLI::App& sub) {
            auto opt = std::make_shared<DownOptions>();
            sub.add_option("-t,--timeout", opt->timeout_s,
                           "Seconds to wait for each container to stop before killing it")
                ->type_name("S");
            sub.add_flag("--volumes", opt->volumes,
                         "Also remove the stack's named volumes (not external ones) and the "
                         "containers' anonymous volumes");
            sub.add_flag(
                "--remove-orphans", opt->remove_orphans,
                "Accepted for Compose: down always removes containers of removed services");
            sub.add_option("--wait-lock", opt->wait_lock_s,
                           "Seconds to wait while another edgecrew changes this project")
                ->type_name("S")
                ->capture_default_str();
            return [opt](Context& ctx) { return run_down(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
