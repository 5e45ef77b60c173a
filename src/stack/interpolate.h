#pragma once
// Compose variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err},
// ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, nested expansions inside defaults, and $$ for a literal $.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgecrew::stack {

using VariableLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct InterpolationError {
  std::size_t offset = 0;  // byte offset in the input where the faulty expression starts
  std::string message;     // e.g. `variable "REDIS_PASSWORD" is not set`
  std::string hint;
};

struct Interpolated {
  std::string value;
  std::vector<std::string> variables;  // every variable whose value was substituted
  std::optional<InterpolationError> error;
};

// An unset variable without a default is an error (never an empty string or a literal "${...}"),
// so that nothing unexpanded reaches a container.
Interpolated interpolate(std::string_view text, const VariableLookup& lookup);

// How a plain `$VAR` / `${VAR}` whose variable is unset expands.
enum class UnsetVariables { error, empty };

// .env files expand unset variables to "" as compose does; `${VAR:?msg}` still fails there.
Interpolated interpolate(std::string_view text, const VariableLookup& lookup, UnsetVariables unset);

}  // namespace edgecrew::stack
