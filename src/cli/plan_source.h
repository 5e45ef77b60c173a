#pragma once
// The plan stage that `plan` and `up` share: the recreate flags they both take, and the plan made
// from the project's containers and the store's ids of the images that decide keep or recreate.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/engine_source.h"
#include "plan/plan.h"

namespace edgecrew::cli {

struct RecreateFlags {
  bool force = false;  // --force-recreate
  bool never = false;  // --no-recreate
};

// Registers --force-recreate and --no-recreate on the verb.
void add_recreate_flags(CLI::App& sub, RecreateFlags& flags);

// The planner's options from the flags; `named` are the services given on the command line.
// CommandError(2) when both recreate flags are given.
plan::PlanOptions plan_options(const RecreateFlags& flags, const std::vector<std::string>& named,
                               bool remove_orphans);

// Lists the project's containers, looks up (side by side) the store's id of each image whose id
// decides between keeping and recreating a container (plan::images_to_compare), and plans.
plan::Plan plan_against(const OpenedEngine& opened, const stack::Stack& stack,
                        const std::vector<const stack::Service*>& desired,
                        plan::PlanOptions options);

}  // namespace edgecrew::cli
