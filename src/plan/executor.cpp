#include "plan/executor.h"

#include <fmt/format.h>

#include <exception>
#include <map>
#include <mutex>

#include "engine/image_pull.h"
#include "plan/container_ops.h"
#include "plan/once_map.h"
#include "plan/parallel.h"
#include "plan/readiness.h"
#include "stack/secrets.h"

namespace edgecrew::plan {

namespace {

// One apply: the shared state of the worker threads.
class Applier {
 public:
  Applier(engine::Engine& engine, const Plan& plan, const ExecutorOptions& options)
      : m_engine(engine),
        m_plan(plan),
        m_options(options),
        m_clock(options.clock != nullptr ? *options.clock : real_clock()),
        m_redactor(stack::collect_secrets(*plan.stack)),
        m_events(options.events, m_clock, m_redactor) {}

  ExecutionResult run() {
    if (!remove_extras()) return take_result();
    for (std::size_t level = 0; level < m_plan.levels.size(); ++level) {
      const auto& services = m_plan.levels[level];
      run_parallel(services.size(), m_options.parallelism, [&](std::size_t i) {
        guarded(services[i]->name, [&] { run_service(*m_plan.action_for(services[i]->name)); });
      });
      if (failed()) {
        skip_from(level + 1);
        return take_result();
      }
    }
    if (m_options.wait) {
      wait_all();
    } else {
      check_started();
    }
    return take_result();
  }

 private:
  // Orphans and duplicates go first: they may hold the ports the new containers need.
  bool remove_extras() {
    std::vector<const Action*> removals;
    for (const Action& action : m_plan.actions) {
      if (action.kind == ActionKind::remove) removals.push_back(&action);
    }
    run_parallel(removals.size(), m_options.parallelism, [&](std::size_t i) {
      const Action& action = *removals[i];
      guarded(action.service, [&] {
        std::string why = stop_and_remove(m_engine, m_events, action.service, action.container_id,
                                          stop_spec(action.spec, m_options.stop_timeout));
        if (!why.empty()) fail(action.service, why);
      });
    });
    if (failed()) skip_from(0);
    return !failed();
  }

  void run_service(const Action& action) {
    switch (action.kind) {
      case ActionKind::keep:
        set_container(action.service, action.container_id);
        m_events.emit(action.service, Phase::started, "unchanged");
        return;
      case ActionKind::start:
        set_container(action.service, action.container_id);
        if (wait_dependencies(action)) start(action, action.container_id);
        return;
      case ActionKind::unpause:
        set_container(action.service, action.container_id);
        unpause(action);
        return;
      case ActionKind::create:
      case ActionKind::recreate:
        create_and_start(action);
        return;
      case ActionKind::remove:
        return;
    }
  }

  void create_and_start(const Action& action) {
    if (!ensure_image(action) || !ensure_volumes(action)) return;
    if (action.kind == ActionKind::recreate) {
      std::string why = stop_and_remove(m_engine, m_events, action.service, action.container_id,
                                        stop_spec(action.spec, m_options.stop_timeout));
      if (!why.empty()) return fail(action.service, why);
    }
    m_events.emit(action.service, Phase::creating, action.spec->image);
    auto id = m_engine.create(engine::Workload{m_plan.stack, action.spec, action.spec_hash});
    if (!id) return fail(action.service, fmt::format("create failed: {}", id.error().message));
    m_events.emit(action.service, Phase::created, id->substr(0, 12));
    set_container(action.service, *id);
    if (wait_dependencies(action)) start(action, *id);
  }

  // A paused container runs again where it stopped: it keeps its processes, so it is not waited
  // for as a start is.
  void unpause(const Action& action) {
    const std::string short_id = action.container_id.substr(0, 12);
    m_events.emit(action.service, Phase::starting, "unpausing " + short_id);
    if (auto status = m_engine.unpause(action.container_id); !status) {
      return fail(action.service, fmt::format("unpause failed: {}", status.error().message));
    }
    m_events.emit(action.service, Phase::started, "unpaused " + short_id);
  }

  void start(const Action& action, const std::string& id) {
    m_events.emit(action.service, Phase::starting, id.substr(0, 12));
    if (auto status = m_engine.start(id); !status) {
      return fail(action.service, fmt::format("start failed: {}", status.error().message));
    }
    m_events.emit(action.service, Phase::started, id.substr(0, 12));
    std::lock_guard lock(m_mutex);
    m_started.emplace_back(action.service, id);
    m_last_start = m_clock.now();
  }

  // One list, k_start_settle after the last start: a container started here that has already
  // exited with an error fails the up, naming its exit code. An exit 0 is a one-shot's success.
  void check_started() {
    if (m_started.empty() || m_options.start_settle <= std::chrono::milliseconds(0)) return;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(m_last_start + m_options.start_settle -
                                                             m_clock.now());
    if (left > std::chrono::milliseconds(0)) m_clock.sleep_for(left);
    auto listed = m_engine.list(m_plan.stack->name);
    if (!listed) return;  // the start itself succeeded; `ps` will tell
    for (const auto& [service, id] : m_started) {
      for (const engine::Container& c : *listed) {
        if (c.id != id || c.state != engine::ContainerState::exited || c.exit_code == 0) continue;
        fail(service, fmt::format("exited with code {} right after it started (see `edgecrew "
                                  "logs {}`)",
                                  c.exit_code, service));
      }
    }
  }

