#pragma once
// Desired vs observed: what `up` has to do to make the engine hold the stack. Pure: the observed
// containers come from Engine::list, so `edgecrew plan` and `up --dry-run` print the same plan
// that `up` then applies, and running `up` twice plans only `keep`.

#include <string>
#include <vector>

#include "engine/engine.h"
#include "stack/model.h"

namespace edgecrew::plan {

enum class ActionKind { create, recreate, start, keep, remove };

const char* to_string(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::keep;
  std::string service;
  const stack::Service* spec = nullptr;  // null for an orphan's removal
  std::string spec_hash;                 // the desired hash; "" for a removal
  std::string container_id;              // the container acted on; "" for create
  std::string container_name;
  std::string reason;  // "spec changed", "exited", "orphan", "duplicate"
};

struct PlanOptions {
  bool remove_orphans = false;  // else an orphan is only a warning
};

// Points into the stack given to make_plan, which must outlive the plan.
struct Plan {
  const stack::Stack* stack = nullptr;
  // The desired services in dependency levels (stack::dependency_order).
  std::vector<std::vector<const stack::Service*>> levels;
  // Per service in dependency order: its duplicates' removals, then its own action; then the
  // orphans' removals, by service name.
  std::vector<Action> actions;
  std::vector<std::string> warnings;

  // The service's create/recreate/start/keep action; null when the service is not desired.
  const Action* action_for(const std::string& service) const;
  // True when applying the plan would change anything.
  bool changes() const;
};

Plan make_plan(const stack::Stack& stack, const std::vector<const stack::Service*>& desired,
               const std::vector<engine::Container>& observed, const PlanOptions& options = {});

// One line per action ("create  redis", "recreate neo4j  (spec changed)", "keep    vllm"), then
// one "warning: ..." line per warning; each line ends in a newline.
std::string describe(const Plan& plan);

}  // namespace edgecrew::plan
