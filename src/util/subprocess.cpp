#include "util/subprocess.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "util/clock.h"

extern char** environ;

namespace edgecrew {

namespace {

// A destroyed Subprocess does not hold up its owner long: it only gets a short grace.
constexpr std::chrono::milliseconds k_destructor_grace{1000};
// Without a pidfd (kernels before 5.3) the exit is noticed by polling at this period.
constexpr std::chrono::milliseconds k_exit_poll_period{5};
constexpr std::size_t k_read_chunk = 64 * 1024;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

ExitStatus exit_status_of(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) s.code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) s.signal = WTERMSIG(wstatus);
  return s;
}

// The parent's environment with `extra` added (replacing variables of the same name) and the
// names in `removed` taken out.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra,
                                           const std::vector<std::string>& removed) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string name(entry.substr(0, entry.find('=')));
    if (extra.contains(name)) continue;
    if (std::find(removed.begin(), removed.end(), name) != removed.end()) continue;
    out.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) {
    if (std::find(removed.begin(), removed.end(), name) == removed.end()) {
      out.push_back(name + "=" + value);
    }
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// The program's path as execvp would find it, looked up before fork (the child may only make
// async-signal-safe calls). Empty when no executable file is found.
std::string resolve_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = ::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return {};
    dirs.remove_prefix(colon + 1);
  }
}

// The descriptors a forked child puts on 0, 1 and 2 (-1: leave as inherited).
struct ChildStreams {
  std::array<int, 3> fds{-1, -1, -1};
};

// fork + exec with PR_SET_PDEATHSIG, which posix_spawn cannot set. Between fork and exec the
// child makes only async-signal-safe calls; a failed exec sends its errno over a CLOEXEC pipe.
// Returns 0 or the errno of the failure.
int spawn_forked(pid_t& pid, const char* path, char* const argv[], char* const envp[],
                 const ChildStreams& streams, const char* working_dir, bool own_group,
                 int death_signal) {
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return errno;
  const pid_t parent = ::getpid();
  pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    return err;
  }
  if (pid == 0) {
    if (own_group) ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, death_signal);
    // The parent may have died before prctl: then no signal would come.
    if (::getppid() != parent) ::_exit(127);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int target = 0; target < 3; ++target) {
      if (streams.fds[target] >= 0) ::dup2(streams.fds[target], target);
    }
    int err = 0;
    if (working_dir != nullptr && ::chdir(working_dir) != 0) err = errno;
    if (err == 0) {
      ::execve(path, argv, envp);
      err = errno;
    }
    ssize_t ignored = ::write(report[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  ::close(report[1]);
  int err = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    return err;
  }
  return 0;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) {
    const char* name = ::sigabbrev_np(signal);
    return name != nullptr ? fmt::format("killed by SIG{}", name)
                           : fmt::format("killed by signal {}", signal);
  }
  return fmt::format("exit code {}", code);
}

struct Subprocess::State {
  std::string program;
  pid_t pid = -1;
  int pidfd = -1;
  std::optional<ExitStatus> status;

  // Read ends of the captured streams; the reader thread owns them until it is joined.
  std::array<int, 2> pipe_fds{-1, -1};
  int stop_read = -1;
  int stop_write = -1;
  std::thread reader;
  mutable std::mutex mutex;
  std::array<std::string, 2> captured;

  ~State() {
    finish_reader();
    close_fd(pidfd);
  }

  void append(std::size_t stream, const char* data, std::size_t size) {
    std::lock_guard lock(mutex);
    captured[stream].append(data, size);
  }

