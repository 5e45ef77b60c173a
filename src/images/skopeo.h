#pragma once
// skopeo, run with argv, for what no engine API does: reading and copying images between two
// containers-storage stores (or to and from an archive) named explicitly, without a registry.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "util/result.h"

namespace edgecrew::images {

inline constexpr std::chrono::milliseconds k_skopeo_inspect_timeout{30'000};
// A vLLM image is ~10 GB: copying it between stores on a slow disk takes minutes.
inline constexpr std::chrono::milliseconds k_skopeo_copy_timeout{60 * 60'000};

// The image at `reference` ("containers-storage:[...]IMAGE"), read from its manifest: id = the
// config digest, size = config + layers. nullopt when the store does not hold it.
Result<std::optional<engine::ImageInfo>> skopeo_inspect(const std::string& reference);

// Copies one image; each line skopeo prints ("Copying blob sha256:...") goes to `lines` as it
// comes. Errors name the two references and quote skopeo's message.
using LineSink = std::function<void(std::string_view line)>;
// `flags` go before the two references ("--preserve-digests").
Status skopeo_copy(const std::string& from, const std::string& to, const LineSink& lines,
                   const std::vector<std::string>& flags = {},
                   std::chrono::milliseconds timeout = k_skopeo_copy_timeout);

// The manifest's facts, for skopeo_inspect and its tests: nullopt when `raw` is not a single
// image's manifest (a list, or not JSON).
std::optional<engine::ImageInfo> image_from_manifest(std::string_view raw,
                                                     const std::string& image);

// The program's argv[0] and the hint when it is missing.
inline constexpr const char* k_skopeo = "skopeo";
inline constexpr const char* k_skopeo_missing =
    "skopeo is not installed: edgecrew copies images between stores with it (apt-get install "
    "skopeo)";

}  // namespace edgecrew::images
