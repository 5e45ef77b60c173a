#include "cli/engine_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/cri/cri_engine.h"
#include "engine/podman/podman_engine.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

// --engine wins over the stack's x-edgecrew engine; Podman when neither says.
std::string chosen_engine(const Context& ctx, const stack::Stack& stack) {
  if (!ctx.global.engine.empty()) return ctx.global.engine;
  return stack.engine.empty() ? "podman" : stack.engine;
}

Result<OpenedEngine> open_podman(const Context& ctx, bool start_service) {
  namespace podman = engine::podman;
  auto env = podman::PodmanEnvironment::from(ctx.process.environment);
  podman::DiscoveryOptions options;
  options.start_service = start_service;
  auto endpoint = podman::discover(env, options);
  if (!endpoint) {
    std::string stale;
    auto asked = podman::candidates(env, options);
    if (asked && !asked->empty() && asked->front().source == "CONTAINER_HOST" &&
        endpoint.error().kind != ErrorKind::timeout) {  // a hung service is not a stale one
      stale = "\n" + podman::stale_container_host_advice(asked->front().socket);
    }
    return Error{endpoint.error().kind,
                 fmt::format("cannot reach Podman: {}{}", endpoint.error().message, stale)};
  }
  if (auto stale = endpoint->stale_container_host(); !stale.empty()) {
    ctx.io.err << "edgecrew: warning: " << podman::stale_container_host_advice(stale)
               << "; using a Podman service edgecrew started instead\n";
  }
  if (ctx.global.verbose) ctx.io.err << "edgecrew: using " << endpoint->describe() << "\n";
  std::string where = fmt::format("podman socket {}", endpoint->socket);
  std::string socket = endpoint->socket;
  std::string lock_key = endpoint->service ? std::string("podman (a service edgecrew started)")
                                           : "podman socket " + socket;
  return OpenedEngine{std::make_shared<podman::PodmanEngine>(std::move(*endpoint)), where, socket,
                      lock_key};
}

std::string env_value(const Context& ctx, const char* name) {
  auto found = ctx.process.environment.find(name);
  return found == ctx.process.environment.end() ? std::string() : found->second;
}

Result<OpenedEngine> open_cri(const Context& ctx, const stack::Stack& stack) {
  namespace cri = engine::cri;
  cri::EndpointInputs inputs{ctx.global.cri_endpoint, env_value(ctx, "CONTAINER_RUNTIME_ENDPOINT"),
                             stack.cri_endpoint, ctx.process.host_root};
  auto endpoint = cri::discover_endpoint(inputs);
  if (!endpoint) {
    return Error{endpoint.error().kind,
                 fmt::format("cannot reach a CRI runtime: {}", endpoint.error().message)};
  }
  cri::CriEngineOptions options;
  options.mapping = cri::mapping_options_from(ctx.process.environment);
  options.stack = &stack;
  auto engine = std::make_shared<cri::CriEngine>(*endpoint, options);
  if (ctx.global.verbose) {
    ctx.io.err << "edgecrew: using " << endpoint->describe();
    if (auto version = engine->client().version()) {
      ctx.io.err << ": " << version->runtime_name() << " " << version->runtime_version() << " (CRI "
                 << version->runtime_api_version() << ")";
    }
    ctx.io.err << "\n";
  }
  std::string where = fmt::format("CRI socket {}", endpoint->socket);
  return OpenedEngine{engine, where, endpoint->socket, where};
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
  if (name == "cri") return open_cri(ctx, stack);
  return open_podman(ctx, start_service);
}

OpenedEngine open_engine(const Context& ctx, const stack::Stack& stack) {
  std::string name = engine_name(ctx, stack);
  if (ctx.engine_factory) {
    return {ctx.engine_factory(stack, name), "the test engine", "", "the test engine"};
  }
  auto opened = reach_engine(ctx, stack, name);
  if (!opened) throw CommandError(1, opened.error().message);
  return std::move(*opened);
}

CommandError engine_error(const OpenedEngine& opened, const std::string& doing,
                          const Error& error) {
  std::string message = error.message.substr(0, error.message.find('\n'));
  std::string fix;
  const bool cri = opened.engine && opened.engine->name() == "cri";
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
