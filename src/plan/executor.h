#pragma once
// Applying a Plan through an Engine (`up`), and taking a project down (`down`).
//
// apply: orphan and duplicate removals first, then the services level by level
// (stack::dependency_order), the services of a level in parallel on at most `parallelism`
// threads. Per service: pull the image unless the engine has it, ensure its named volumes, stop
// and remove the old container (recreate), create, wait for each dependency's depends_on
// condition, start; a paused container is unpaused. The first failure in a level stops the levels
// after it. With `wait`, every service's readiness is awaited at the end, within `wait_timeout`.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "plan/clock.h"
#include "plan/events.h"
#include "plan/plan.h"
#include "probe/poll.h"

namespace edgecrew::plan {

inline constexpr int k_default_parallelism = 4;
inline constexpr std::chrono::milliseconds k_default_wait_timeout{300'000};
inline constexpr std::chrono::milliseconds k_exec_healthcheck_period{1000};
// up without --wait looks once, this long after its last start, for containers it started that
// have already exited with an error (a bad command, a missing file): such a failure shows within
// the start itself. A later crash is what --wait (or ps) is for: Compose's `up -d` succeeds for a
// service that is merely started, and waiting longer would make every up slower.
inline constexpr std::chrono::milliseconds k_start_settle{100};

struct ExecutorOptions {
  int parallelism = k_default_parallelism;
  bool wait = false;  // up --wait
  std::chrono::milliseconds wait_timeout = k_default_wait_timeout;
  bool remove_volumes = false;                            // down --volumes; external volumes never
  std::optional<std::chrono::milliseconds> stop_timeout;  // down -t: instead of stop_grace_period
  EventSink events;                                       // called under one lock; may be empty
  Clock* clock = nullptr;                                 // null = real_clock()
  std::chrono::milliseconds poll_period = probe::k_ready_poll_period;
  // Between healthcheck runs through the engine (at most the healthcheck's interval): each run is
  // a process in the container, and on Podman an exec session whose conmon lingers 5 minutes.
  std::chrono::milliseconds exec_poll_period = k_exec_healthcheck_period;
  std::chrono::milliseconds start_settle = k_start_settle;  // without --wait; 0 = no check
};

struct ServiceFailure {
  std::string service;
  std::string why;  // one line
};

struct ExecutionResult {
  std::vector<ServiceFailure> failures;
  std::vector<std::string> skipped;  // services of levels not attempted after a failure
  // teardown: what existed and was removed (engine names).
  std::vector<std::string> removed_volumes;
  std::vector<std::string> removed_networks;
  std::vector<std::string> networks_in_use;  // kept: containers outside the project use them
  bool ok() const { return failures.empty(); }
};

ExecutionResult apply(engine::Engine& engine, const Plan& plan, const ExecutorOptions& options);

// Stops every container of the project in reverse dependency order (containers of services the
// stack does not know first), a level's in parallel, each with its service's stop_grace_period and
// stop_signal, removes them, then the stack's networks that are not external, then, with
// remove_volumes, the stack's volumes that are not external and the containers' anonymous volumes.
// A failure does not stop the teardown: everything that can go, goes; the result lists the rest.
ExecutionResult teardown(engine::Engine& engine, const stack::Stack& stack,
                         const ExecutorOptions& options);

}  // namespace edgecrew::plan
