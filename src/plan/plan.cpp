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

// "sha256:<hex>" and a bare "<hex>" name the same image: engines differ in which they give.
std::string_view bare_id(std::string_view id) {
  if (id.starts_with("sha256:")) id.remove_prefix(7);
  return id;
}

bool image_changed(const Container& current, const std::string& image,
                   const std::map<std::string, std::string>& image_ids) {
  auto wanted = image_ids.find(image);
  if (wanted == image_ids.end() || wanted->second.empty() || current.image_id.empty()) return false;
  return bare_id(wanted->second) != bare_id(current.image_id);
}

bool forced(const stack::Service& service, const PlanOptions& options) {
  if (options.recreate != RecreatePolicy::always) return false;
  return options.named.empty() ||
         std::find(options.named.begin(), options.named.end(), service.name) != options.named.end();
}

Action reconcile(const stack::Service& service, const std::string& hash, const Container* current,
                 const PlanOptions& options) {
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
  auto recreate = [&action](const char* reason) {
    action.kind = ActionKind::recreate;
    action.reason = reason;
    return action;
  };
  // A dead container can neither start nor run again: it is replaced whatever the policy.
  if (current->state == ContainerState::dead) return recreate("dead");
  if (forced(service, options)) return recreate("forced");
  if (options.recreate != RecreatePolicy::never) {
    if (current->spec_hash != hash) return recreate("spec changed");
    if (image_changed(*current, service.image, options.image_ids)) return recreate("image changed");
  }
  switch (current->state) {
    case ContainerState::running:
      action.kind = ActionKind::keep;
      break;
    case ContainerState::restarting:
      // Its restart policy brings it back by itself.
      action.kind = ActionKind::keep;
      action.reason = "restarting";
      break;
    case ContainerState::paused:
      action.kind = ActionKind::unpause;
      action.reason = "paused";
      break;
    default:
      action.kind = ActionKind::start;
      action.reason = engine::to_string(current->state);
      break;
  }
  return action;
}

// A container being removed (or whose removal failed half-way) is not the service's any more:
// its removal is planned (and awaited) before the service gets a new one.
bool removing(const Container* container) {
  return container->state == ContainerState::removing;
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
    case ActionKind::unpause:
      return "unpause";
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

std::vector<std::string> images_to_compare(const stack::Stack& stack,
                                           const std::vector<const stack::Service*>& desired,
                                           const std::vector<engine::Container>& observed,
                                           const PlanOptions& options) {
  std::vector<std::string> images;
  if (options.recreate == RecreatePolicy::never) return images;
  for (const stack::Service* service : desired) {
    if (forced(*service, options)) continue;
    // Only a container with the desired spec is kept: any other is recreated anyway.
    const std::string hash = stack::spec_hash(*service, stack);
    bool kept = std::any_of(observed.begin(), observed.end(), [&](const Container& c) {
      return c.service == service->name && c.spec_hash == hash && !removing(&c) &&
             !c.image_id.empty();
    });
    if (kept) images.push_back(service->image);
  }
  std::sort(images.begin(), images.end());
  images.erase(std::unique(images.begin(), images.end()), images.end());
  return images;
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
      for (const Container* container : containers) {
        if (removing(container)) plan.actions.push_back(removal(*container, service, "removing"));
      }
      std::erase_if(containers, removing);
      order_candidates(containers, hash);
      for (std::size_t i = 1; i < containers.size(); ++i) {
        plan.actions.push_back(removal(*containers[i], service, "duplicate"));
      }
      plan.actions.push_back(
          reconcile(*service, hash, containers.empty() ? nullptr : containers.front(), options));
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
