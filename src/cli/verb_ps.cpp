#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/engine_source.h"
#include "cli/table.h"
#include "cli/verbs.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

using engine::Container;
using engine::ContainerState;

struct PsOptions {
  bool json = false;
};

// Docker's wording, coarser: "3 minutes", "2 hours", "4 days".
std::string how_long(std::chrono::system_clock::duration d) {
  long s = std::max<long>(0, std::chrono::duration_cast<std::chrono::seconds>(d).count());
  auto unit = [](long n, const char* name) {
    return fmt::format("{} {}{}", n, name, n == 1 ? "" : "s");
  };
  if (s < 60) return unit(s, "second");
  if (s < 3600) return unit(s / 60, "minute");
  if (s < 48 * 3600) return unit(s / 3600, "hour");
  return unit(s / 86400, "day");
}

std::string status_of(const Container& c, std::chrono::system_clock::time_point now) {
  switch (c.state) {
    case ContainerState::running:
      return "Up " + how_long(now - c.started_at);
    case ContainerState::exited:
      return fmt::format("Exited ({})", c.exit_code);
    case ContainerState::created:
      return "Created";
    case ContainerState::paused:
      return "Paused";
    case ContainerState::restarting:
      return "Restarting";
    case ContainerState::stopping:
      return "Stopping";
    case ContainerState::removing:
      return "Removing";
    case ContainerState::dead:
      return "Dead";
    case ContainerState::unknown:
      break;
  }
  return "-";
}

int run_ps(Context& ctx, const PsOptions& opt) {
  auto loaded = load_stack_for(ctx);
  auto opened = open_engine(ctx, loaded.stack);
  auto containers = observe(opened, loaded.stack);
  std::sort(containers.begin(), containers.end(), [](const Container& a, const Container& b) {
    return std::tie(a.service, a.name) < std::tie(b.service, b.name);
  });
  auto now = std::chrono::system_clock::now();
  // On the CRI each service is a pod run by a runtime handler (runc, nvidia, kata, ...).
  const bool cri = opened.kind == engine::EngineKind::cri;

  if (opt.json) {
    auto doc = nlohmann::json::array();
    for (const auto& c : containers) {
      nlohmann::json item = {{"id", c.id},           {"name", c.name},
                             {"service", c.service}, {"state", engine::to_string(c.state)},
                             {"health", c.health},   {"exit_code", c.exit_code},
                             {"ports", c.ports},     {"status", status_of(c, now)},
                             {"image", c.image}};
      if (cri) {
        // A pod whose container was never made is listed by its sandbox: no container id then.
        item["container_id"] = c.id == c.sandbox_id ? "" : c.id;
        item["sandbox_id"] = c.sandbox_id;
        item["runtime_handler"] = c.runtime_handler;
      }
      doc.push_back(std::move(item));
    }
    ctx.io.out << doc.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"SERVICE", "STATE", "HEALTH", "PORTS", "STATUS", "IMAGE"}};
  if (cri) rows.front().insert(rows.front().begin() + 1, "HANDLER");
  for (const auto& c : containers) {
    rows.push_back({c.service, engine::to_string(c.state), c.health.empty() ? "-" : c.health,
                    c.ports.empty() ? "-" : join(c.ports, ","), status_of(c, now), c.image});
    // "" is the runtime's default handler.
    if (cri) {
      rows.back().insert(rows.back().begin() + 1,
                         c.runtime_handler.empty() ? "default" : c.runtime_handler);
    }
  }
  print_table(ctx.io.out, rows);
  return 0;
}

}  // namespace

Verb ps_verb() {
  return {"ps", "List the stack's containers: state, health, ports, uptime, image",
          "  edgecrew ps           # a table\n"
          "  edgecrew ps --json    # an array of objects, with each container's id",
          [](CLI::App& sub) {
            auto opt = std::make_shared<PsOptions>();
            sub.add_flag("--json", opt->json, "Print JSON instead of a table");
            return [opt](Context& ctx) { return run_ps(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
