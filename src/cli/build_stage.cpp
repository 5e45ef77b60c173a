#include "cli/build_stage.h"

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <set>

#include "cli/store_sides.h"
#include "images/sync.h"
#include "util/clock.h"

namespace edgecrew::cli {

namespace {

// The engine that builds: the one in use when it is Podman, else Podman reached as up reaches
// it (or as ctx.reach gives it).
struct Builder {
  std::optional<OpenedEngine> own;  // Podman opened for a stack on the CRI
  const OpenedEngine* engine = nullptr;
};

Builder builder_for(Context& ctx, const stack::Stack& stack, const OpenedEngine& opened) {
  Builder b;
  if (opened.kind != engine::EngineKind::cri) {
    b.engine = &opened;
    return b;
  }
  auto podman = reach_engine(ctx, stack, "podman");
  if (!podman) {
    throw CommandError(1, fmt::format("building images needs Podman, which builds them for the "
                                      "CRI engine too, and it cannot be reached: {}\nhint: install "
                                      "Podman (edgecrew doctor says what is missing), or build "
                                      "with another tool and set image: to what it built",
                                      podman.error().message));
  }
  b.own = std::move(*podman);
  b.engine = &*b.own;
  return b;
}

std::string seconds(std::chrono::milliseconds d) {
  return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

int build_services(Context& ctx, const stack::Stack& stack,
                   const std::vector<const stack::Service*>& services, const OpenedEngine& opened,
                   BuildWhen when, bool dry_run) {
  std::vector<const stack::Service*> with_build;
  for (const auto* s : services) {
    if (s->build) with_build.push_back(s);
  }
  if (with_build.empty()) return 0;
  Builder builder = builder_for(ctx, stack, opened);
  engine::Engine& engine = *builder.engine->engine;

  std::vector<BuildJob> jobs;
  std::set<std::string> images;
  for (const auto* s : with_build) {
    if (images.contains(s->image)) continue;  // two services, one image: built once
    std::string reason;
    if (when == BuildWhen::always) {
      reason = "asked";
    } else if (s->pull_policy == stack::PullPolicy::build) {
      reason = "pull_policy: build";
    } else {
      auto present = engine.image_present(s->image);
      if (!present) {
        throw engine_error(*builder.engine, "looking up image " + s->image, present.error());
      }
      if (!*present) reason = "image missing";
    }
    if (reason.empty()) continue;
    images.insert(s->image);
    jobs.push_back({s, reason});
  }
  if (dry_run) {
    for (const auto& job : jobs) {
      ctx.io.out << fmt::format("build   {}  ({})\n", job.service->name, job.reason);
    }
    return static_cast<int>(jobs.size());
  }

  const bool copy_to_cri = builder.own.has_value();
  int built_count = 0;
  for (const auto& job : jobs) {
    const auto& s = *job.service;
    ctx.io.out << fmt::format("{}: building {} from {}\n", s.name, s.image, s.build->context)
               << std::flush;
    const auto started = SteadyClock::now();
    auto built = engine.build_image(*s.build, s.image, [&](std::string_view line) {
      ctx.io.out << fmt::format("{} | {}\n", s.name, line) << std::flush;
    });
    if (!built) {
      throw CommandError(
          1, fmt::format("service {}: {}\nnothing was created; fix the build and run it again",
                         s.name, built.error().message));
    }
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    std::string id;
    if (auto info = engine.image(s.image); info && *info) id = (*info)->id;
    const std::string shown = id.empty() ? "" : " (" + id.substr(0, 19) + ")";
    if (*built == engine::Engine::Built::unchanged) {
      ctx.io.out << fmt::format(
          "{}: {}{} is up to date: built from the same context, Containerfile and arguments "
          "(no_cache: true or pull: true builds anyway)\n",
          s.name, s.image, shown);
    } else {
      ctx.io.out << fmt::format("{}: built {}{} in {}\n", s.name, s.image, shown, seconds(took));
      ++built_count;
    }
    if (copy_to_cri) {
      // The CRI runs what its own store holds: the new image replaces an older one of the name.
      auto step = images::copy_image(
          s.image, side_of(ctx, *builder.engine), side_of(ctx, opened), {.run_ctr = true},
          [&](const std::string& image, std::string_view line) {
            if (ctx.global.verbose) ctx.io.err << "edgecrew: " << image << ": " << line << "\n";
          });
      if (step.result == images::StepResult::failed || step.result == images::StepResult::to_run ||
          step.result == images::StepResult::not_in_source) {
        throw CommandError(1, fmt::format("service {}: built {} with Podman, but copying it to "
                                          "the CRI store failed: {}\nhint: edgecrew images sync "
                                          "--to cri",
                                          s.name, s.image, step.detail));
      }
      ctx.io.out << fmt::format("{}: {} {} the CRI store\n", s.name, s.image,
                                step.result == images::StepResult::shared       ? "is shared with"
                                : step.result == images::StepResult::up_to_date ? "is already in"
                                                                                : "copied to");
    }
  }
  return built_count;
}

}  // namespace edgecrew::cli
