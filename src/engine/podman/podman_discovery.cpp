#include "engine/podman/podman_discovery.h"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
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

// The pid in a service folder's name ("edgecrew-podman-1234-AbC123"), or 0.
pid_t owner_of(const std::string& name) {
  if (name.compare(0, k_service_dir_prefix.size(), k_service_dir_prefix) != 0) return 0;
  std::string rest = name.substr(k_service_dir_prefix.size());
  auto dash = rest.find('-');
  if (dash == 0 || dash == std::string::npos) return 0;
  pid_t pid = 0;
  for (char c : rest.substr(0, dash)) {
    if (c < '0' || c > '9' || pid > 100'000'000) return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

Result<std::unique_ptr<StartedService>> start_service(const PodmanEnvironment& env,
                                                      const DiscoveryOptions& options) {
  std::error_code ec;
  std::filesystem::path root =
      options.temp_root.empty() ? std::filesystem::temp_directory_path(ec) : options.temp_root;
  if (ec) root = "/tmp";
  (void)remove_stale_service_dirs(root);
  std::string pattern =
      (root / fmt::format("{}{}-XXXXXX", k_service_dir_prefix, ::getpid())).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    const int err = errno;
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot create a folder for Podman's socket under {}: {}",
                             root.string(), std::strerror(err))};
  }
  const std::filesystem::path dir = pattern;
  const std::string socket = (dir / "podman.sock").string();
  SubprocessOptions spawn_options;
  spawn_options.argv = {options.podman_program, "system", "service",
                        fmt::format("--time={}", k_podman_service_idle_time.count()),
                        "unix://" + socket};
  for (auto name : k_remote_variables) spawn_options.env_remove.emplace_back(name);
  // SIGTERM, not SIGKILL: killed mid-request, the service leaves a container in its storage that
  // its database does not know ("name is already in use" on every later create); on SIGTERM it
  // finishes the requests in flight first. One that does not end still ends at its idle timeout.
  spawn_options.parent_death_signal = SIGTERM;
  spawn_options.own_process_group = true;
  if (!env.containers_conf.empty()) spawn_options.env["CONTAINERS_CONF"] = env.containers_conf;
  if (!env.containers_storage_conf.empty()) {
    spawn_options.env["CONTAINERS_STORAGE_CONF"] = env.containers_storage_conf;
  }
  if (!env.registries_conf.empty()) {
    spawn_options.env["CONTAINERS_REGISTRIES_CONF"] = env.registries_conf;
  }
  if (!env.xdg_runtime_dir.empty()) spawn_options.env["XDG_RUNTIME_DIR"] = env.xdg_runtime_dir;
  auto service = StartedService::spawn(spawn_options, dir, socket);
  if (!service) {
    std::filesystem::remove_all(dir, ec);
    return Error{service.error().kind,
                 fmt::format("cannot start `podman system service`: {} (install podman)",
                             service.error().message)};
  }
  Deadline deadline(k_podman_service_start_timeout);
  Subprocess& child = (*service)->process();
  while (true) {
    if (ping(socket, k_podman_ping_timeout)) return std::move(*service);
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

// Stops a service from the interrupt's thread: the owner's thread is about to end with the
// process, so the process is only signalled and waited for here.
void stop_on_interrupt(pid_t pid, const std::filesystem::path& dir) {
  ::kill(pid, SIGTERM);
  Deadline deadline(k_service_stop_grace);
  while (!deadline.expired()) {
    int wstatus = 0;
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) break;
    std::this_thread::sleep_for(k_poll_interval);
  }
  if (deadline.expired()) {
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    (void)::waitpid(pid, &wstatus, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
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

StartedService::StartedService(std::filesystem::path dir, std::string socket)
    : m_dir(std::move(dir)), m_socket(std::move(socket)) {}

Result<std::unique_ptr<StartedService>> StartedService::spawn(const SubprocessOptions& options,
                                                              std::filesystem::path dir,
                                                              std::string socket) {
  std::unique_ptr<StartedService> service(new StartedService(std::move(dir), std::move(socket)));
  // PR_SET_PDEATHSIG follows the thread that forked the child: the keeper thread, which lives as
  // long as this object, spawns it (a doctor check's thread ending must not end the service).
  std::promise<Result<Subprocess>> spawned;
  auto result = spawned.get_future();
  service->m_keeper = std::jthread([s = service.get(), promise = std::move(spawned),
                                    options](const std::stop_token& stop) mutable {
    auto process = Subprocess::spawn(options);
    const bool ok = process.ok();
    promise.set_value(std::move(process));
    if (ok) s->keep_alive(stop);
  });
  auto process = result.get();
  if (!process) {
    service->m_keeper.join();
    return process.error();
  }
  service->m_process.emplace(std::move(*process));
  service->m_cleanup = std::make_unique<InterruptCleanup>(
      [pid = service->pid(), dir = service->m_dir] { stop_on_interrupt(pid, dir); });
  return service;
}

void StartedService::keep_alive(const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  while (!wake.wait_for(lock, stop, k_podman_service_keepalive, [] { return false; })) {
    if (stop.stop_requested()) return;
    (void)ping(m_socket, k_podman_ping_timeout);
  }
}

StartedService::~StartedService() {
  m_cleanup.reset();
  if (m_process) m_process->stop(k_service_stop_grace);
  m_keeper = {};  // asks the keeper to stop and joins it
  std::error_code ec;
  std::filesystem::remove_all(m_dir, ec);
}

int remove_stale_service_dirs(const std::filesystem::path& root) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const pid_t owner = owner_of(entry.path().filename().string());
    if (owner <= 0 || owner == ::getpid()) continue;
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != ::getuid()) {
      continue;
    }
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    if (std::filesystem::remove_all(entry.path(), rm) > 0 && !rm) ++removed;
  }
  return removed;
}

std::string PodmanEndpoint::stale_container_host() const {
  for (const auto& c : silent) {
    if (c.source == "CONTAINER_HOST") return c.socket;
  }
  return {};
}

std::string stale_container_host_advice(const std::string& socket) {
  return fmt::format(
      "CONTAINER_HOST=unix://{} is stale: nothing answers on that socket; unset CONTAINER_HOST, "
      "or point it at a live Podman socket (start one with `podman system service --time=0 "
      "unix://{}`)",
      socket, socket);
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
    if (!answer && answer.error().kind == ErrorKind::timeout) {
      // Connected, no answer yet: slow, or hung.
      answer = ping(c.socket, options.hung_timeout);
      if (!answer && answer.error().kind == ErrorKind::timeout) {
        return Error{ErrorKind::timeout,
                     fmt::format("timeout: Podman on {} ({}) takes connections but did not answer "
                                 "_ping within {}: the service is hung or stopped (SIGSTOP, a "
                                 "storage lock); restart it{}",
                                 c.socket, c.source,
                                 options.hung_timeout.count() % 1000 == 0
                                     ? fmt::format("{} s", options.hung_timeout.count() / 1000)
                                     : fmt::format("{} ms", options.hung_timeout.count()),
                                 c.source == "CONTAINER_HOST" ? " or unset CONTAINER_HOST" : "")};
      }
    }
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
