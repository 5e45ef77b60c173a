#pragma once
// The executor's time source: waits (healthchecks, one-shots, --wait-timeout) read and sleep on
// it, so that tests replace it with a virtual clock and run the waits in no real time.

#include <chrono>

#include "util/clock.h"

namespace edgecrew::plan {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyClock::time_point now() = 0;
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

// The monotonic clock and std::this_thread::sleep_for.
Clock& real_clock();

}  // namespace edgecrew::plan
