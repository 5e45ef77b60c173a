#include "plan/clock.h"

#include <thread>

namespace edgecrew::plan {

namespace {

class RealClock final : public Clock {
 public:
  SteadyClock::time_point now() override { return SteadyClock::now(); }
  void sleep_for(std::chrono::milliseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
};

}  // namespace

Clock& real_clock() {
  static RealClock clock;
  return clock;
}

}  // namespace edgecrew::plan
