#include "engine/engine_open.h"

#include "engine/cri/cri_runtime.h"
#include "engine/podman/podman_engine.h"

namespace edgecrew::engine {

namespace {

std::string env_value(const EngineRequest& request, const char* name) {
  auto found = request.environment.find(name);
  return found == request.environment.end() ? std::string() : found->second;
}

EngineAttempt open_podman(const EngineRequest& request) {
  EngineAttempt out;
  auto env = podman::PodmanEnvironment::from(request.environment);
  podman::DiscoveryOptions options;
  options.root_socket = (request.root / std::string(podman::k_root_socket).substr(1)).string();
  options.start_service = request.start_service;
  auto endpoint = podman::discover(env, options);
  if (!endpoint) {
    auto asked = podman::candidates(env, options);
    if (asked) {
      for (const auto& c : *asked) out.tried.push_back({c.socket, c.source, "does not answer"});
      // A service that hangs is not a stale one.
      if (!asked->empty() && asked->front().source == "CONTAINER_HOST" &&
          endpoint.error().kind != ErrorKind::timeout) {
        out.stale_container_host = podman::stale_container_host_advice(asked->front().socket);
      }
    }
    out.opened = endpoint.error();
    return out;
  }
  for (const auto& c : endpoint->silent) {
    out.tried.push_back({c.socket, c.source, "does not answer"});
  }
  if (auto stale = endpoint->stale_container_host(); !stale.empty()) {
    out.stale_container_host = podman::stale_container_host_advice(stale);
  }
  OpenedEngine opened;
  opened.kind = EngineKind::podman;
  opened.socket = endpoint->socket;
  opened.where = "podman socket " + endpoint->socket;
  opened.reached = endpoint->describe();
  opened.started_service = endpoint->service != nullptr;
  opened.lock_key =
      opened.started_service ? std::string("podman (a service edgecrew started)") : opened.where;
  podman::PodmanTimeouts timeouts;
  if (request.call_timeout) timeouts.call = *request.call_timeout;
  opened.engine = std::make_shared<podman::PodmanEngine>(std::move(*endpoint), timeouts);
  out.opened = std::move(opened);
  return out;
}

EngineAttempt open_cri(const EngineRequest& request) {
  EngineAttempt out;
  cri::EndpointInputs inputs{request.cri_endpoint, env_value(request, "CONTAINER_RUNTIME_ENDPOINT"),
                             request.stack != nullptr ? request.stack->cri_endpoint : "",
                             request.root};
  auto endpoint = cri::discover_endpoint(inputs);
  if (!endpoint) {
    out.opened = endpoint.error();
    return out;
  }
  cri::CriEngineOptions options;
  options.mapping = cri::mapping_options_from(request.environment);
  options.stack = request.stack;
  if (request.call_timeout) options.deadlines.call = *request.call_timeout;
  auto engine = cri::make_cri_engine(*endpoint, options);
  if (!engine) {
    out.opened = engine.error();
    return out;
  }
  OpenedEngine opened;
  opened.kind = EngineKind::cri;
  opened.socket = endpoint->socket;
  opened.where = "CRI socket " + endpoint->socket;
  opened.reached = endpoint->describe();
  opened.lock_key = opened.where;
  opened.engine = std::move(*engine);
  out.opened = std::move(opened);
  return out;
}

}  // namespace

std::string_view to_string(EngineKind kind) {
  return kind == EngineKind::cri ? "cri" : "podman";
}

std::optional<EngineKind> engine_kind(std::string_view name) {
  if (name == "podman") return EngineKind::podman;
  if (name == "cri") return EngineKind::cri;
  return std::nullopt;
}

EngineAttempt open_engine(const EngineRequest& request) {
  return request.kind == EngineKind::cri ? open_cri(request) : open_podman(request);
}

}  // namespace edgecrew::engine
