#include "cli/store_sides.h"

#include <fmt/format.h>

#include <chrono>

#include "cli/progress_board.h"
#include "engine/image_pull.h"
#include "host/containers_conf.h"
#include "host/crio_config.h"

namespace edgecrew::cli {

namespace {

// CRI-O that does not answer still has the store its configuration names; and CRI-O's
// GET /info gives no run root, which its configuration does.
void complete_cri_store(const Context& ctx, const host::StorageConf& storage,
                        images::StoreSide& side) {
  auto crio = host::read_crio_config(ctx.process.host_root);
  if (crio.files.empty()) return;
  auto configured = images::configured_crio_store(crio, storage);
  if (!side.store) {
    side.store = configured;
  } else if (side.containers_storage() && side.store->runroot.empty() &&
             images::same_store(*side.store, configured)) {
    side.store->runroot = configured.runroot;
  }
}

}  // namespace

images::StoreSide open_side(const Context& ctx, const stack::Stack& stack,
                            const std::string& name) {
  if (ctx.reach.other_store) return ctx.reach.other_store(stack, name);
  // No Podman service is started for its store: without one, storage.conf says where it is.
  auto opened = reach_engine(ctx, stack, name, false);
  images::StoreSide side = opened ? images::make_side(name, opened->engine, opened->socket, "")
                                  : images::make_side(name, nullptr, "", opened.error().message);
  const auto storage = host::read_storage_conf(ctx.process.host_root, ctx.process.environment);
  if (name == "cri") {
    complete_cri_store(ctx, storage, side);
  } else if (!side.store) {
    side.store = images::configured_podman_store(storage);
  }
  return side;
}

images::StoreSide side_of(const Context& ctx, const OpenedEngine& opened) {
  std::string name(opened.engine->name());
  images::StoreSide side = images::make_side(name, opened.engine, opened.socket, "");
  if (name == "cri") {
    complete_cri_store(ctx, host::read_storage_conf(ctx.process.host_root, ctx.process.environment),
                       side);
  }
  return side;
}

void pull_images(Context& ctx, const OpenedEngine& opened, const std::vector<std::string>& images,
                 bool even_present) {
  auto sink = progress_sink(ctx.io.out, ctx.io.out_is_terminal, images);
  const auto begin = std::chrono::steady_clock::now();
  auto emit = [&](const std::string& image, plan::Phase phase, std::string detail) {
    sink(plan::Event{image, phase, std::move(detail),
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - begin)});
  };
  int failed = 0;
  for (const auto& image : images) {
    auto ensured = engine::ensure_image(
        *opened.engine, image,
        [&](const std::string& line) { emit(image, plan::Phase::pulling, line); }, even_present);
    if (!ensured) {
      ++failed;
      emit(image, plan::Phase::failed, ensured.error().message);
    } else {
      emit(image, plan::Phase::pulled, ensured->pulled ? ensured->size : "already present");
    }
  }
  if (failed > 0) {
    throw CommandError(1, fmt::format("{} of {} images could not be pulled through {}", failed,
                                      images.size(), opened.where));
  }
}

}  // namespace edgecrew::cli
