#pragma once
// Internal to host/: one place that parses TOML text with toml++ and turns its errors and node
// positions into edgecrew's Location/Diagnostic. Only host/*.cpp include this (toml++ stays out
// of every other header).

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostics.h"

namespace edgecrew::host::toml_read {

// The table, or nullopt with the parse error added to `diags` at its file:line:column.
std::optional<toml::table> parse(std::string_view text, const std::string& file,
                                 Diagnostics& diags);

Location at(const toml::node& node, const std::string& file);

// "a string", "an integer", "a float", "a table", ...: a value's TOML type, for messages.
const char* type_name(const toml::node& node);

// A string value; a value of another type is an error in `diags` and gives nullopt.
std::optional<std::string> string_at(const toml::table& t, std::string_view key,
                                     const std::string& file, Diagnostics& diags);
// An array of strings (a single string is taken as a one-element array, as CRI-O does not).
std::optional<std::vector<std::string>> strings_at(const toml::table& t, std::string_view key,
                                                   const std::string& file, Diagnostics& diags);

}  // namespace edgecrew::host::toml_read
