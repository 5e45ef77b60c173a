#pragma once
// Stack file(s) → Stack: parse, merge, interpolate, decode, validate. Every problem in every file
// is collected before returning, each with its position.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stack/model.h"
#include "util/diagnostics.h"

namespace edgecrew::stack {

struct SourceFile {
  std::string name;  // as shown in messages: the path as given, or "<built-in>"
  std::string text;
  std::filesystem::path dir;  // relative paths in this file start here
};

struct EnvFile {
  std::filesystem::path path;
  bool required = false;  // given with --env-file: a missing one is an error
};

struct LoadOptions {
  std::map<std::string, std::string> environment;  // wins over everything
  std::vector<EnvFile> env_files;                  // later files override earlier ones
  std::map<std::string, std::string> defaults;     // used only when set nowhere else
  std::string project_name;                        // -p; wins over `name:`
  std::string fallback_project_name;               // used when neither is given (directory name)
  std::string home;                                // for "~" in paths
};

struct LoadResult {
  std::optional<Stack> stack;  // empty when any error was found
  Diagnostics diagnostics;
};

LoadResult load_stack(const std::vector<SourceFile>& sources, const LoadOptions& options);

// Reads files from disk into sources, named relative to `cwd` when they lie under it (as a user
// would type them); unreadable files are reported to `diags`.
std::vector<SourceFile> read_sources(const std::vector<std::filesystem::path>& paths,
                                     const std::filesystem::path& cwd, Diagnostics& diags);

}  // namespace edgecrew::stack
