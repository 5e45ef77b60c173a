#pragma once
// Deadlines on the monotonic clock: one budget shared by every step of an operation (connect,
// send, receive), so that the steps together never take longer than the caller allowed.

#include <algorithm>
#include <chrono>

namespace edgecrew {

using SteadyClock = std::chrono::steady_clock;

class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget)
      : m_start(SteadyClock::now()), m_budget(std::max(budget, std::chrono::milliseconds(0))) {}

  std::chrono::milliseconds budget() const { return m_budget; }
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - m_start);
  }
  // Never negative; rounded up, so that a positive sub-millisecond rest is not taken as expired.
  std::chrono::milliseconds remaining() const {
    auto left = m_start + m_budget - SteadyClock::now();
    if (left <= SteadyClock::duration::zero()) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(left);
  }
  bool expired() const { return SteadyClock::now() >= m_start + m_budget; }
  // The remaining time, but at most `cap`.
  std::chrono::milliseconds remaining_at_most(std::chrono::milliseconds cap) const {
    return std::min(remaining(), cap);
  }

 private:
  SteadyClock::time_point m_start;
  std::chrono::milliseconds m_budget;
};

}  // namespace edgecrew
