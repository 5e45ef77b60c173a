#include "cli/plan_source.h"

#include <future>

namespace edgecrew::cli {

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
  std::vector<std::future<Result<std::optional<engine::ImageInfo>>>> found;
  for (const auto& image : images) {
    found.push_back(
        std::async(std::launch::async, [&opened, &image] { return opened.engine->image(image); }));
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    auto info = found[i].get();
    if (!info) throw engine_error(opened, "looking up image " + images[i], info.error());
    // An image gone from the store is not compared: its container is kept.
    if (*info) options.image_ids[images[i]] = (*info)->id;
  }
  return plan::make_plan(stack, desired, observed, options);
}

}  // namespace edgecrew::cli
