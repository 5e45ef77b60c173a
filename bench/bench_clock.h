#pragma once
// The bench drivers' one clock: milliseconds of the steady clock, to subtract.

#include <chrono>

namespace edgecrew::bench {

inline long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace edgecrew::bench
