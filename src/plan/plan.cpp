#include "plan/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "stack/dependency_order.h"
#include "stack/normalize.h"

namespace edgecrew::plan {

namespace {

using engine::Container;
using engine::ContainerState;

// The container to reconcile comes first: one with the desired hash, then the newest; the id
// breaks ties so that the plan does not depend on the engine's listing order.
void order_candidates(std::vector<const Container*>& containers, const std::string& hash) {
  std::sort(containers.begin(), containers.end(), [&hash](const Container* a, const Container* b) {
    bool a_matches = a->spec_hash == hash;
    bool b_matches = b->spec_hash == hash;
    if (a_matches != b_matches) return a_matches;
    if (a->started_at != b->started_at) return a->started_at > b->started_at;
    bool a_running = a->state == ContainerState::running;
    bool b_running = b->state == ContainerState::running;
    if (a_running != b_running) return a_running;
    return a->id < b->id;
  });
}

Action removal(const Container& container, const stack::Service* spec, std::string reason) {
  Action action;
  action.kind = ActionKind::remove;
  action.service = container.service;
  action.spec = spec;
  action.container_id = container.id;
  action.container_name = container.name;
  action.reason = std::move(reason);
  return action;
}

Action reconcile(const stack::Service& service, const std::string& hash, const Container* current) {
  Action action;
  action.service = service.name;
  action.spec = &service;
  action.spec_hash = hash;
  if (current == nullptr) {
    action.kind = ActionKind::create;
    return action;
  }
  action.container_id = current->id;
  action.container_name = current->name;
  if (current->spec_hash != hash) {
    action.kind = ActionKind::recreate;
    action.reason = "spec changed";
  } else if (current->state != ContainerState::running) {
    action.kind = ActionKind::start;
    action.reason = engine::to_string(current->state);
  } else {
    action.kind = ActionKind::keep;
  }
  return action;
}

std::string short_id(const std::string& id) {
  return id.substr(0, 12);
}

}  // namespace

const char* to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::create:
      return "create";
    case ActionKind::recreate:
      return "recreate";
    case ActionKind::start:
      return "start";
    case ActionKind::keep:
      return "keep";
    case ActionKind::remove:
      return "remove";
  }
  return "keep";
}

const Action* Plan::action_for(const std::string& service) const {
  for (const Action& action : actions) {
    if (action.kind != ActionKind::remove && action.service == service) return &action;
  }
  return nullptr;
}

bool Plan::changes() const {
  return std::any_of(actions.begin(), actions.end(),
                     [](const Action& a) { return a.kind != ActionKind::keep; });
}

Plan make_plan(const stack::Stack& stack, const std::vector<const stack::Service*>& desired,
               const std::vector<engine::Container>& observed, const PlanOptions& options) {
  Plan plan;
  plan.stack = &stack;
  plan.levels = stack::dependency_order(desired);

  std::map<std::string, std::vector<const Container*>> by_service;
  for (const Container& container : observed) by_service[container.service].push_back(&container);

  for (const auto& level : plan.levels) {
    for (const stack::Service* service : level) {
      std::string hash = stack::spec_hash(*service, stack);
      std::vector<const Container*> containers = by_service[service->name];
      order_candidates(containers, hash);
      for (std::size_t i = 1; i < containers.size(); ++i) {
        plan.actions.push_back(removal(*containers[i], service, "duplicate"));
      }
      plan.actions.push_back(
          reconcile(*service, hash, containers.empty() ? nullptr : containers.front()));
    }
  }

  // Containers of services the stack no longer has; those of services that are only not
  // selected this time (a profile, `up SERVICE`) are left alone.
  for (const auto& [service, containers] : by_service) {
    if (stack.find(service) != nullptr) continue;
    std::vector<const Container*> sorted = containers;
    std::sort(sorted.begin(), sorted.end(),
              [](const Container* a, const Container* b) { return a->id < b->id; });
    for (const Container* container : sorted) {
      if (options.remove_orphans) {
        plan.actions.push_back(removal(*container, nullptr, "orphan"));
      } else {
        plan.warnings.push_back(fmt::format(
            "container {} of service \"{}\" is not in the stack (--remove-orphans removes it)",
            container->name.empty() ? short_id(container->id) : container->name, service));
      }
    }
  }
  return plan;
}

std::string describe(const Plan& plan) {
  std::string out;
  for (const Action& action : plan.actions) {
    out += fmt::format("{:<7} {}", to_string(action.kind), action.service);
    if (action.kind == ActionKind::remove) {
      std::string container =
          action.container_name.empty() ? short_id(action.container_id) : action.container_name;
      out += fmt::format("  ({} {})", action.reason, container);
    } else if (!action.reason.empty()) {
      out += fmt::format("  ({})", action.reason);
    }
    out += '\n';
  }
  for (const std::string& warning : plan.warnings) out += fmt::format("warning: {}\n", warning);
  return out;
}

}  // namespace edgecrew::plan
