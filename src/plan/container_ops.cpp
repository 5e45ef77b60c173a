#include "plan/container_ops.h"

#include <fmt/format.h>

namespace edgecrew::plan {

StopSpec stop_spec(const stack::Service* service,
                   std::optional<std::chrono::milliseconds> override_grace) {
  StopSpec spec;
  if (service != nullptr) {
    spec.grace = service->stop_grace_period;
    spec.signal = service->stop_signal;
  }
  if (override_grace) spec.grace = *override_grace;
  return spec;
}

std::string stop_and_remove(engine::Engine& engine, EventStream& events, const std::string& service,
                            const std::string& id, const StopSpec& spec, bool stop) {
  std::string short_id = id.substr(0, 12);
  if (stop) {
    events.emit(service, Phase::stopping, short_id);
    if (auto status = engine.stop(id, spec.grace, spec.signal); !status) {
      return fmt::format("stop {} failed: {}", short_id, status.error().message);
    }
  }
  if (auto status = engine.remove(id); !status) {
    return fmt::format("remove {} failed: {}", short_id, status.error().message);
  }
  events.emit(service, Phase::removed, short_id);
  return {};
}

}  // namespace edgecrew::plan
