#pragma once
// The built-in EdgeCrew stack, used when there is no compose file and written out by `init`.

#include <string>
#include <string_view>
#include <vector>

namespace edgecrew::stack {

inline constexpr std::string_view k_builtin_name = "<built-in>";

// The compose file text, embedded at build time from src/stack/builtin/compose.yaml.
std::string_view builtin_compose_text();

// The variables the built-in stack needs that edgecrew generates when they are set nowhere.
const std::vector<std::string>& builtin_generated_secrets();

}  // namespace edgecrew::stack
