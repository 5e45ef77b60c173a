#pragma once
// The image stores of both engines, for `images` and for `up`'s image stage: each engine reached
// as the verbs reach it, and CRI-O's configured store when CRI-O does not answer.

#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/engine_source.h"
#include "images/store.h"

namespace edgecrew::cli {

// "podman" | "cri", reached or not (the side then says why).
images::StoreSide open_side(const Context& ctx, const stack::Stack& stack, const std::string& name);

// The side of an engine already open (up's own), its store asked for at once.
images::StoreSide side_of(const Context& ctx, const OpenedEngine& opened);

// Pulls the images through the engine, one line of progress per image on ctx.io.out; with
// `even_present` (up --pull always) also those its store holds, else those are "already present".
// CommandError(1) naming how many failed, after trying each.
void pull_images(Context& ctx, const OpenedEngine& opened, const std::vector<std::string>& images,
                 bool even_present);

}  // namespace edgecrew::cli
