#include "cli/plan_source.h"

#include "plan/parallel.h"

namespace edgecrew::cli {

namespace {

// Image look-ups in flight at once, each a request of its own to the engine.
constexpr int k_image_lookups_at_once = 8;

}  // namespace

void add_recreate_flags(CLI::App& sub, RecreateFlags& flags) {
  sub.add_flag("--force-recreate", flags.force,
               "Recreate the containers of the services named (all when none is), even unchanged");
  sub.add_flag("--no-recreate", flags.never,
               "Never recreate an existing container, even when its spec or image changed");
}

plan::PlanOptions plan_options(const RecreateFlags& flags, const std::vector<std::string>& named,
                               bool remove_orphans) {
  if (flags.force && flags.never) {
    throw CommandError(2, "--force-recreate and --no-recreate are incompatible");
  }
  plan::PlanOptions options;
  options.remove_orphans = remove_orphans;
  options.named = named;
  if (flags.force) options.recreate = plan::RecreatePolicy::always;
  if (flags.never) options.recreate = plan::RecreatePolicy::never;
  return options;
}

plan::Plan plan_against(const OpenedEngine& opened, const stack::Stack& stack,
                        const std::vector<const stack::Service*>& desired,
                        plan::PlanOptions options) {
  auto observed = observe(opened, stack);
  auto images = plan::images_to_compare(stack, desired, observed, options);
  // One image look-up each, side by side: a no-op up pays about one round trip for them all.
  std::vector<Result<std::optional<engine::ImageInfo>>> found(
      images.size(), Error{ErrorKind::internal, "not looked up"});
  plan::run_parallel(images.size(), k_image_lookups_at_once,
                     [&](std::size_t i) { found[i] = opened.engine->image(images[i]); });
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (!found[i]) throw engine_error(opened, "looking up image " + images[i], found[i].error());
    // An image gone from the store is not compared: its container is kept.
    if (*found[i]) options.image_ids[images[i]] = (*found[i])->id;
  }
  return plan::make_plan(stack, desired, observed, options);
}

}  // namespace edgecrew::cli