  // A local image is never pulled: it may be one that was built or loaded, not in any registry.
  bool ensure_image(const Action& action) {
    const std::string& image = action.spec->image;
    std::string why = m_images.get(image, [&]() -> std::string {
      auto ensured = engine::ensure_image(m_engine, image, [&](const std::string& line) {
        m_events.emit(action.service, Phase::pulling, line.empty() ? image : line);
      });
      if (!ensured) return ensured.error().message;
      if (ensured->pulled) m_events.emit(action.service, Phase::pulled, ensured->size);
      return {};
    });
    if (!why.empty()) fail(action.service, why);
    return why.empty();
  }

  bool ensure_volumes(const Action& action) {
    for (const stack::Mount& mount : action.spec->mounts) {
      if (mount.type != stack::MountType::volume || mount.source.empty()) continue;
      auto found = m_plan.stack->volumes.find(mount.source);
      if (found == m_plan.stack->volumes.end()) continue;  // the loader refuses undeclared ones
      const stack::Volume& volume = found->second;
      std::string why = m_volumes.get(volume.name, [&]() -> std::string {
        auto status = m_engine.ensure_volume(volume, m_plan.stack->name);
        if (!status) return fmt::format("volume {}: {}", volume.name, status.error().message);
        return {};
      });
      if (!why.empty()) {
        fail(action.service, why);
        return false;
      }
    }
    return true;
  }

  // Dependencies outside the plan (not selected by `up SERVICE`) are not waited for: there is no
  // container of theirs this apply knows.
  bool wait_dependencies(const Action& action) {
    for (const stack::DependsOn& dependency : action.spec->depends_on) {
      const stack::Service* target = m_plan.stack->find(dependency.service);
      std::string id = container_of(dependency.service);
      if (target == nullptr || id.empty()) continue;
      m_events.emit(
          action.service, Phase::waiting,
          fmt::format("for {} ({})", dependency.service, stack::to_string(dependency.condition)));
      std::string key =
          fmt::format("{}/{}", dependency.service, stack::to_string(dependency.condition));
      Readiness readiness = m_conditions.get(key, [&] {
        Readiness r = wait_for_condition(context(std::nullopt), *target, id, dependency.condition);
        if (r.ready && dependency.condition == stack::DependencyCondition::service_healthy) {
          m_events.emit(dependency.service, Phase::healthy, r.detail);
        }
        return r;
      });
      if (!readiness.ready && dependency.required) {
        fail(action.service,
             fmt::format("dependency {}: {}", dependency.service, readiness.detail));
        return false;
      }
    }
    return true;
  }

  void wait_all() {
    std::vector<const stack::Service*> services;
    for (const auto& level : m_plan.levels)
      services.insert(services.end(), level.begin(), level.end());
    auto deadline = m_clock.now() + m_options.wait_timeout;
    run_parallel(services.size(), m_options.parallelism, [&](std::size_t i) {
      const stack::Service& service = *services[i];
      guarded(service.name, [&] {
        m_events.emit(service.name, Phase::waiting, "for readiness");
        Readiness r = wait_until_ready(context(deadline), service, container_of(service.name));
        if (!r.ready) return fail(service.name, r.detail);
        m_events.emit(service.name, Phase::healthy, r.detail);
      });
    });
  }

  WaitContext context(std::optional<SteadyClock::time_point> deadline) {
    return WaitContext{m_engine,
                       m_clock,
                       m_options.poll_period,
                       m_options.exec_poll_period,
                       deadline,
                       m_options.wait_timeout};
  }

  // A worker must not throw (run_parallel's threads would terminate): anything thrown is a
  // failure of that service.
  template <typename Fn>
  void guarded(const std::string& service, Fn&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      fail(service, fmt::format("internal error: {}", e.what()));
    }
  }

  void fail(const std::string& service, const std::string& why) {
    std::string line = m_redactor.redact(why);
    m_events.emit(service, Phase::failed, line);
    std::lock_guard lock(m_mutex);
    m_result.failures.push_back({service, line});
  }

  bool failed() {
    std::lock_guard lock(m_mutex);
    return !m_result.failures.empty();
  }

  void skip_from(std::size_t level) {
    std::lock_guard lock(m_mutex);
    for (; level < m_plan.levels.size(); ++level) {
      for (const stack::Service* service : m_plan.levels[level]) {
        m_result.skipped.push_back(service->name);
      }
    }
  }

  void set_container(const std::string& service, const std::string& id) {
    std::lock_guard lock(m_mutex);
    m_containers[service] = id;
  }

  std::string container_of(const std::string& service) {
    std::lock_guard lock(m_mutex);
    auto found = m_containers.find(service);
    return found == m_containers.end() ? std::string() : found->second;
  }

  ExecutionResult take_result() {
    std::lock_guard lock(m_mutex);
    return std::move(m_result);
  }

  engine::Engine& m_engine;
  const Plan& m_plan;
  const ExecutorOptions& m_options;
  Clock& m_clock;
  stack::Redactor m_redactor;
  EventStream m_events;
  OnceMap<std::string> m_images;   // image → "" or why it is not there
  OnceMap<std::string> m_volumes;  // volume name → "" or why it could not be ensured
  OnceMap<Readiness> m_conditions;
  std::mutex m_mutex;  // guards m_result and m_containers
  ExecutionResult m_result;
  std::map<std::string, std::string> m_containers;  // service → its container this apply
  std::vector<std::pair<std::string, std::string>> m_started;  // (service, id) started here
  SteadyClock::time_point m_last_start{};
};

}  // namespace

ExecutionResult apply(engine::Engine& engine, const Plan& plan, const ExecutorOptions& options) {
  return Applier(engine, plan, options).run();
}

}  // namespace edgecrew::plan
