#include "cli/project_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "util/clock.h"
#include "util/sha256.h"

namespace edgecrew::cli {

namespace {

constexpr std::chrono::milliseconds k_lock_poll{200};

std::string env_value(const Process& process, const char* name) {
  auto it = process.environment.find(name);
  return it == process.environment.end() ? std::string() : it->second;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// What the holder wrote: "pid 123, `edgecrew up`, since 2026-12-05T20:19:34Z". The holder writes
// it just after it takes the lock: an empty note is read again for a moment before the holder is
// called unknown.
std::string holder(int fd) {
  constexpr std::chrono::milliseconds k_note_wait{100};
  Deadline deadline(k_note_wait);
  for (;;) {
    char buffer[256];
    ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    std::string text(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    if (!text.empty()) return text;
    if (deadline.expired()) return "another edgecrew";
    std::this_thread::sleep_for(deadline.remaining_at_most(std::chrono::milliseconds(10)));
  }
}

std::string safe_name(const std::string& project) {
  std::string out;
  for (char c : project)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out;
}

}  // namespace

std::filesystem::path lock_dir(const Process& process) {
  const std::string runtime = env_value(process, "XDG_RUNTIME_DIR");
  if (!runtime.empty()) return std::filesystem::path(runtime) / "edgecrew";
  if (::geteuid() == 0) return "/run/edgecrew";
  return fmt::format("/tmp/edgecrew-{}", ::geteuid());
}

ProjectLock::ProjectLock(const Context& ctx, const std::string& project,
                         const std::string& endpoint, const std::string& verb,
                         std::chrono::milliseconds wait) {
  const std::string file =
      fmt::format("{}-{}.lock", safe_name(project), sha256_hex(endpoint).substr(0, 16));
  std::error_code ec;
  std::filesystem::path dir = lock_dir(ctx.process);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    dir = fmt::format("/tmp/edgecrew-{}", ::geteuid());
    std::filesystem::create_directories(dir, ec);
  }
  m_path = dir / file;
  // O_CLOEXEC: a child (the private Podman service) must not keep the lock.
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    throw CommandError(1, fmt::format("cannot open the lock file {} of project {}: {}",
                                      m_path.string(), project, std::strerror(errno)));
  }
  Deadline deadline(wait);
  bool said = false;
  while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      const int err = errno;
      ::close(m_fd);
      throw CommandError(1, fmt::format("cannot lock {}: {}", m_path.string(), std::strerror(err)));
    }
    const std::string who = holder(m_fd);
    if (deadline.expired()) {
      ::close(m_fd);
      throw CommandError(
          1, fmt::format("project {} on {} is busy: {} still holds its lock ({}) after {} s; "
                         "let it finish, or pass --wait-lock SECONDS to wait longer",
                         project, endpoint, who, m_path.string(),
                         std::chrono::duration_cast<std::chrono::seconds>(wait).count()));
    }
    if (!said) {
      ctx.io.err << fmt::format(
          "edgecrew: project {} on {} is locked by {}; waiting up to {} s (--wait-lock)\n", project,
          endpoint, who, std::chrono::duration_cast<std::chrono::seconds>(wait).count());
      said = true;
    }
    std::this_thread::sleep_for(deadline.remaining_at_most(k_lock_poll));
  }
  const std::string me =
      fmt::format("pid {}, `edgecrew {}`, since {}\n", ::getpid(), verb, now_utc());
  if (::ftruncate(m_fd, 0) == 0) {
    ssize_t ignored = ::pwrite(m_fd, me.data(), me.size(), 0);
    (void)ignored;
  }
}

ProjectLock::~ProjectLock() {
  if (m_fd < 0) return;
  if (::ftruncate(m_fd, 0) != 0) {
    // Only the holder's note is left behind; the lock goes with the descriptor.
  }
  ::close(m_fd);
}

}  // namespace edgecrew::cli
