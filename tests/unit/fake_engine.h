#pragma once
// A recording fake Engine for the planner and executor tests (ninja's FakeCommandRunner): keeps
// containers, volumes and images in memory, records every call in order ("create redis",
// "start redis-1", "pull docker.io/library/redis:7"), and lets a test script failures, healthcheck
// answers and exit codes. Thread-safe: the executor calls it from several threads. Also a virtual
// clock, so that waits take no real time, and small builders for stacks.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "plan/clock.h"
#include "stack/model.h"
#include "util/strings.h"

namespace edgecrew::plan::test {

// sleep_for advances the time at once: a 30 s healthcheck wait runs in microseconds.
class FakeClock final : public Clock {
 public:
  SteadyClock::time_point now() override {
    return SteadyClock::time_point(std::chrono::nanoseconds(m_ns.load()));
  }
  void sleep_for(std::chrono::milliseconds duration) override {
    m_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
    std::this_thread::yield();
  }

 private:
  std::atomic<std::int64_t> m_ns{1'000'000'000};
};

class FakeEngine final : public engine::Engine {
 public:
  // Called with each call's record before it runs, outside the fake's lock: a test blocks in it
  // (a barrier) to prove that two calls overlap.
  using Hook = std::function<void(const std::string& call)>;

  explicit FakeEngine(std::string project = "app") : m_project(std::move(project)) {}

  // --- setting up -------------------------------------------------------------------------------

  void add_image(const std::string& image) {
    std::lock_guard lock(m_mutex);
    m_images.insert(image);
  }

  // A container as an earlier `up` left it; `started` orders containers by age (higher = newer).
  std::string add_container(const std::string& service, const std::string& spec_hash,
                            engine::ContainerState state, int started = 0, int exit_code = 0) {
    std::lock_guard lock(m_mutex);
    engine::Container c;
    c.id = next_id(service);
    c.name = m_project + "_" + c.id;
    c.service = service;
    c.spec_hash = spec_hash;
    c.state = state;
    c.exit_code = exit_code;
    c.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(started));
    m_containers[c.id] = c;
    return c.id;
  }

  // The store's image under `image` becomes another one (a `podman tag`, `load` or `pull` of a
  // new image under the same name): its id is now `id`.
  void retag(const std::string& image, const std::string& id) {
    std::lock_guard lock(m_mutex);
    m_images.insert(image);
    m_image_ids[image] = id;
  }

  // `podman pause`: the container's processes are frozen.
  void pause(const std::string& container) {
    std::lock_guard lock(m_mutex);
    m_containers.at(container).state = engine::ContainerState::paused;
  }

  // The image id a container says it was created from.
  void set_container_image_id(const std::string& container, const std::string& image_id) {
    std::lock_guard lock(m_mutex);
    m_containers.at(container).image_id = image_id;
  }

  // Every call recorded as exactly `call` fails with `message`.
  void fail_call(const std::string& call, const std::string& message) {
    std::lock_guard lock(m_mutex);
    m_failures[call] = message;
  }

  // The exit codes the healthcheck exec of `service`'s containers returns, in turn; after the
  // last, exit 0.
  void script_exec(const std::string& service, std::vector<int> exit_codes,
                   const std::string& output = {}) {
    std::lock_guard lock(m_mutex);
    m_exec_scripts[service] = {exit_codes.begin(), exit_codes.end()};
    m_exec_output[service] = output;
  }

  // `service`'s container exits with `code` as soon as it starts (a one-shot).
  void exit_on_start(const std::string& service, int code) {
    std::lock_guard lock(m_mutex);
    m_exit_on_start[service] = code;
  }

  // What logs gives for the container `id`: its whole log, each call (as Podman's log file).
  void set_log(const std::string& id, std::vector<std::string> lines) {
    std::lock_guard lock(m_mutex);
    m_logs[id] = std::move(lines);
  }

