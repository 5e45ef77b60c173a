#include "cli/engine_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/cri/cri_runtime.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

// --engine wins over the stack's x-edgecrew engine; Podman when neither says.
std::string chosen_engine(const Context& ctx, const stack::Stack& stack) {
  if (!ctx.global.engine.empty()) return ctx.global.engine;
  return stack.engine.empty() ? "podman" : stack.engine;
}

}  // namespace

std::string engine_name(const Context& ctx, const stack::Stack& stack) {
  std::string name = chosen_engine(ctx, stack);
  if (name != "podman" && name != "cri") {
    throw CommandError(
        2, fmt::format("the stack asks for x-edgecrew engine: {}, which edgecrew cannot "
                       "run containers on; pass --engine podman or --engine cri",
                       name));
  }
  return name;
}

Result<OpenedEngine> reach_engine(const Context& ctx, const stack::Stack& stack,
                                  const std::string& name, bool start_service) {
  if (ctx.reach.engine) {
    OpenedEngine given;
    given.kind = engine::engine_kind(name).value_or(engine::EngineKind::podman);
    given.engine = ctx.reach.engine(stack, name);
    given.where = given.lock_key = "the engine given";
    return given;
  }
  engine::EngineRequest request;
  request.kind = engine::engine_kind(name).value_or(engine::EngineKind::podman);
  request.environment = ctx.process.environment;
  request.cri_endpoint = ctx.global.cri_endpoint;
  request.stack = &stack;
  request.root = ctx.process.host_root;
  request.start_service = start_service;
  auto attempt = engine::open_engine(request);
  if (!attempt.opened) {
    const Error& error = attempt.opened.error();
    if (request.kind == engine::EngineKind::cri) {
      return Error{error.kind, "cannot reach a CRI runtime: " + error.message};
    }
    std::string stale =
        attempt.stale_container_host.empty() ? "" : "\n" + attempt.stale_container_host;
    return Error{error.kind, fmt::format("cannot reach Podman: {}{}", error.message, stale)};
  }
  OpenedEngine& opened = *attempt.opened;
  if (opened.kind == engine::EngineKind::podman && !attempt.stale_container_host.empty()) {
    ctx.io.err << "edgecrew: warning: " << attempt.stale_container_host
               << "; using a Podman service edgecrew started instead\n";
  }
  if (ctx.global.verbose) {
    ctx.io.err << "edgecrew: using " << opened.reached;
    if (auto* cri = dynamic_cast<engine::cri::CriRuntime*>(opened.engine.get())) {
      if (auto version = cri->version()) {
        ctx.io.err << ": " << version->runtime_name() << " " << version->runtime_version()
                   << " (CRI " << version->runtime_api_version() << ")";
      }
    }
    ctx.io.err << "\n";
  }
  return std::move(opened);
}

OpenedEngine open_engine(const Context& ctx, const stack::Stack& stack) {
  auto opened = reach_engine(ctx, stack, engine_name(ctx, stack));
  if (!opened) throw CommandError(1, opened.error().message);
  return std::move(*opened);
}

CommandError engine_error(const OpenedEngine& opened, const std::string& doing,
                          const Error& error) {
  std::string message = error.message.substr(0, error.message.find('\n'));
  std::string fix;
  const bool cri = opened.kind == engine::EngineKind::cri;
  if (cri) {
    // The CRI client's errors name the socket and the fix already.
  } else if (error.kind == ErrorKind::unavailable || error.kind == ErrorKind::timeout) {
    fix = " (is the Podman service still running? check `podman info`, or set CONTAINER_HOST)";
  } else if (error.kind == ErrorKind::permission_denied) {
    fix = " (run as the user that owns the socket, or use the rootless one)";
  }
  return CommandError(1, fmt::format("{} failed on {}: {}{}", doing, opened.where, message, fix));
}

std::vector<engine::Container> observe(const OpenedEngine& opened, const stack::Stack& stack) {
  auto containers = opened.engine->list(stack.name);
  if (!containers) throw engine_error(opened, "listing the containers", containers.error());
  return std::move(*containers);
}

std::vector<const stack::Service*> select_services(const Context& ctx, const stack::Stack& stack,
                                                   const std::vector<std::string>& names,
                                                   bool with_dependencies) {
  std::vector<std::string> all;
  for (const auto& s : stack.services) all.push_back(s.name);
  for (const auto& name : names) {
    if (stack.find(name) != nullptr) continue;
    std::string hint = did_you_mean(name, all);
    throw CommandError(2, fmt::format("no service \"{}\" in the stack{}", name,
                                      hint.empty() ? "" : " (" + hint + ")"));
  }
  if (names.empty()) return stack::enabled_services(stack, ctx.global.profiles);

  // The executor waits only for services it starts: a named service brings its dependencies.
  std::set<std::string> chosen;
  std::vector<std::string> todo = names;
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    const stack::Service* service = stack.find(name);
    if (service == nullptr || !chosen.insert(name).second) continue;
    if (!with_dependencies) continue;
    for (const auto& dep : service->depends_on) todo.push_back(dep.service);
  }
  std::vector<const stack::Service*> out;
  for (const auto& s : stack.services) {
    if (chosen.contains(s.name)) out.push_back(&s);
  }
  return out;
}

}  // namespace edgecrew::cli
