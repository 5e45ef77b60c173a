#pragma once
// Child processes from an argv vector (never through a shell): spawn, capture or inherit their
// output, wait with a timeout, stop them (SIGTERM, then SIGKILL after a grace period). A
// Subprocess that is destroyed while its process runs stops and reaps it, so no child outlives
// the object that started it (except when edgecrew itself is killed).

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace edgecrew {

// How long a process gets between SIGTERM and SIGKILL unless the caller says otherwise.
inline constexpr std::chrono::milliseconds k_default_kill_grace{3000};

enum class StreamMode { inherit, capture, discard };

// Every member has an initializer, so that designated initializers may leave any out.
struct SubprocessOptions {
  std::vector<std::string> argv{};  // argv[0] without a '/' is looked up in edgecrew's own PATH
  std::map<std::string, std::string> env{};  // added to edgecrew's environment, replacing names
  std::vector<std::string> env_remove{};     // names taken out of the child's environment
  std::filesystem::path working_dir{};       // empty: edgecrew's working directory
  StreamMode stdout_mode = StreamMode::capture;
  StreamMode stderr_mode = StreamMode::capture;
  // stdin is always /dev/null: nothing edgecrew starts may wait for a terminal.
  // Not 0: the child gets this signal when the thread that spawned it ends, edgecrew killed by
  // SIGKILL included (PR_SET_PDEATHSIG): for services edgecrew starts that must not outlive it.
  // SIGTERM lets a service finish what it is doing (Podman completes a create in flight).
  int parent_death_signal = 0;
  // The child leads a process group of its own, so that a terminal's Ctrl-C reaches edgecrew
  // only and edgecrew decides how the child ends.
  bool own_process_group = false;
};

struct ExitStatus {
  int code = -1;   // the exit code when the process exited, else -1
  int signal = 0;  // the signal that ended it, else 0
  bool success() const { return signal == 0 && code == 0; }
  std::string describe() const;  // "exit code 1", "killed by SIGKILL"
};

class Subprocess {
 public:
  // Errors: invalid_input (empty argv), not_found (no such program), permission_denied, io.
  static Result<Subprocess> spawn(const SubprocessOptions& options);

  Subprocess(Subprocess&&) noexcept;
  Subprocess& operator=(Subprocess&&) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();  // stop() with a short grace when the process still runs

  pid_t pid() const;
  // The exit status when the process has ended (it is then reaped), without waiting.
  std::optional<ExitStatus> poll();
  // Waits up to `timeout` for the process to end; Error kind timeout when it still runs.
  Result<ExitStatus> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL when it has not ended after `grace`; returns once it is reaped.
  ExitStatus stop(std::chrono::milliseconds grace = k_default_kill_grace);

  // What the process wrote so far to a captured stream; complete once it has been reaped.
  std::string stdout_text() const;
  std::string stderr_text() const;

  struct State;  // the process, its pipes and the thread that drains them

 private:
  explicit Subprocess(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

struct Completed {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs a program to its end, capturing its output; kills it and returns Error kind timeout
// (naming the program and the time) when it runs longer than `timeout`.
Result<Completed> run_process(SubprocessOptions options, std::chrono::milliseconds timeout);

}  // namespace edgecrew
