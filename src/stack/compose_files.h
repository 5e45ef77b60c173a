#pragma once
// Finding the stack file(s) and naming the project, as docker compose does.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace edgecrew::stack {

// A stack file or an env file, read as a regular file of at most EDGECREW_MAX_FILE_MB megabytes
// (16 unless that variable says otherwise): a FIFO, a device or /dev/zero cannot stall the loader.
Result<std::string> read_stack_input(const std::filesystem::path& path);

// compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml in `dir` or the nearest parent
// that has one, followed by its override file (compose.override.yaml, ...) when present.
// Empty when there is none.
std::vector<std::filesystem::path> discover_compose_files(const std::filesystem::path& dir);

// Lower-case letters, digits, '-' and '_', starting with a letter or digit; nullopt when nothing
// valid is left.
std::optional<std::string> normalize_project_name(const std::string& raw);

}  // namespace edgecrew::stack
