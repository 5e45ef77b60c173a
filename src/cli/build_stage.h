#pragma once
// The build stage of `build` and `up`: a service with build: is built by Podman (the engine in
// use, or, when the stack runs on the CRI, Podman reached as up reaches it, the image then copied
// to the CRI store), its output printed line by line under the service's name.

#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/engine_source.h"

namespace edgecrew::cli {

enum class BuildWhen {
  always,   // `build`, `up --build`
  missing,  // `up`: an image the builder lacks, or pull_policy: build
};

// The services among `services` that have build: and must be built now, each image once.
// `missing` asks the builder's store. Throws CommandError(1) when Podman cannot be reached.
struct BuildJob {
  const stack::Service* service = nullptr;
  std::string reason;  // "--build", "image missing", "pull_policy: build"
};

// Builds what `when` asks for among `services`, in order, one at a time; returns how many were
// built (an image built before from the same context, Containerfile and arguments is not built
// again, and not counted). A failed build throws CommandError(1) naming the service, the step and
// its output; `dry_run` only prints "build SERVICE (reason)" lines.
int build_services(Context& ctx, const stack::Stack& stack,
                   const std::vector<const stack::Service*>& services, const OpenedEngine& opened,
                   BuildWhen when, bool dry_run = false);

}  // namespace edgecrew::cli
