#pragma once
// .env files as Compose reads them: KEY=VALUE lines, `export` prefix, comments, single quotes
// (literal), double quotes (escapes \n \t \" \\ and ${VAR} expansion), unquoted values (trailing
// " #comment" removed, ${VAR} expanded).

#include <map>
#include <string>
#include <string_view>

#include "stack/interpolate.h"
#include "util/diagnostics.h"

namespace edgecrew::stack {

struct DotenvEntry {
  std::string value;
  Location where;
};

// Later lines override earlier ones. `lookup` resolves ${VAR} references to variables not defined
// earlier in the same file. Malformed lines are reported to `diags` (with file:line:col) and
// skipped.
std::map<std::string, DotenvEntry> parse_dotenv(std::string_view text, const std::string& file,
                                                const VariableLookup& lookup, Diagnostics& diags);

}  // namespace edgecrew::stack
