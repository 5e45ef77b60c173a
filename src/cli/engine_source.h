#pragma once
// The engine stage of the verbs that talk to containers: which engine (--engine, then the stack's
// x-edgecrew engine, then Podman), opened with the process's own environment, and the project's
// containers as that engine reports them.

#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"
#include "engine/engine.h"
#include "engine/engine_open.h"
#include "util/result.h"

namespace edgecrew::cli {

using engine::OpenedEngine;

// The engine the stack runs on: --engine, else the stack's x-edgecrew engine, else "podman";
// CommandError(2) for one edgecrew cannot run.
std::string engine_name(const Context& ctx, const stack::Stack& stack);

// Opens the named engine ("podman" | "cri") with the process's environment and flags
// (engine::open_engine), or takes the one ctx.reach.engine gives, without throwing: the error
// says why it cannot be reached.
// `start_service` false: no private Podman service is started when none answers.
Result<OpenedEngine> reach_engine(const Context& ctx, const stack::Stack& stack,
                                  const std::string& name, bool start_service = true);

// Opens the engine the stack runs on, or the one ctx.reach.engine gives. Throws
// CommandError(2) for an engine that cannot serve the verbs yet, CommandError(1) when the engine
// cannot be reached.
OpenedEngine open_engine(const Context& ctx, const stack::Stack& stack);

// An engine call's error as the one line a verb reports: what failed, where, and the likely fix.
CommandError engine_error(const OpenedEngine& opened, const std::string& doing, const Error& error);

// The project's containers; throws engine_error when the engine cannot list them.
std::vector<engine::Container> observe(const OpenedEngine& opened, const stack::Stack& stack);

// The named services (each must exist: CommandError(2) otherwise) with everything they depend on,
// or every service the profiles enable when none is named.
std::vector<const stack::Service*> select_services(const Context& ctx, const stack::Stack& stack,
                                                   const std::vector<std::string>& names,
                                                   bool with_dependencies);

using engine::container_of;

}  // namespace edgecrew::cli
