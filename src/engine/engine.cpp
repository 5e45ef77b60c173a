#include "engine/engine.h"

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

}  // namespace edgecrew::engine
