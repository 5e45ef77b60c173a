#pragma once
// One writer per project: up, down and restart hold a lock (flock on a file under the runtime
// directory) per project and engine endpoint while they change containers. A second one waits,
// saying who holds it, and gives up after --wait-lock seconds. The kernel releases the lock when
// its holder ends, however it ends.

#include <chrono>
#include <filesystem>
#include <string>

#include "cli/context.h"

namespace edgecrew::cli {

inline constexpr std::chrono::seconds k_default_wait_lock{30};

// Where the lock files go: $XDG_RUNTIME_DIR/edgecrew, /run/edgecrew for root, else
// /tmp/edgecrew-UID.
std::filesystem::path lock_dir(const Process& process);

class ProjectLock {
 public:
  // Takes the lock of `project` on `endpoint` for `verb`, waiting up to `wait` while another
  // edgecrew holds it (saying who on ctx.io.err). CommandError(1) when it is still held then.
  ProjectLock(const Context& ctx, const std::string& project, const std::string& endpoint,
              const std::string& verb, std::chrono::milliseconds wait);
  ProjectLock(const ProjectLock&) = delete;
  ProjectLock& operator=(const ProjectLock&) = delete;
  ~ProjectLock();

  const std::filesystem::path& path() const { return m_path; }

 private:
  int m_fd = -1;
  std::filesystem::path m_path;
};

}  // namespace edgecrew::cli