  // remove_networks keeps `network` (engine name): containers outside the project use it.
  void network_in_use(const std::string& network) {
    std::lock_guard lock(m_mutex);
    m_networks_in_use.insert(network);
  }

  void set_hook(Hook hook) {
    std::lock_guard lock(m_mutex);
    m_hook = std::move(hook);
  }

  // --- looking at what happened -----------------------------------------------------------------

  std::vector<std::string> calls() const {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }

  // The calls that change something (everything but list, inspect, image and exec).
  std::vector<std::string> mutations() const {
    std::vector<std::string> out;
    for (const std::string& call : calls()) {
      if (!call.starts_with("list") && !call.starts_with("inspect") && !call.starts_with("image") &&
          !call.starts_with("exec")) {
        out.push_back(call);
      }
    }
    return out;
  }

  // Position of the first call equal to `call`, or -1.
  int index_of(const std::string& call) const {
    auto all = calls();
    auto found = std::find(all.begin(), all.end(), call);
    return found == all.end() ? -1 : static_cast<int>(found - all.begin());
  }

  std::vector<engine::Container> containers() const {
    std::lock_guard lock(m_mutex);
    std::vector<engine::Container> out;
    for (const auto& [id, c] : m_containers) out.push_back(c);
    return out;
  }

  std::set<std::string> volumes() const {
    std::lock_guard lock(m_mutex);
    return m_volumes;
  }

  // The id of `service`'s (only) container, or "".
  std::string container_of(const std::string& service) const {
    std::lock_guard lock(m_mutex);
    for (const auto& [id, c] : m_containers) {
      if (c.service == service) return id;
    }
    return {};
  }

  // --- Engine -----------------------------------------------------------------------------------

  std::string_view name() const override { return "fake"; }

  Result<std::vector<engine::Container>> list(const std::string& project) override {
    if (auto error = record("list " + project)) return *error;
    return containers();
  }

  Result<engine::Container> inspect(const std::string& id) override {
    if (auto error = record("inspect " + id)) return *error;
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(id);
    if (found == m_containers.end()) return Error{ErrorKind::not_found, "no container " + id};
    return found->second;
  }

  // The fake has no runtime: no device, no annotation, for every container it holds.
  Result<engine::RuntimeSpec> runtime_spec(const std::string& id) override {
    if (auto error = record("runtime_spec " + id)) return *error;
    std::lock_guard lock(m_mutex);
    if (!m_containers.contains(id)) return Error{ErrorKind::not_found, "no container " + id};
    return engine::RuntimeSpec{};
  }

  Result<std::optional<engine::ImageInfo>> image(const std::string& image) override {
    if (auto error = record("image " + image)) return *error;
    std::lock_guard lock(m_mutex);
    if (!m_images.contains(image)) return std::optional<engine::ImageInfo>();
    return std::optional<engine::ImageInfo>(engine::ImageInfo{id_of(image), {}, 1000, {}});
  }

  Result<engine::ImageStore> image_store() override {
    return engine::ImageStore{engine::StoreKind::containers_storage, "vfs", "/fake/" + m_project,
                              "", "the fake"};
  }

  // What the fake says an image's id is: the same name gives the same id in every fake.
  static std::string fake_image_id(const std::string& image) {
    return "sha256:" + std::string(64 - std::min<std::size_t>(image.size(), 64), '0') +
           image.substr(0, 64);
  }

  Status pull_image(const std::string& image, const engine::ProgressSink& progress) override {
    if (auto error = record("pull " + image)) return *error;
    if (progress)
      progress({.layer = "0123456789ab", .status = "Downloading", .current = 1, .total = 2});
    std::lock_guard lock(m_mutex);
    m_images.insert(image);
    return Ok{};
  }

  Status ensure_volume(const stack::Volume& volume, const std::string&) override {
    if (auto error = record("ensure_volume " + volume.name)) return *error;
    std::lock_guard lock(m_mutex);
    m_volumes.insert(volume.name);
    return Ok{};
  }

