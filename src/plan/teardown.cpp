#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "plan/container_ops.h"
#include "plan/executor.h"
#include "plan/parallel.h"
#include "stack/dependency_order.h"
#include "stack/secrets.h"

namespace edgecrew::plan {

namespace {

using engine::Container;

// Batches of containers to stop together: those of services the stack does not know (nothing in
// it depends on them), then the dependency levels from the last to the first.
std::vector<std::vector<const Container*>> stop_batches(const stack::Stack& stack,
                                                        const std::vector<Container>& containers) {
  std::vector<const stack::Service*> services;
  for (const stack::Service& service : stack.services) services.push_back(&service);
  auto levels = stack::dependency_order(services);
  std::reverse(levels.begin(), levels.end());

  std::map<std::string, std::vector<const Container*>> by_service;
  for (const Container& container : containers) by_service[container.service].push_back(&container);

  std::vector<std::vector<const Container*>> batches(1);
  for (auto& [service, mine] : by_service) {
    if (stack.find(service) == nullptr)
      batches[0].insert(batches[0].end(), mine.begin(), mine.end());
  }
  for (const auto& level : levels) {
    std::vector<const Container*> batch;
    for (const stack::Service* service : level) {
      auto found = by_service.find(service->name);
      if (found != by_service.end())
        batch.insert(batch.end(), found->second.begin(), found->second.end());
    }
    batches.push_back(std::move(batch));
  }
  std::erase_if(batches, [](const auto& batch) { return batch.empty(); });
  return batches;
}

}  // namespace

ExecutionResult teardown(engine::Engine& engine, const stack::Stack& stack,
                         const ExecutorOptions& options) {
  Clock& clock = options.clock != nullptr ? *options.clock : real_clock();
  stack::Redactor redactor(stack::collect_secrets(stack));
  EventStream events(options.events, clock, redactor);
  ExecutionResult result;
  std::mutex mutex;
  auto fail = [&](const std::string& service, const std::string& why) {
    std::string line = redactor.redact(why);
    events.emit(service, Phase::failed, line);
    std::lock_guard lock(mutex);
    result.failures.push_back({service, line});
  };

  auto listed = engine.list(stack.name);
  if (!listed) {
    fail(stack.name, fmt::format("cannot list the containers: {}", listed.error().message));
    return result;
  }
  for (const auto& batch : stop_batches(stack, *listed)) {
    // A stop is mostly waiting for the container to exit: the whole level stops at once, so down
    // takes one grace period however many services there are.
    run_parallel(batch.size(), static_cast<int>(batch.size()), [&](std::size_t i) {
      const Container& container = *batch[i];
      bool running = container.state == engine::ContainerState::running ||
                     container.state == engine::ContainerState::paused;
      std::string why =
          stop_and_remove(engine, events, container.service, container.id,
                          stop_spec(stack.find(container.service), options.stop_timeout), running);
      if (!why.empty()) fail(container.service, why);
    });
  }

  if (auto removed = engine.remove_networks(stack); !removed) {
    fail(stack.name, fmt::format("remove networks failed: {}", removed.error().message));
  } else {
    for (const std::string& name : removed->removed) events.emit(name, Phase::removed, "network");
    result.removed_networks = std::move(removed->removed);
    result.networks_in_use = std::move(removed->in_use);
  }

  if (options.remove_volumes) {
    for (const auto& [key, volume] : stack.volumes) {
      if (volume.external) continue;  // someone else's data: never ours to delete
      auto removed = engine.remove_volume(volume);
      if (!removed) {
        fail(volume.name, fmt::format("remove volume failed: {}", removed.error().message));
      } else if (*removed) {
        events.emit(volume.name, Phase::removed, "volume");
        result.removed_volumes.push_back(volume.name);
      }
    }
    if (auto removed = engine.remove_anonymous_volumes(stack.name); !removed) {
      fail(stack.name, fmt::format("remove anonymous volumes failed: {}", removed.error().message));
    } else {
      for (const std::string& name : *removed) {
        events.emit(name, Phase::removed, "anonymous volume");
        result.removed_volumes.push_back(name);
      }
    }
  }
  return result;
}

}  // namespace edgecrew::plan
