// `build`: builds the images of the services that have build:, with Podman, whichever engine the
// stack runs on.

#include <fmt/format.h>

#include "cli/build_stage.h"
#include "cli/engine_source.h"
#include "cli/verbs.h"

namespace edgecrew::cli {

namespace {

struct BuildOptions {
  std::vector<std::string> services;
};

int run_build(Context& ctx, const BuildOptions& opt) {
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto services = select_services(ctx, st, opt.services, false);
  bool any = false;
  for (const auto* s : services) any |= s->build.has_value();
  if (!any) {
    ctx.io.out << fmt::format("{}: nothing to build (no selected service has build:)\n", st.name);
    return 0;
  }
  auto opened = open_engine(ctx, st);
  int built = build_services(ctx, st, services, opened, BuildWhen::always);
  ctx.io.out << fmt::format("{}: {} image{} built\n", st.name, built, built == 1 ? "" : "s");
  return 0;
}

}  // namespace

Verb build_verb() {
  return {"build", "Build the images of the services that have build: (with Podman)",
          "  edgecrew build                    # every enabled service with build:\n"
          "  edgecrew build web                # only web's image\n"
          "  edgecrew up --build               # build, then create what changed",
          [](CLI::App& sub) {
            auto opt = std::make_shared<BuildOptions>();
            sub.add_option("services", opt->services,
                           "Only these services (default: every enabled one with build:)");
            return [opt](Context& ctx) { return run_build(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
