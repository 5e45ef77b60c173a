#pragma once
// Finding Podman's service: the sockets a user's Podman listens on, asked in a fixed order, and,
// when none answers, a private `podman system service` that edgecrew starts and owns (the way
// `up` and the doctor reach Podman on a host without podman.socket, Debian's default).

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/interrupt.h"
#include "util/result.h"
#include "util/subprocess.h"

namespace edgecrew::engine::podman {

inline constexpr std::string_view k_api_prefix = "/v4.0.0/libpod";
inline constexpr std::string_view k_root_socket = "/run/podman/podman.sock";
inline constexpr std::chrono::milliseconds k_podman_connect_timeout{2'000};
// Discovery asks every candidate socket; one that does not answer this fast is taken as dead.
inline constexpr std::chrono::milliseconds k_podman_ping_timeout{1'000};
// A socket that takes the connection but does not answer _ping within k_podman_ping_timeout is
// asked once more for this long (a service that socket activation is starting, or a busy one);
// one still silent then is hung (stopped, or blocked on its storage): discovery fails with a
// timeout rather than start a second service on the same storage.
inline constexpr std::chrono::milliseconds k_podman_hung_timeout{10'000};
// How long a `podman system service` edgecrew starts gets to answer _ping.
inline constexpr std::chrono::milliseconds k_podman_service_start_timeout{5'000};
// The service edgecrew starts ends on its own after this long without a request (`--time`), in
// case the SIGKILL it gets when edgecrew ends is missed; edgecrew asks it more often than that.
inline constexpr std::chrono::seconds k_podman_service_idle_time{30};
inline constexpr std::chrono::seconds k_podman_service_keepalive{10};
// The variables a service edgecrew starts must not inherit: Podman 4.3's `system service` reads
// CONTAINER_HOST as a second address and exits 125 ("accepts at most 1 arg(s), received 2").
inline constexpr std::string_view k_remote_variables[] = {"CONTAINER_HOST", "CONTAINER_CONNECTION"};

// The variables that choose Podman's socket and configuration, passed in rather than read from
// the process's environment.
struct PodmanEnvironment {
  std::string container_host;           // CONTAINER_HOST: "unix:///path"
  std::string xdg_runtime_dir;          // XDG_RUNTIME_DIR: $XDG_RUNTIME_DIR/podman/podman.sock
  std::string containers_conf;          // CONTAINERS_CONF, for a service edgecrew starts
  std::string containers_storage_conf;  // CONTAINERS_STORAGE_CONF, likewise
  std::string registries_conf;          // CONTAINERS_REGISTRIES_CONF, likewise

  static PodmanEnvironment from(const std::map<std::string, std::string>& env);
};

struct DiscoveryOptions {
  std::string root_socket = std::string(k_root_socket);
  bool start_service = true;  // when no socket answers
  std::string podman_program = "podman";
  std::filesystem::path temp_root{};  // where the private socket's folder goes; empty: the system's
  std::chrono::milliseconds hung_timeout = k_podman_hung_timeout;
};

// A `podman system service` edgecrew started on a private socket in a folder named after
// edgecrew's pid. The service is tied to edgecrew: it gets SIGKILL when edgecrew ends, even by
// SIGKILL (it is spawned by a thread of this object that lives as long as it does); that thread
// asks the socket now and then, so that the service's idle timeout runs out only once nobody
// asks. Destroying the object, or SIGINT/SIGTERM in edgecrew, stops the service and removes
// the folder; a folder left by an owner that was killed is removed by the next start.
class StartedService {
 public:
  static Result<std::unique_ptr<StartedService>> spawn(const SubprocessOptions& options,
                                                       std::filesystem::path dir,
                                                       std::string socket);
  StartedService(const StartedService&) = delete;
  StartedService& operator=(const StartedService&) = delete;
  ~StartedService();

  pid_t pid() const { return m_process->pid(); }
  Subprocess& process() { return *m_process; }
  const std::filesystem::path& dir() const { return m_dir; }

 private:
  StartedService(std::filesystem::path dir, std::string socket);
  void keep_alive(const std::stop_token& stop);

  std::filesystem::path m_dir;
  std::string m_socket;
  std::optional<Subprocess> m_process;
  std::unique_ptr<InterruptCleanup> m_cleanup;
  std::jthread m_keeper;
};

// The prefix of the folders of started services: edgecrew-podman-<owner pid>-XXXXXX.
inline constexpr std::string_view k_service_dir_prefix = "edgecrew-podman-";

// Removes the service folders under `root` whose owner process is gone; returns how many.
int remove_stale_service_dirs(const std::filesystem::path& root);

// A socket discovery asks, and why: "CONTAINER_HOST" | "root" | "XDG_RUNTIME_DIR".
struct SocketCandidate {
  std::string socket;
  std::string source;
};

struct PodmanEndpoint {
  std::string socket;
  std::string source;  // "CONTAINER_HOST" | "root" | "XDG_RUNTIME_DIR" | "started"
  std::unique_ptr<StartedService> service;  // set when source is "started"
  std::vector<SocketCandidate> silent;      // the candidates asked before that did not answer

  std::string describe() const;  // for `-v`: "podman socket /run/podman/podman.sock (root)"
  // CONTAINER_HOST's socket when it was set but did not answer (a stale variable), else empty.
  std::string stale_container_host() const;
};

// What to tell a user whose CONTAINER_HOST names `socket`, which does not answer.
std::string stale_container_host_advice(const std::string& socket);

// GET _ping on `socket`: ok when it answers "OK".
Status ping(const std::string& socket, std::chrono::milliseconds timeout = k_podman_ping_timeout);

// The sockets discovery asks, in order: CONTAINER_HOST, then the root socket, then
// $XDG_RUNTIME_DIR/podman/podman.sock. invalid_input when CONTAINER_HOST is not unix://.
Result<std::vector<SocketCandidate>> candidates(const PodmanEnvironment& env,
                                                const DiscoveryOptions& options = {});

// The first candidate that answers _ping. When none does, starts `podman system service` on a
// private socket. Errors: invalid_input (CONTAINER_HOST is not unix://), timeout (a socket takes
// connections but its service does not answer: hung), unavailable (nothing answers, nothing
// started), or why the service could not be started.
Result<PodmanEndpoint> discover(const PodmanEnvironment& env, const DiscoveryOptions& options = {});

}  // namespace edgecrew::engine::podman
