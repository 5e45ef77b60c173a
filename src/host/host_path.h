#pragma once
// Host files are read under a root directory (`/` on a real host, a fixture tree in tests): one
// place that maps a host path such as "/etc/cdi" to the file to open.

#include <filesystem>
#include <optional>
#include <string>

namespace edgecrew::host {

// `root` joined with `host_path` taken as relative ("/etc/cdi" under "/tmp/x" → "/tmp/x/etc/cdi").
std::filesystem::path under(const std::filesystem::path& root, const std::string& host_path);

// A directory as written in a config file, normalised for comparison: "/opt/cdi/" → "/opt/cdi".
std::string normal_dir(const std::string& dir);

// What stat() says about a host path (after symlinks), or nullopt when it does not exist.
struct FileFacts {
  bool is_char_device = false;
  bool is_block_device = false;
  bool is_directory = false;
  bool is_regular = false;
  bool executable = false;  // any execute bit on a regular file
  unsigned major = 0;       // device numbers, for device nodes
  unsigned minor = 0;
  unsigned mode = 0;  // permission bits
  unsigned uid = 0;
  unsigned gid = 0;
};
std::optional<FileFacts> stat_path(const std::filesystem::path& path);

// The first line of a small file under root, trimmed; nullopt when it cannot be read.
std::optional<std::string> read_first_line(const std::filesystem::path& root,
                                           const std::string& host_path);

}  // namespace edgecrew::host
