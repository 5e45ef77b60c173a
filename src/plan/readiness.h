#pragma once
// Waiting for a service to satisfy a depends_on condition, or to be ready at the end of `up
// --wait`: its x-edgecrew probe (native, probe::poll_probe) when it has one, else its Compose
// healthcheck run through Engine::exec, with the healthcheck's interval, timeout, retries and
// start_period; a one-shot is ready once it exited 0.

#include <chrono>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "plan/clock.h"
#include "probe/poll.h"
#include "stack/model.h"

namespace edgecrew::plan {

struct WaitContext {
  engine::Engine& engine;
  Clock& clock;
  // Attempts follow one another every min(interval, poll_period), as in probe::poll_probe.
  std::chrono::milliseconds poll_period;
  // The same for a compose healthcheck run through the engine, which costs far more than a probe.
  std::chrono::milliseconds exec_poll_period;
  // --wait-timeout; unset = only the healthcheck's own limit (retries x interval after start).
  std::optional<SteadyClock::time_point> deadline;
  std::chrono::milliseconds budget{0};  // what the deadline allowed, for the timeout message
};

struct Readiness {
  bool ready = false;
  std::string detail;  // ready: what answered; not ready: one line why, with the last answer
};

// service_completed_successfully without a deadline waits as long as the one-shot runs, as
// Compose does: a one-shot has no healthcheck whose retries could end the wait.
Readiness wait_for_condition(const WaitContext& context, const stack::Service& service,
                             const std::string& container_id, stack::DependencyCondition condition);

// Ready: exited 0 (a one-shot), healthy by probe or healthcheck when it has one, else running.
Readiness wait_until_ready(const WaitContext& context, const stack::Service& service,
                           const std::string& container_id);

// How a native probe is polled for `service`: its healthcheck's interval / timeout / retries /
// start_period (Compose's defaults when it has none), on `clock`.
probe::PollOptions probe_poll_options(const stack::Service& service, Clock& clock);

}  // namespace edgecrew::plan
