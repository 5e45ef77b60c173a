#pragma once
// Runs fn(0) .. fn(count - 1) on at most `parallelism` threads and returns when all are done.

#include <cstddef>
#include <functional>

namespace edgecrew::plan {

// fn must not throw. With one thread (or one item) everything runs on the caller's thread.
void run_parallel(std::size_t count, int parallelism, const std::function<void(std::size_t)>& fn);

}  // namespace edgecrew::plan
