#pragma once
// Shared helpers for the stack loader tests: load inline text, list diagnostics as printed.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "stack/compose_loader.h"
#include "util/diagnostics.h"

namespace edgecrew::stack::test {

inline const std::string k_data_dir = EDGECREW_TEST_DATA;

// Options with a fallback project name and a home, so that inline stacks need no `name:`.
inline LoadOptions options_for_tests() {
  LoadOptions options;
  options.fallback_project_name = "app";
  options.home = "/home/tester";
  return options;
}

// Loads `text` as if it were the file `name` in `dir`.
inline LoadResult load_text(const std::string& text,
                            const LoadOptions& options = options_for_tests(),
                            const std::string& name = "compose.yaml",
                            const std::filesystem::path& dir = "/srv/app") {
  return load_stack({SourceFile{name, text, dir}}, options);
}

// Every diagnostic as format_diagnostic prints it, in order.
inline std::vector<std::string> formatted(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(format_diagnostic(d));
  return out;
}

// Only the errors (or only the warnings), as printed.
inline std::vector<std::string> formatted(const Diagnostics& diags, Severity severity) {
  std::vector<std::string> out;
  for (const auto& d : diags.items()) {
    if (d.severity == severity) out.push_back(format_diagnostic(d));
  }
  return out;
}

// Loads `text` that must be valid: a diagnostic fails the test, which then gets an empty stack.
inline Stack load_ok(const std::string& text) {
  auto result = load_text(text);
  if (!result.stack) {
    ADD_FAILURE() << ::testing::PrintToString(formatted(result.diagnostics));
    return {};
  }
  return *result.stack;
}

}  // namespace edgecrew::stack::test
