#include "images/prepare.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "images/registry.h"
#include "util/strings.h"

namespace edgecrew::images {

Preparation prepare_images(const std::vector<std::string>& images, engine::Engine& engine,
                           const std::function<StoreSide()>& in_use,
                           const std::function<StoreSide()>& other, const CopySink& sink,
                           const RegistryAsker& ask) {
  Preparation out;
  std::vector<std::string> missing;
  for (const auto& image : images) {
    auto present = engine.image_present(image);
    if (!present) {
      out.errors.push_back(fmt::format("cannot look up image {} through {}: {}", image,
                                       engine.name(), present.error().message));
    } else if (!*present) {
      missing.push_back(image);
    }
  }
  if (missing.empty()) return out;

  const StoreSide target = in_use();
  std::optional<StoreSide> source;
  if (other) source = other();
  std::map<std::string, std::vector<std::string>> to_pull;  // registry → images
  std::map<std::string, std::string> refused;               // image → why it cannot come
  for (const auto& image : missing) {
    if (source && source->store && target.store && !same_store(*source->store, *target.store)) {
      auto found = look_up(*source, image);
      if (found && *found) {
        SyncStep step = copy_image(image, *source, target, {.run_ctr = true}, sink);
        if (step.result == StepResult::copied) {
          out.notes.push_back(fmt::format("{}: copied from the {} store ({}), not pulled", image,
                                          source->label(), short_id((*found)->id)));
        } else {
          refused[image] = fmt::format("copying {} from the {} store to the {} store: {}", image,
                                       source->label(), target.label(), step.detail);
        }
        continue;
      }
    }
    std::string registry = image_registry(image);
    if (registry.empty()) {
      refused[image] = fmt::format(
          "image {} is in no store and its name has no registry to pull it from: build or load "
          "it (podman load -i FILE), then `edgecrew images sync` if the stack runs on the CRI",
          image);
      continue;
    }
    to_pull[registry].push_back(image);
  }
  std::set<std::string> registries;
  for (const auto& entry : to_pull) registries.insert(entry.first);
  for (const auto& [registry, a] : ask ? ask(registries) : ask_registries(registries)) {
    if (a.reachable) continue;
    for (const auto& image : to_pull[registry]) {
      refused[image] = fmt::format(
          "cannot pull {}: registry {} does not answer ({}); nothing was created. Bring the image "
          "without the registry (podman load -i FILE, or a mirror in registries.conf)",
          image, registry, a.text);
    }
  }
  // In the stack's order, whichever way each was found.
  for (const auto& image : missing) {
    if (auto found = refused.find(image); found != refused.end()) {
      out.errors.push_back(found->second);
    }
  }
  return out;
}

}  // namespace edgecrew::images
