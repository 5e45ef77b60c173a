#pragma once
// Compose's scalar formats: durations (Go syntax: "1m30s", "500ms", "1.5h") and byte sizes
// ("512m", "1g", "1gb", "1024", "2.5GiB"?) as docker/go-units parses them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "stack/model.h"

namespace edgecrew::stack {

// nullopt for anything that is not a Go duration. A bare "0" is zero.
std::optional<Duration> parse_duration(std::string_view text);
// nullopt for anything that is not a size. A bare number is bytes; suffixes b k m g t p
// (optionally followed by "b"), case-insensitive, powers of 1024, as docker's RAMInBytes.
std::optional<std::int64_t> parse_size(std::string_view text);
// "1m30s" style, the shortest exact Go spelling ("0s", "500ms", "1m30s", "2h").
std::string format_duration(Duration d);

}  // namespace edgecrew::stack
