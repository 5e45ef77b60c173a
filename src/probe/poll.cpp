#include "probe/poll.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "util/clock.h"

namespace edgecrew::probe {

namespace {

using std::chrono::milliseconds;

std::string seconds(milliseconds ms) {
  return fmt::format("{:.1f} s", ms.count() / 1000.0);
}

}  // namespace

ProbeResult poll_probe(const stack::Probe& probe, const PollOptions& options,
                       const std::function<bool()>& cancelled) {
  auto now = [&options] { return options.now ? options.now() : SteadyClock::now(); };
  auto sleep_for = [&options](milliseconds d) {
    if (options.sleep_for) {
      options.sleep_for(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  };
  auto start = now();
  auto interval = options.interval > milliseconds(0) ? options.interval : k_ready_poll_period;
  auto give_up_at = start + options.start_period + interval * std::max(options.retries, 0);
  auto period = std::min(interval, k_ready_poll_period);
  auto elapsed = [&] { return std::chrono::duration_cast<milliseconds>(now() - start); };

  int attempts = 0;
  while (true) {
    ProbeResult result = run_probe(probe, options.timeout);
    ++attempts;
    if (result.ready || is_permanent(result.failure)) {
      result.took = elapsed();
      return result;
    }
    if (now() >= give_up_at) {
      result.took = elapsed();
      result.summary +=
          fmt::format(" (still not ready after {}, {} attempts)", seconds(result.took), attempts);
      return result;
    }
    auto pause = result.failure == ProbeFailure::rate_limited ? k_rate_limit_backoff : period;
    // The pause ends early at the give-up point, for one last attempt there.
    auto next = std::min(now() + pause, give_up_at);
    while (true) {
      if (cancelled && cancelled()) {
        result.took = elapsed();
        result.summary += fmt::format(" (cancelled after {})", seconds(result.took));
        return result;
      }
      auto left = next - now();
      if (left <= SteadyClock::duration::zero()) break;
      sleep_for(std::min(std::chrono::ceil<milliseconds>(left), k_ready_poll_period));
    }
  }
}

}  // namespace edgecrew::probe
