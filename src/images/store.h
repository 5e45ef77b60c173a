#pragma once
// The two image stores edgecrew deals with, Podman's and the CRI runtime's, as one "side" each:
// the engine when it answers, and where its images are kept. Two containers-storage stores with
// the same driver and graphroot are one store (CRI-O's default is Podman's).

#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "host/containers_conf.h"
#include "host/crio_config.h"

namespace edgecrew::images {

struct StoreSide {
  std::string name;                         // "podman" | "cri"
  std::shared_ptr<engine::Engine> engine;   // null when the engine could not be reached
  std::optional<engine::ImageStore> store;  // from the engine, or from CRI-O's configuration
  std::string absent;                       // why the engine could not be reached ("" when it was)
  std::string socket;                       // the engine's socket (ctr needs the CRI one)

  std::string label() const { return name == "podman" ? "Podman" : "CRI"; }
  bool containers_storage() const {
    return store && store->kind == engine::StoreKind::containers_storage;
  }
};

// Asks the engine where its images are; a side without an engine keeps `store` as given.
StoreSide make_side(std::string name, std::shared_ptr<engine::Engine> engine, std::string socket,
                    std::string absent);

// CRI-O's store as its configuration says when CRI-O does not answer: [crio] root, runroot and
// storage_driver, each falling back to storage.conf's, as CRI-O itself does.
engine::ImageStore configured_crio_store(const host::CrioConfig& crio,
                                         const host::StorageConf& storage);

// Podman's store as storage.conf says, when no Podman service answers (a rootful Podman reads
// the same file).
engine::ImageStore configured_podman_store(const host::StorageConf& storage);

// Same driver (an unset one matches any) and the same graphroot after resolving links.
bool same_store(const engine::ImageStore& a, const engine::ImageStore& b);

// "containers-storage:[vfs@/var/lib/containers/storage+/run/containers/storage]IMAGE": the
// reference skopeo uses for an image in that very store, whatever storage.conf says.
std::string storage_reference(const engine::ImageStore& store, const std::string& image);

// "containers-storage, overlay at /var/lib/containers/storage", "containerd (its own store)".
std::string describe(const engine::ImageStore& store);

// The image in that side's store: through its engine when it answers, else, for a
// containers-storage store known from configuration, read with skopeo.
Result<std::optional<engine::ImageInfo>> look_up(const StoreSide& side, const std::string& image);

}  // namespace edgecrew::images
