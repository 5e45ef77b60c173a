#include "engine/engine.h"

#include <fmt/format.h>

namespace edgecrew::engine {

const char* to_string(ContainerState state) {
  switch (state) {
    case ContainerState::created:
      return "created";
    case ContainerState::running:
      return "running";
    case ContainerState::paused:
      return "paused";
    case ContainerState::exited:
      return "exited";
    case ContainerState::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string human_size(std::int64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  const char* units[] = {"kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1000.0;
  int unit = 0;
  while (value >= 1000.0 && unit < 3) {
    value /= 1000.0;
    ++unit;
  }
  return fmt::format("{:.{}f} {}", value, value < 10.0 ? 1 : 0, units[unit]);
}

std::string describe(const PullProgress& progress) {
  std::string out =
      progress.layer.empty() ? progress.status : progress.layer + ": " + progress.status;
  if (progress.total > 0) {
    out += fmt::format(" {} / {}", human_size(progress.current), human_size(progress.total));
  } else if (progress.current > 0) {
    out += " " + human_size(progress.current);
  }
  return out;
}

}  // namespace edgecrew::engine