  // Reads what is there; false once the stream is at its end (or failed).
  bool read_available(std::size_t stream) {
    char buffer[k_read_chunk];
    while (true) {
      ssize_t n = ::read(pipe_fds[stream], buffer, sizeof buffer);
      if (n > 0) {
        append(stream, buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      close_fd(pipe_fds[stream]);
      return false;
    }
  }

  // Drains both pipes until they end or stop is signalled; a grandchild that keeps a pipe open
  // must not keep the thread (and so the owner's destructor) waiting.
  void drain() {
    while (pipe_fds[0] >= 0 || pipe_fds[1] >= 0) {
      std::array<pollfd, 3> fds{pollfd{pipe_fds[0], POLLIN, 0}, pollfd{pipe_fds[1], POLLIN, 0},
                                pollfd{stop_read, POLLIN, 0}};
      int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      bool stopping = fds[2].revents != 0;
      for (std::size_t i = 0; i < 2; ++i) {
        if (pipe_fds[i] >= 0 && (stopping || fds[i].revents != 0)) read_available(i);
      }
      if (stopping) break;
    }
    close_fd(pipe_fds[0]);
    close_fd(pipe_fds[1]);
  }

  void finish_reader() {
    if (reader.joinable()) {
      char byte = 1;
      ssize_t ignored = ::write(stop_write, &byte, 1);
      (void)ignored;
      reader.join();
    }
    close_fd(stop_read);
    close_fd(stop_write);
    close_fd(pipe_fds[0]);
    close_fd(pipe_fds[1]);
  }

  void reaped(int wstatus) {
    status = exit_status_of(wstatus);
    // The process is gone: what it wrote is in the pipes, and drain() takes it before stopping.
    finish_reader();
  }
};

Subprocess::Subprocess(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Subprocess::Subprocess(Subprocess&&) noexcept = default;
Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (m_state && !m_state->status) stop(k_destructor_grace);
    m_state = std::move(other.m_state);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (m_state && !m_state->status) stop(k_destructor_grace);
}

Result<Subprocess> Subprocess::spawn(const SubprocessOptions& options) {
  if (options.argv.empty()) return Error{ErrorKind::invalid_input, "no program to run"};
  auto state = std::make_unique<State>();
  state->program = options.argv.front();

  SpawnSetup setup;
  ChildStreams streams;
  // stdin is /dev/null; O_CLOEXEC on every descriptor created here keeps them out of children
  // that other threads spawn at the same time (dup2 into 0-2 clears the flag in this child).
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  int null_in = options.parent_death_signal != 0 ? ::open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
  int null_out = options.parent_death_signal != 0 ? ::open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
  streams.fds[0] = null_in;
  std::array<int, 2> write_ends{-1, -1};
  auto close_all = [&] {
    close_fd(write_ends[0]);
    close_fd(write_ends[1]);
    close_fd(null_in);
    close_fd(null_out);
  };
  const std::array<StreamMode, 2> modes{options.stdout_mode, options.stderr_mode};
  for (std::size_t i = 0; i < 2; ++i) {
    int target = i == 0 ? STDOUT_FILENO : STDERR_FILENO;
    if (modes[i] == StreamMode::discard) {
      posix_spawn_file_actions_addopen(&setup.actions, target, "/dev/null", O_WRONLY, 0);
      streams.fds[target] = null_out;
    } else if (modes[i] == StreamMode::capture) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) {
        close_all();
        return Error{ErrorKind::io, fmt::format("cannot create a pipe: {}", std::strerror(errno))};
      }
      state->pipe_fds[i] = fds[0];
      write_ends[i] = fds[1];
      ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
      posix_spawn_file_actions_adddup2(&setup.actions, fds[1], target);
      streams.fds[target] = fds[1];
    }
  }
  if (!options.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_dir.c_str());
  }
  // The child starts with no blocked signals and default dispositions: an ignored SIGPIPE or
  // SIGTERM in edgecrew must not leak into the programs it starts.
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&setup.attr, &signals);
  sigfillset(&signals);
  sigdelset(&signals, SIGKILL);
  sigdelset(&signals, SIGSTOP);
  posix_spawnattr_setsigdefault(&setup.attr, &signals);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (options.own_process_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&setup.attr, 0);
  }
  posix_spawnattr_setflags(&setup.attr, flags);

  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = child_environment(options.env, options.env_remove);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  int err = 0;
  if (options.parent_death_signal != 0) {
    std::string path = resolve_program(state->program);
    err = path.empty()
              ? ENOENT
              : spawn_forked(state->pid, path.c_str(), argv.data(), envp.data(), streams,
                             options.working_dir.empty() ? nullptr : options.working_dir.c_str(),
                             options.own_process_group, options.parent_death_signal);
  } else {
    // glibc's posix_spawnp reports a failed exec (no such program, not executable) as its result.
    err =
        ::posix_spawnp(&state->pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  }
  close_all();
  if (err != 0) {
    std::string where = options.working_dir.empty()
                            ? std::string()
                            : fmt::format(" in {}", options.working_dir.string());
    std::string why = err == ENOENT && state->program.find('/') == std::string::npos
                          ? "not found in PATH"
                          : std::strerror(err);
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot run {}{}: {}", state->program, where, why)};
  }

  state->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, state->pid, 0));
  if (state->pipe_fds[0] >= 0 || state->pipe_fds[1] >= 0) {
    int stop[2];
    if (::pipe2(stop, O_CLOEXEC) == 0) {
      state->stop_read = stop[0];
      state->stop_write = stop[1];
      state->reader = std::thread([s = state.get()] { s->drain(); });
    } else {
      // Without a stop pipe the output is dropped rather than risk blocking the child.
      close_fd(state->pipe_fds[0]);
      close_fd(state->pipe_fds[1]);
    }
  }
  return Subprocess(std::move(state));
}

