#pragma once
// Finding Podman's service: the sockets a user's Podman listens on, asked in a fixed order, and,
// when none answers, a private `podman system service` that edgecrew starts and owns (the way
// `up` and the doctor reach Podman on a host without podman.socket, Debian's default).

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"
#include "util/subprocess.h"

namespace edgecrew::engine::podman {

inline constexpr std::string_view k_api_prefix = "/v4.0.0/libpod";
inline constexpr std::string_view k_root_socket = "/run/podman/podman.sock";
inline constexpr std::chrono::milliseconds k_podman_connect_timeout{2'000};
// Discovery asks every candidate socket; one that does not answer this fast is taken as dead.
inline constexpr std::chrono::milliseconds k_podman_ping_timeout{1'000};
// How long a `podman system service` edgecrew starts gets to answer _ping.
inline constexpr std::chrono::milliseconds k_podman_service_start_timeout{5'000};

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
};

// A `podman system service` edgecrew started on a private socket; destroying it stops the service
// and removes the socket's folder.
class StartedService {
 public:
  StartedService(Subprocess process, std::filesystem::path dir);
  StartedService(const StartedService&) = delete;
  StartedService& operator=(const StartedService&) = delete;
  ~StartedService();

  pid_t pid() const { return m_process.pid(); }
  Subprocess& process() { return m_process; }
  const std::filesystem::path& dir() const { return m_dir; }

 private:
  Subprocess m_process;
  std::filesystem::path m_dir;
};

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
};

// GET _ping on `socket`: ok when it answers "OK".
Status ping(const std::string& socket, std::chrono::milliseconds timeout = k_podman_ping_timeout);

// The sockets discovery asks, in order: CONTAINER_HOST, then the root socket, then
// $XDG_RUNTIME_DIR/podman/podman.sock. invalid_input when CONTAINER_HOST is not unix://.
Result<std::vector<SocketCandidate>> candidates(const PodmanEnvironment& env,
                                                const DiscoveryOptions& options = {});

// The first candidate that answers _ping. When none does, starts `podman system service` on a
// private socket. Errors: invalid_input (CONTAINER_HOST is not unix://), unavailable (nothing
// answers, nothing started), or why the service could not be started.
Result<PodmanEndpoint> discover(const PodmanEnvironment& env, const DiscoveryOptions& options = {});

}  // namespace edgecrew::engine::podman
