#include "plan/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace edgecrew::plan {

void run_parallel(std::size_t count, int parallelism, const std::function<void(std::size_t)>& fn) {
  std::size_t threads =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, parallelism)));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) fn(i);
  };
  if (threads <= 1) {
    worker();
    return;
  }
  std::vector<std::jthread> pool;
  pool.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
}

}  // namespace edgecrew::plan
