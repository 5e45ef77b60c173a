#pragma once
// What `up` does about images before it creates anything: an image the engine in use lacks but
// the other store holds is copied over (not pulled); one in neither store needs its registry, and
// a registry that does not answer fails the whole `up` here, naming the image and the registry.
// The pulls themselves stay with the executor, which shows their progress per service.

#include <functional>
#include <string>
#include <vector>

#include "images/registry.h"
#include "images/store.h"
#include "images/sync.h"

namespace edgecrew::images {

struct Preparation {
  std::vector<std::string> notes;   // "docker.io/library/redis:7: copied from the Podman store"
  std::vector<std::string> errors;  // one per image that cannot come
};

// Images are looked up through `engine`, the one up runs on. Only when one is missing are the
// two sides made: `in_use` (that engine's store) and `other` (up with every image local must not
// pay for reaching another engine or reading configuration). `ask` asks the registries of the
// images to pull (ask_registries when empty).
Preparation prepare_images(const std::vector<std::string>& images, engine::Engine& engine,
                           const std::function<StoreSide()>& in_use,
                           const std::function<StoreSide()>& other, const CopySink& sink,
                           const RegistryAsker& ask = {});

}  // namespace edgecrew::images
