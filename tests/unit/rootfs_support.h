#pragma once
// Building image root filesystems from host binaries, for the tests' private Podman and containerd
// peers (no registry here): a binary with the libraries `ldd` names for it.

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "util/subprocess.h"

namespace edgecrew::testing {

// Copies `binary` to `target` under `rootfs`, with each library `ldd` names for it and the dynamic
// loader at their own paths; "" or why not.
inline std::string copy_with_libraries(const std::string& binary,
                                       const std::filesystem::path& rootfs,
                                       const std::filesystem::path& target,
                                       std::chrono::milliseconds timeout) {
  namespace fs = std::filesystem;
  fs::create_directories((rootfs / target.relative_path()).parent_path());
  fs::copy_file(fs::canonical(binary), rootfs / target.relative_path(),
                fs::copy_options::overwrite_existing);
  auto ldd = run_process({.argv = {"ldd", binary}}, timeout);
  if (!ldd || !ldd->status.success()) return "ldd " + binary + " failed";
  std::istringstream lines(ldd->out);
  int copied = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    std::string library;
    if (w.size() >= 3 && w[1] == "=>" && w[2].starts_with("/")) library = w[2];
    if (!w.empty() && w[0].starts_with("/")) library = w[0];  // the dynamic loader
    if (library.empty()) continue;
    const fs::path to = rootfs / fs::path(library).relative_path();
    fs::create_directories(to.parent_path());
    if (!fs::exists(to)) fs::copy_file(fs::canonical(library), to);  // the file, not a link
    ++copied;
  }
  if (copied == 0) return "ldd listed no libraries for " + binary;
  return {};
}

}  // namespace edgecrew::testing
