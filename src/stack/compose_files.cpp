#include "stack/compose_files.h"

#include <cctype>
#include <cstdlib>

#include "util/fs.h"

namespace edgecrew::stack {

Result<std::string> read_stack_input(const std::filesystem::path& path) {
  std::size_t megabytes = 16;
  if (const char* v = std::getenv("EDGECREW_MAX_FILE_MB")) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (end != v && *end == '\0' && n > 0 && n < (1ULL << 20)) megabytes = n;
  }
  return read_input_file(path, megabytes << 20,
                         "raise the cap with EDGECREW_MAX_FILE_MB=N, N in megabytes");
}

namespace fs = std::filesystem;

std::vector<fs::path> discover_compose_files(const fs::path& dir) {
  static const char* const names[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
                                      "docker-compose.yml"};
  static const char* const overrides[] = {"compose.override.yaml", "compose.override.yml",
                                          "docker-compose.override.yaml",
                                          "docker-compose.override.yml"};
  std::error_code ec;
  for (fs::path d = fs::absolute(dir, ec); !d.empty(); d = d.parent_path()) {
    for (const char* name : names) {
      if (fs::is_regular_file(d / name, ec)) {
        std::vector<fs::path> found{d / name};
        for (const char* o : overrides) {
          if (fs::is_regular_file(d / o, ec)) {
            found.push_back(d / o);
            break;
          }
        }
        return found;
      }
    }
    if (d == d.root_path()) break;
  }
  return {};
}

std::optional<std::string> normalize_project_name(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    char lower = static_cast<char>(std::tolower(c));
    bool allowed = std::isalnum(c) || c == '-' || c == '_';
    if (!allowed) continue;
    if (out.empty() && !std::isalnum(c)) continue;
    out.push_back(lower);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace edgecrew::stack
