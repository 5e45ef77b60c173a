#include "engine/engine.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace edgecrew::engine {

const char* to_string(ContainerState state) {
  switch (state) {
    case ContainerState::created:
      return "created";
    case ContainerState::running:
      return "running";
    case ContainerState::paused:
      return "paused";
    case ContainerState::restarting:
      return "restarting";
    case ContainerState::stopping:
      return "stopping";
    case ContainerState::exited:
      return "exited";
    case ContainerState::removing:
      return "removing";
    case ContainerState::dead:
      return "dead";
    case ContainerState::unknown:
      return "unknown";
  }
  return "unknown";
}

const char* to_string(StoreKind kind) {
  switch (kind) {
    case StoreKind::containers_storage:
      return "containers-storage";
    case StoreKind::containerd:
      return "containerd";
  }
  return "unknown";
}

Result<bool> Engine::image_present(const std::string& image) {
  auto found = this->image(image);
  if (!found) return found.error();
  return found->has_value();
}

Result<RuntimeSpec> runtime_spec_from_json(std::string_view text, const std::string& what) {
  using nlohmann::json;
  json spec = json::parse(text, nullptr, false);
  if (spec.is_discarded() || !spec.is_object()) {
    return Error{ErrorKind::io, what + " is not a JSON object"};
  }
  RuntimeSpec out;
  if (auto linux = spec.find("linux"); linux != spec.end() && linux->is_object()) {
    if (auto devices = linux->find("devices"); devices != linux->end() && devices->is_array()) {
      for (const auto& d : *devices) {
        if (d.is_object() && d.contains("path") && d["path"].is_string()) {
          out.device_paths.push_back(d["path"].get<std::string>());
        }
      }
    }
  }
  if (auto annotations = spec.find("annotations");
      annotations != spec.end() && annotations->is_object()) {
    for (const auto& item : annotations->items()) out.annotations.push_back(item.key());
  }
  return out;
}

const Container* container_of(const std::vector<Container>& containers,
                              const std::string& service) {
  const Container* best = nullptr;
  for (const auto& c : containers) {
    if (c.service != service) continue;
    bool running = c.state == ContainerState::running;
    bool best_running = best != nullptr && best->state == ContainerState::running;
    if (best == nullptr || (running && !best_running) ||
        (running == best_running && c.started_at > best->started_at)) {
      best = &c;
    }
  }
  return best;
}

Result<Engine::Built> Engine::build_image(const stack::Build&, const std::string& tag,
                                          const BuildSink&) {
  return Error{
      ErrorKind::invalid_input,
      fmt::format("building {}: the {} engine builds no images; Podman builds them", tag, name())};
}

}  // namespace edgecrew::engine
