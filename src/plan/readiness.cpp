#include "plan/readiness.h"

#include <fmt/format.h>

#include <algorithm>

#include "probe/poll.h"
#include "util/strings.h"

namespace edgecrew::plan {

namespace {

using engine::ContainerState;
using std::chrono::milliseconds;

std::string seconds(milliseconds ms) {
  return fmt::format("{:.1f} s", ms.count() / 1000.0);
}

milliseconds since(Clock& clock, SteadyClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(clock.now() - start);
}

bool past_deadline(const WaitContext& context) {
  return context.deadline && context.clock.now() >= *context.deadline;
}

std::string timed_out(const WaitContext& context, const std::string& service,
                      const std::string& awaited, const std::string& what,
                      const std::string& last) {
  return fmt::format("timed out after {} waiting for {} to {}: {} last answered: {}",
                     seconds(context.budget), service, awaited, what, last);
}

// Sleeps one poll period, but not past the deadline nor `until`.
void pause(const WaitContext& context, milliseconds period, SteadyClock::time_point until) {
  auto wake = std::min(context.clock.now() + period, until);
  if (context.deadline) wake = std::min(wake, *context.deadline);
  auto left = std::chrono::ceil<milliseconds>(wake - context.clock.now());
  context.clock.sleep_for(std::max(left, milliseconds(1)));
}

std::string first_line(const std::string& text) {
  std::string line = trim(text.substr(0, text.find('\n')));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

Readiness wait_healthcheck(const WaitContext& context, const stack::Service& service,
                           const std::string& id) {
  const stack::Healthcheck& check = *service.healthcheck;
  std::vector<std::string> argv = stack::healthcheck_argv(check);
  std::string what = fmt::format("healthcheck \"{}\"", join(check.argv, " "));
  auto start = context.clock.now();
  milliseconds interval = check.interval > milliseconds(0) ? check.interval : context.poll_period;
  auto give_up_at = start + check.start_period + interval * std::max(check.retries, 0);
  milliseconds period = std::min(interval, context.exec_poll_period);

  int attempts = 0;
  while (true) {
    auto result = context.engine.exec(id, argv, check.timeout);
    ++attempts;
    std::string last;
    if (!result) {
      last = fmt::format("exec failed: {}", result.error().message);
    } else if (result->exit_code == 0) {
      return {true, fmt::format("{} passed", what)};
    } else {
      std::string output = first_line(result->output);
      last = output.empty() ? fmt::format("exit {}", result->exit_code)
                            : fmt::format("exit {}: {}", result->exit_code, output);
    }
    if (past_deadline(context)) {
      return {false, timed_out(context, service.name, "be healthy", what, last)};
    }
    if (context.clock.now() >= give_up_at) {
      return {false, fmt::format("{} is unhealthy: {} failed {} times in {}; last answer: {}",
                                 service.name, what, attempts, seconds(since(context.clock, start)),
                                 last)};
    }
    pause(context, period, give_up_at);
  }
}

}  // namespace

probe::PollOptions probe_poll_options(const stack::Service& service, Clock& clock) {
  // Compose's healthcheck timing says how long a service may take to become healthy: the
  // service's own (even `test: ["NONE"]`, which keeps the timing and runs no command), else
  // Compose's defaults (30 s x 3 retries). A model server needs its start_period: vLLM loading
  // weights takes minutes, and failures during start_period do not count.
  const stack::Healthcheck timing = service.healthcheck.value_or(stack::Healthcheck{});
  probe::PollOptions options;
  options.interval = timing.interval;
  options.timeout = timing.timeout;
  options.start_period = timing.start_period;
  options.retries = timing.retries;
  options.now = [&clock] { return clock.now(); };
  options.sleep_for = [&clock](milliseconds d) { clock.sleep_for(d); };
  return options;
}

namespace {

Readiness wait_probe(const WaitContext& context, const stack::Service& service) {
  probe::PollOptions options = probe_poll_options(service, context.clock);
  probe::ProbeResult result =
      probe::poll_probe(*service.probe, options, [&context] { return past_deadline(context); });
  if (result.ready) return {true, result.summary};
  std::string what = fmt::format("probe ({})", stack::to_string(service.probe->kind));
  if (past_deadline(context)) {
    return {false, timed_out(context, service.name, "be healthy", what, result.summary)};
  }
  return {false, fmt::format("{} is not healthy: {}: {}", service.name, what, result.summary)};
}

Readiness wait_healthy(const WaitContext& context, const stack::Service& service,
                       const std::string& id) {
  if (service.probe) return wait_probe(context, service);
  if (service.healthcheck && !service.healthcheck->disabled()) {
    return wait_healthcheck(context, service, id);
  }
  return {false,
          fmt::format("{} has neither an x-edgecrew probe nor a healthcheck to be healthy by",
                      service.name)};
}

Readiness wait_completed(const WaitContext& context, const stack::Service& service,
                         const std::string& id) {
  std::string last;
  while (true) {
    auto container = context.engine.inspect(id);
    if (!container) {
      return {false, fmt::format("cannot inspect {}: {}", service.name, container.error().message)};
    }
    if (container->state == ContainerState::exited) {
      if (container->exit_code == 0) return {true, "completed (exit 0)"};
      return {false, fmt::format("{} exited with code {}", service.name, container->exit_code)};
    }
    last = engine::to_string(container->state);
    if (past_deadline(context)) {
      return {false, timed_out(context, service.name, "complete", "inspect", last)};
    }
    pause(context, context.poll_period, SteadyClock::time_point::max());
  }
}

Readiness check_started(const WaitContext& context, const stack::Service& service,
                        const std::string& id) {
  auto container = context.engine.inspect(id);
  if (!container) {
    return {false, fmt::format("cannot inspect {}: {}", service.name, container.error().message)};
  }
  if (container->state == ContainerState::running || container->state == ContainerState::exited) {
    return {true, engine::to_string(container->state)};
  }
  return {false,
          fmt::format("{} is not started ({})", service.name, engine::to_string(container->state))};
}

}  // namespace

Readiness wait_for_condition(const WaitContext& context, const stack::Service& service,
                             const std::string& container_id,
                             stack::DependencyCondition condition) {
  switch (condition) {
    case stack::DependencyCondition::service_started:
      return check_started(context, service, container_id);
    case stack::DependencyCondition::service_healthy:
      return wait_healthy(context, service, container_id);
    case stack::DependencyCondition::service_completed_successfully:
      return wait_completed(context, service, container_id);
  }
  return check_started(context, service, container_id);
}

Readiness wait_until_ready(const WaitContext& context, const stack::Service& service,
                           const std::string& container_id) {
  auto container = context.engine.inspect(container_id);
  if (!container) {
    return {false, fmt::format("cannot inspect {}: {}", service.name, container.error().message)};
  }
  if (container->state == ContainerState::exited) {
    if (container->exit_code == 0) return {true, "completed (exit 0)"};
    return {false, fmt::format("{} exited with code {}", service.name, container->exit_code)};
  }
  bool has_healthcheck = service.healthcheck && !service.healthcheck->disabled();
  if (service.probe || has_healthcheck) return wait_healthy(context, service, container_id);
  return check_started(context, service, container_id);
}

}  // namespace edgecrew::plan
