#pragma once
// Waiting for a service's first successful probe.
//
// Attempts follow one another every min(interval, k_ready_poll_period): the Compose interval
// spaces checks on a running service, but while waiting for readiness the delay between "ready"
// and "noticed" is what the user waits for, and an attempt on a local port costs about a
// millisecond. Failures during start_period do not count; polling gives up once the probe has
// kept failing for retries x interval after it (the point where Compose calls a container
// unhealthy), stops at the first permanent failure (a wrong password will not fix itself), waits
// k_rate_limit_backoff after a rate limit, and stops when `cancelled` says so (the executor's
// overall --wait-timeout, or Ctrl-C).

#include <chrono>
#include <functional>

#include "probe/probe.h"
#include "stack/model.h"
#include "util/clock.h"

namespace edgecrew::probe {

// Readiness is noticed within this period (plus one attempt) of the service becoming ready.
inline constexpr std::chrono::milliseconds k_ready_poll_period{50};
// Neo4j locks a user out for 5 s (dbms.security.auth_lock_time) after repeated failed logins.
inline constexpr std::chrono::milliseconds k_rate_limit_backoff{5000};

struct PollOptions {
  std::chrono::milliseconds interval{5000};                     // Compose healthcheck.interval
  std::chrono::milliseconds timeout = k_default_probe_timeout;  // one attempt
  std::chrono::milliseconds start_period{0};
  int retries = 3;
  // The time source; unset = the monotonic clock and a real sleep. The executor passes its own,
  // so that tests run long waits (vLLM's start_period) in no real time.
  std::function<SteadyClock::time_point()> now{};
  std::function<void(std::chrono::milliseconds)> sleep_for{};
};

// The first ready result, or the last failed one; `took` is the whole wait.
ProbeResult poll_probe(const stack::Probe& probe, const PollOptions& options,
                       const std::function<bool()>& cancelled = {});

}  // namespace edgecrew::probe