  Result<bool> remove_volume(const stack::Volume& volume) override {
    if (auto error = record("remove_volume " + volume.name)) return *error;
    std::lock_guard lock(m_mutex);
    return m_volumes.erase(volume.name) > 0;
  }

  Result<std::vector<std::string>> remove_anonymous_volumes(const std::string& project) override {
    if (auto error = record("remove_anonymous_volumes " + project)) return *error;
    return std::vector<std::string>{};
  }

  Status ensure_networks(const stack::Stack& stack,
                         const std::vector<const stack::Service*>& services) override {
    std::string names;
    for (const auto* s : services) names += " " + s->name;
    if (auto error = record("ensure_networks " + stack.name + names)) return *error;
    return Ok{};
  }

  Result<engine::NetworksRemoved> remove_networks(const stack::Stack& stack) override {
    if (auto error = record("remove_networks " + stack.name)) return *error;
    engine::NetworksRemoved out;
    for (const auto& [key, network] : stack.networks) {
      if (network.external) continue;
      (m_networks_in_use.contains(network.name) ? out.in_use : out.removed).push_back(network.name);
    }
    return out;
  }

  Result<std::string> create(const engine::Workload& workload) override {
    const std::string& service = workload.service->name;
    if (auto error = record("create " + service)) return *error;
    std::lock_guard lock(m_mutex);
    engine::Container c;
    c.id = next_id(service);
    c.name = m_project + "_" + c.id;
    c.service = service;
    c.spec_hash = workload.spec_hash;
    c.image = workload.service->image;
    c.image_id = m_images.contains(c.image) ? id_of(c.image) : std::string();
    c.state = engine::ContainerState::created;
    m_containers[c.id] = c;
    return c.id;
  }

  Status start(const std::string& id) override {
    if (auto error = record("start " + id)) return *error;
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(id);
    if (found == m_containers.end()) return Error{ErrorKind::not_found, "no container " + id};
    engine::Container& c = found->second;
    c.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(++m_tick + 1000));
    c.state = engine::ContainerState::running;
    if (auto exit = m_exit_on_start.find(c.service); exit != m_exit_on_start.end()) {
      c.state = engine::ContainerState::exited;
      c.exit_code = exit->second;
    }
    return Ok{};
  }

  Status unpause(const std::string& id) override {
    if (auto error = record("unpause " + id)) return *error;
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(id);
    if (found == m_containers.end()) return Error{ErrorKind::not_found, "no container " + id};
    if (found->second.state != engine::ContainerState::paused) {
      return Error{ErrorKind::invalid_input, "container " + id + " is not paused"};
    }
    found->second.state = engine::ContainerState::running;
    return Ok{};
  }

  Status stop(const std::string& id, std::chrono::milliseconds grace,
              const std::string& signal) override {
    std::string call = "stop " + id + " " + std::to_string(grace.count()) + "ms " +
                       (signal.empty() ? "SIGTERM" : signal);
    if (auto error = record(call)) return *error;
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(id);
    if (found == m_containers.end()) return Error{ErrorKind::not_found, "no container " + id};
    if (found->second.state == engine::ContainerState::running ||
        found->second.state == engine::ContainerState::paused) {
      found->second.state = engine::ContainerState::exited;
      found->second.exit_code = 0;
    }
    return Ok{};
  }

  Status remove(const std::string& id) override {
    if (auto error = record("remove " + id)) return *error;
    std::lock_guard lock(m_mutex);
    m_containers.erase(id);
    return Ok{};
  }

  Result<engine::ExecResult> exec(const std::string& id, const std::vector<std::string>& argv,
                                  std::chrono::milliseconds) override {
    if (auto error = record("exec " + id + " " + join(argv, " "))) return *error;
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(id);
    if (found == m_containers.end()) return Error{ErrorKind::not_found, "no container " + id};
    auto& script = m_exec_scripts[found->second.service];
    engine::ExecResult result;
    if (!script.empty()) {
      result.exit_code = script.front();
      script.pop_front();
    }
    if (result.exit_code != 0) result.output = m_exec_output[found->second.service];
    return result;
  }

