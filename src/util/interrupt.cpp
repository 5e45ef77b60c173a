#include "util/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <thread>

namespace edgecrew {

namespace {

struct Registry {
  std::mutex mutex;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::function<void()>> cleanups;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: a signal may come during exit
  return *r;
}

std::atomic<int> g_signals{0};
int g_pipe[2] = {-1, -1};

extern "C" void on_signal(int signal) {
  if (g_signals.fetch_add(1) > 0) ::_exit(128 + signal);
  const int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signal);
  ssize_t ignored = ::write(g_pipe[1], &byte, 1);
  (void)ignored;
  errno = saved;
}

}  // namespace

InterruptCleanup::InterruptCleanup(std::function<void()> cleanup) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  m_id = r.next_id++;
  r.cleanups.emplace(m_id, std::move(cleanup));
}

InterruptCleanup::~InterruptCleanup() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.cleanups.erase(m_id);
}

int run_interrupt_cleanups() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  int ran = 0;
  for (auto it = r.cleanups.rbegin(); it != r.cleanups.rend(); ++it) {
    it->second();
    ++ran;
  }
  r.cleanups.clear();
  return ran;
}

void install_interrupt_handling(std::function<void(int signal)> on_interrupt) {
  if (g_pipe[0] >= 0 || ::pipe2(g_pipe, O_CLOEXEC) != 0) return;
  std::thread([on_interrupt = std::move(on_interrupt)] {
    unsigned char byte = 0;
    ssize_t n;
    do {
      n = ::read(g_pipe[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) on_interrupt(byte);
  }).detach();
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

}  // namespace edgecrew
