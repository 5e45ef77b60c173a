#pragma once
// Stopping and removing one container, shared by apply (recreate, orphans, duplicates) and
// teardown, so that both honour the service's stop_grace_period and stop_signal the same way.

#include <chrono>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "plan/events.h"
#include "stack/model.h"

namespace edgecrew::plan {

// The default grace of `docker stop` and Compose, for a container whose service is gone.
inline constexpr std::chrono::milliseconds k_default_stop_grace{10'000};

struct StopSpec {
  std::chrono::milliseconds grace = k_default_stop_grace;
  std::string signal;  // "" = SIGTERM
};

// From the service (null for an orphan), unless `override_grace` (down -t) is set.
StopSpec stop_spec(const stack::Service* service,
                   std::optional<std::chrono::milliseconds> override_grace);

// Stops the container (unless `stop` is false: it is not running) and removes it, emitting
// stopping / removed for `service`. Returns "" or one line why it failed.
std::string stop_and_remove(engine::Engine& engine, EventStream& events, const std::string& service,
                            const std::string& id, const StopSpec& spec, bool stop = true);

}  // namespace edgecrew::plan
