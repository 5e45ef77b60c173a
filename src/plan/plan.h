#pragma once
// Desired vs observed: what `up` has to do to make the engine hold the stack. Pure: the observed
// containers come from Engine::list and the images' ids from Engine::image, both passed in, so
// `edgecrew plan` and `up --dry-run` print the same plan that `up` then applies, and running `up`
// twice plans only `keep`.

#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "stack/model.h"

namespace edgecrew::plan {

enum class ActionKind { create, recreate, start, unpause, keep, remove };

const char* to_string(ActionKind kind);

struct Action {
  ActionKind kind = ActionKind::keep;
  std::string service;
  const stack::Service* spec = nullptr;  // null for an orphan's removal
  std::string spec_hash;                 // the desired hash; "" for a removal
  std::string container_id;              // the container acted on; "" for create
  std::string container_name;
  // "spec changed", "image changed", "forced", "dead", "exited", "paused", "orphan",
  // "duplicate", "removing"
  std::string reason;
};

// When an existing container is replaced (Compose's up --force-recreate / --no-recreate).
enum class RecreatePolicy {
  changed,  // when its spec or its image changed (the default)
  always,   // --force-recreate: every container of the services named (all when none are)
  never,    // --no-recreate: never; a stopped one is started, a paused one unpaused
};

struct PlanOptions {
  bool remove_orphans = false;  // else an orphan is only a warning
  RecreatePolicy recreate = RecreatePolicy::changed;
  // The services named on the command line: `always` applies to them only, as in Compose (the
  // dependencies they pull in are recreated when changed). Empty = every desired service.
  std::vector<std::string> named;
  // The store's id of an image ("sha256:<hex>"), by the reference a service names; an image that
  // is absent here (not looked up, or not in the store) is not compared.
  std::map<std::string, std::string> image_ids;
};

// The images whose id in the store can turn a keep or a start into a recreate: those of the
// desired services that have a container with the desired spec (any other is recreated anyway)
// and the image id it was created from, when the policy compares images at all. What
// the caller looks up (Engine::image) and passes as PlanOptions::image_ids; sorted, unique.
std::vector<std::string> images_to_compare(const stack::Stack& stack,
                                           const std::vector<const stack::Service*>& desired,
                                           const std::vector<engine::Container>& observed,
                                           const PlanOptions& options);

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

// One line per action ("create  redis", "recreate neo4j  (image changed)", "keep    vllm"), then
// one "warning: ..." line per warning; each line ends in a newline.
std::string describe(const Plan& plan);

}  // namespace edgecrew::plan
