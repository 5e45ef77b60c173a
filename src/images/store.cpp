#include "images/store.h"

#include <fmt/format.h>

#include <filesystem>

#include "images/skopeo.h"

namespace edgecrew::images {

namespace fs = std::filesystem;

StoreSide make_side(std::string name, std::shared_ptr<engine::Engine> engine, std::string socket,
                    std::string absent) {
  StoreSide side{std::move(name), std::move(engine), std::nullopt, std::move(absent),
                 std::move(socket)};
  if (side.engine) {
    auto store = side.engine->image_store();
    if (store) {
      side.store = std::move(*store);
    } else {
      side.absent = store.error().message;
      side.engine.reset();
    }
  }
  return side;
}

engine::ImageStore configured_crio_store(const host::CrioConfig& crio,
                                         const host::StorageConf& storage) {
  engine::ImageStore store{engine::StoreKind::containers_storage, storage.driver.value,
                           storage.graphroot.value, storage.runroot.value, "storage.conf"};
  if (crio.root) store.graphroot = crio.root->value;
  if (crio.runroot) store.runroot = crio.runroot->value;
  if (crio.storage_driver) store.driver = crio.storage_driver->value;
  if (store.graphroot.empty()) store.graphroot = host::k_default_graphroot;
  if (store.runroot.empty()) store.runroot = host::k_default_runroot;
  store.found_by = crio.files.empty() ? "containers-storage defaults (no crio.conf)"
                                      : "CRI-O's configuration (" + crio.files.back() + ")";
  return store;
}

engine::ImageStore configured_podman_store(const host::StorageConf& storage) {
  engine::ImageStore store{engine::StoreKind::containers_storage,
                           storage.driver.value,
                           storage.graphroot.value,
                           storage.runroot.value,
                           {}};
  if (store.graphroot.empty()) store.graphroot = host::k_default_graphroot;
  if (store.runroot.empty()) store.runroot = host::k_default_runroot;
  store.found_by = storage.file.empty() ? "containers-storage defaults (no storage.conf)"
                                        : "storage.conf (" + storage.file + ")";
  return store;
}

namespace {

// The same folder whether or not it exists yet: weakly_canonical keeps the trailing "/" of a path
// that does not exist ("/var/lib/containers/storage/" on a host where Podman never ran).
std::string resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  std::string text = ec ? fs::path(path).lexically_normal().string() : p.string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

}  // namespace

bool same_store(const engine::ImageStore& a, const engine::ImageStore& b) {
  if (a.kind != engine::StoreKind::containers_storage ||
      b.kind != engine::StoreKind::containers_storage) {
    return false;
  }
  if (!a.driver.empty() && !b.driver.empty() && a.driver != b.driver) return false;
  return !a.graphroot.empty() && resolved(a.graphroot) == resolved(b.graphroot);
}

std::string storage_reference(const engine::ImageStore& store, const std::string& image) {
  std::string spec = store.driver.empty() ? store.graphroot : store.driver + "@" + store.graphroot;
  if (!store.runroot.empty()) spec += "+" + store.runroot;
  return fmt::format("containers-storage:[{}]{}", spec, image);
}

std::string describe(const engine::ImageStore& store) {
  switch (store.kind) {
    case engine::StoreKind::containerd:
      return fmt::format("{} (its own store)", to_string(store.kind));
    case engine::StoreKind::containers_storage:
      break;
  }
  return fmt::format("containers-storage, {} at {}",
                     store.driver.empty() ? "driver auto" : store.driver, store.graphroot);
}

Result<std::optional<engine::ImageInfo>> look_up(const StoreSide& side, const std::string& image) {
  if (side.engine) return side.engine->image(image);
  if (!side.containers_storage()) {
    return Error{ErrorKind::unavailable,
                 side.absent.empty() ? "the store is unknown" : side.absent};
  }
  // skopeo would create a store that does not exist: an absent graphroot holds nothing.
  std::error_code ec;
  if (!fs::exists(side.store->graphroot, ec)) return std::optional<engine::ImageInfo>();
  return skopeo_inspect(storage_reference(*side.store, image));
}

}  // namespace edgecrew::images
