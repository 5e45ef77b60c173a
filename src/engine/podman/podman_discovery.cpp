#include "engine/podman/podman_discovery.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <utility>

#include "engine/podman/podman_protocol.h"
#include "net/http_client.h"
#include "util/clock.h"

namespace edgecrew::engine::podman {

namespace {

constexpr std::chrono::milliseconds k_poll_interval{50};
// A started service that ignores SIGTERM this long is killed.
constexpr std::chrono::milliseconds k_service_stop_grace{3'000};

std::string unix_path(const std::string& container_host) {
  constexpr std::string_view scheme = "unix://";
  if (container_host.compare(0, scheme.size(), scheme) != 0) return {};
  return container_host.substr(scheme.size());
}

Result<std::unique_ptr<StartedService>> start_service(const PodmanEnvironment& env,
                                                      const DiscoveryOptions& options) {
  std::error_code ec;
  std::filesystem::path root =
      options.temp_root.empty() ? std::filesystem::temp_directory_path(ec) : options.temp_root;
  if (ec) root = "/tmp";
  std::string pattern = (root / "edgecrew-podman-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    const int err = errno;
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot create a folder for Podman's socket under {}: {}",
                             root.string(), std::strerror(err))};
  }
  const std::filesystem::path dir = pattern;
  const std::string socket = (dir / "podman.sock").string();
  SubprocessOptions spawn_options;
  spawn_options.argv = {options.podman_program, "system", "service", "--time=0",
                        "unix://" + socket};
  if (!env.containers_conf.empty()) spawn_options.env["CONTAINERS_CONF"] = env.containers_conf;
  if (!env.containers_storage_conf.empty()) {
    spawn_options.env["CONTAINERS_STORAGE_CONF"] = env.containers_storage_conf;
  }
  if (!env.registries_conf.empty()) {
    spawn_options.env["CONTAINERS_REGISTRIES_CONF"] = env.registries_conf;
  }
  if (!env.xdg_runtime_dir.empty()) spawn_options.env["XDG_RUNTIME_DIR"] = env.xdg_runtime_dir;
  auto process = Subprocess::spawn(spawn_options);
  if (!process) {
    std::filesystem::remove_all(dir, ec);
    return Error{process.error().kind,
                 fmt::format("cannot start `podman system service`: {} (install podman)",
                             process.error().message)};
  }
  auto service = std::make_unique<StartedService>(std::move(*process), dir);
  Deadline deadline(k_podman_service_start_timeout);
  Subprocess& child = service->process();
  while (true) {
    if (ping(socket, k_podman_ping_timeout)) return service;
    if (auto status = child.poll()) {
      return Error{ErrorKind::unavailable,
                   fmt::format("`podman system service` ended ({}) before answering: {}",
                               status->describe(), child.stderr_text())};
    }
    if (deadline.expired()) {
      return Error{ErrorKind::timeout,
                   fmt::format("`podman system service` did not answer _ping on {} within {} ms",
                               socket, k_podman_service_start_timeout.count())};
    }
    std::this_thread::sleep_for(k_poll_interval);
  }
}

}  // namespace

PodmanEnvironment PodmanEnvironment::from(const std::map<std::string, std::string>& env) {
  auto get = [&env](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  return {get("CONTAINER_HOST"), get("XDG_RUNTIME_DIR"), get("CONTAINERS_CONF"),
          get("CONTAINERS_STORAGE_CONF"), get("CONTAINERS_REGISTRIES_CONF")};
}

StartedService::StartedService(Subprocess process, std::filesystem::path dir)
    : m_process(std::move(process)), m_dir(std::move(dir)) {}

StartedService::~StartedService() {
  m_process.stop(k_service_stop_grace);
  std::error_code ec;
  std::filesystem::remove_all(m_dir, ec);
}

std::string PodmanEndpoint::describe() const {
  if (source == "started") {
    return fmt::format("podman socket {} (started `podman system service`, pid {})", socket,
                       service ? service->pid() : 0);
  }
  return fmt::format("podman socket {} ({})", socket, source);
}

Status ping(const std::string& socket, std::chrono::milliseconds timeout) {
  net::HttpRequest request;
  request.url = fmt::format("http://d{}/_ping", k_api_prefix);
  request.unix_socket = socket;
  request.connect_timeout = std::min(timeout, k_podman_connect_timeout);
  request.timeout = timeout;
  auto response = net::http_request(request);
  if (!response) return response.error();
  if (response->status != 200 || trim_body(response->body) != "OK") {
    return Error{ErrorKind::unavailable, fmt::format("{} answered _ping with HTTP {}: {:.100}",
                                                     socket, response->status, response->body)};
  }
  return Ok{};
}

Result<std::vector<SocketCandidate>> candidates(const PodmanEnvironment& env,
                                                const DiscoveryOptions& options) {
  std::vector<SocketCandidate> out;
  if (!env.container_host.empty()) {
    std::string path = unix_path(env.container_host);
    if (path.empty()) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("CONTAINER_HOST={} is not a unix:// address; edgecrew talks to "
                               "Podman on its local socket only",
                               env.container_host)};
    }
    out.push_back({path, "CONTAINER_HOST"});
  }
  if (!options.root_socket.empty()) out.push_back({options.root_socket, "root"});
  if (!env.xdg_runtime_dir.empty()) {
    out.push_back({env.xdg_runtime_dir + "/podman/podman.sock", "XDG_RUNTIME_DIR"});
  }
  return out;
}

Result<PodmanEndpoint> discover(const PodmanEnvironment& env, const DiscoveryOptions& options) {
  auto asked = candidates(env, options);
  if (!asked) return asked.error();
  std::vector<std::string> tried;
  std::vector<SocketCandidate> silent;
  for (const auto& c : *asked) {
    Status answer = ping(c.socket);
    if (answer) return PodmanEndpoint{c.socket, c.source, nullptr, std::move(silent)};
    tried.push_back(fmt::format("{} ({}): {}", c.socket, c.source, answer.error().message));
    silent.push_back(c);
  }
  if (!options.start_service) {
    std::string list;
    for (const auto& t : tried) list += "\n  " + t;
    return Error{ErrorKind::unavailable,
                 fmt::format("no Podman socket answers:{}\nstart one with `podman system service "
                             "--time=0 unix:///run/podman/podman.sock`",
                             list)};
  }
  auto service = start_service(env, options);
  if (!service) return service.error();
  std::string socket = ((*service)->dir() / "podman.sock").string();
  return PodmanEndpoint{std::move(socket), "started", std::move(*service), std::move(silent)};
}

}  // namespace edgecrew::engine::podman