  Status logs(const std::string& id, const engine::LogOptions&,
              const engine::LogSink& sink) override {
    if (auto error = record("logs " + id)) return *error;
    std::vector<std::string> lines;
    {
      std::lock_guard lock(m_mutex);
      if (auto found = m_logs.find(id); found != m_logs.end()) lines = found->second;
    }
    for (const auto& line : lines) {
      if (!sink("stdout", line)) break;
    }
    return Ok{};
  }

 private:
  // Records the call, runs the hook, and returns the scripted failure for it, if any.
  std::optional<Error> record(const std::string& call) {
    Hook hook;
    {
      std::lock_guard lock(m_mutex);
      m_calls.push_back(call);
      hook = m_hook;
    }
    if (hook) hook(call);
    std::lock_guard lock(m_mutex);
    auto found = m_failures.find(call);
    if (found == m_failures.end()) return std::nullopt;
    return Error{ErrorKind::internal, found->second};
  }

  std::string id_of(const std::string& image) const {
    auto found = m_image_ids.find(image);
    return found == m_image_ids.end() ? fake_image_id(image) : found->second;
  }

  std::string next_id(const std::string& service) {
    return service + "-" + std::to_string(++m_counts[service]);
  }

  mutable std::mutex m_mutex;
  std::string m_project;
  std::vector<std::string> m_calls;
  std::map<std::string, engine::Container> m_containers;
  std::set<std::string> m_images;
  std::map<std::string, std::string> m_image_ids;  // image → id, where retag changed it
  std::set<std::string> m_volumes;
  std::map<std::string, std::string> m_failures;
  std::map<std::string, std::deque<int>> m_exec_scripts;
  std::map<std::string, std::string> m_exec_output;
  std::map<std::string, int> m_exit_on_start;
  std::set<std::string> m_networks_in_use;
  std::map<std::string, std::vector<std::string>> m_logs;
  std::map<std::string, int> m_counts;
  int m_tick = 0;
  Hook m_hook;
};

// Waits until `parties` threads have arrived, or `timeout` passed; says whether all arrived. Two
// calls that both pass it were in flight at the same time.
class Barrier {
 public:
  explicit Barrier(int parties) : m_parties(parties) {}
  bool arrive_and_wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    std::unique_lock lock(m_mutex);
    ++m_arrived;
    m_cv.notify_all();
    return m_cv.wait_for(lock, timeout, [this] { return m_arrived >= m_parties; });
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  int m_parties;
  int m_arrived = 0;
};

// --- stacks -------------------------------------------------------------------------------------

inline stack::Service make_service(const std::string& name, const std::string& image = {}) {
  stack::Service service;
  service.name = name;
  service.image = image.empty() ? "docker.io/library/" + name + ":1" : image;
  return service;
}

inline void depend(
    stack::Service& service, const std::string& on,
    stack::DependencyCondition condition = stack::DependencyCondition::service_started) {
  stack::DependsOn dependency;
  dependency.service = on;
  dependency.condition = condition;
  service.depends_on.push_back(dependency);
}

inline stack::Stack make_stack(std::vector<stack::Service> services) {
  stack::Stack stack;
  stack.name = "app";
  stack.project_dir = "/srv/app";
  std::sort(services.begin(), services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  stack.services = std::move(services);
  return stack;
}

inline stack::Volume make_volume(const std::string& key, const std::string& name,
                                 bool external = false) {
  stack::Volume volume;
  volume.key = key;
  volume.name = name;
  volume.external = external;
  return volume;
}

inline std::vector<const stack::Service*> all_services(const stack::Stack& stack) {
  std::vector<const stack::Service*> out;
  for (const auto& service : stack.services) out.push_back(&service);
  return out;
}

}  // namespace edgecrew::plan::test