pid_t Subprocess::pid() const {
  return m_state->pid;
}

std::optional<ExitStatus> Subprocess::poll() {
  if (m_state->status) return m_state->status;
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(m_state->pid, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == m_state->pid) m_state->reaped(wstatus);
  return m_state->status;
}

Result<ExitStatus> Subprocess::wait(std::chrono::milliseconds timeout) {
  Deadline deadline(timeout);
  while (true) {
    if (m_state->status) return *m_state->status;
    int wstatus = 0;
    pid_t r = ::waitpid(m_state->pid, &wstatus, WNOHANG);
    if (r == m_state->pid) {
      m_state->reaped(wstatus);
      continue;
    }
    if (r < 0 && errno != EINTR) {
      return Error{ErrorKind::io, fmt::format("cannot wait for {} (pid {}): {}", m_state->program,
                                              m_state->pid, std::strerror(errno))};
    }
    if (deadline.expired()) {
      return Error{ErrorKind::timeout,
                   fmt::format("{} (pid {}) still running after {} ms", m_state->program,
                               m_state->pid, timeout.count())};
    }
    if (m_state->pidfd >= 0) {
      // A pidfd becomes readable when the process ends.
      pollfd fd{m_state->pidfd, POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(deadline.remaining().count()));
    } else {
      std::this_thread::sleep_for(deadline.remaining_at_most(k_exit_poll_period));
    }
  }
}

ExitStatus Subprocess::stop(std::chrono::milliseconds grace) {
  if (m_state->status) return *m_state->status;
  ::kill(m_state->pid, SIGTERM);
  if (auto ended = wait(grace)) return *ended;
  ::kill(m_state->pid, SIGKILL);
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(m_state->pid, &wstatus, 0);
  } while (r < 0 && errno == EINTR);
  if (r == m_state->pid) {
    m_state->reaped(wstatus);
  } else {
    // Reaped elsewhere (SIGCHLD ignored): all that is known is that SIGKILL was sent.
    m_state->status = ExitStatus{-1, SIGKILL};
    m_state->finish_reader();
  }
  return *m_state->status;
}

std::string Subprocess::stdout_text() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->captured[0];
}

std::string Subprocess::stderr_text() const {
  std::lock_guard lock(m_state->mutex);
  return m_state->captured[1];
}

Result<Completed> run_process(SubprocessOptions options, std::chrono::milliseconds timeout) {
  options.stdout_mode = StreamMode::capture;
  options.stderr_mode = StreamMode::capture;
  auto child = Subprocess::spawn(options);
  if (!child) return child.error();
  auto status = child->wait(timeout);
  if (!status) {
    child->stop();
    if (status.error().kind != ErrorKind::timeout) return status.error();
    return Error{ErrorKind::timeout, fmt::format("{} did not finish within {} ms; stopped it",
                                                 options.argv.front(), timeout.count())};
  }
  return Completed{*status, child->stdout_text(), child->stderr_text()};
}

}  // namespace edgecrew
