#pragma once
// What edgecrew undoes when SIGINT or SIGTERM ends it: the children it owns stopped, their
// folders removed. Owners register a cleanup for as long as there is something to undo; the
// command layer installs the handling and decides how the process ends.

#include <cstdint>
#include <functional>

namespace edgecrew {

// A cleanup registered for as long as the object lives.
class InterruptCleanup {
 public:
  explicit InterruptCleanup(std::function<void()> cleanup);
  InterruptCleanup(const InterruptCleanup&) = delete;
  InterruptCleanup& operator=(const InterruptCleanup&) = delete;
  ~InterruptCleanup();  // unregisters; waits while the cleanup runs on the interrupt's thread

 private:
  std::uint64_t m_id;
};

// Runs every registered cleanup once, newest first; returns how many ran.
int run_interrupt_cleanups();

// Installs SIGINT and SIGTERM handlers for the whole process: the first signal calls
// `on_interrupt(signal)` on a thread of its own (which should run the cleanups and end the
// process); a second one ends the process at once with 128 + signal.
void install_interrupt_handling(std::function<void(int signal)> on_interrupt);

}  // namespace edgecrew
