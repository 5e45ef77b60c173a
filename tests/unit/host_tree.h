#pragma once
// A host tree for host/ tests: files and executables written under a temp root that is removed at
// the end (kept, and named, when the test failed).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace edgecrew::testing {

class HostTree {
 public:
  HostTree() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "edgecrew-host-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
  }
  ~HostTree() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "test data has been left in " << root.string() << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  HostTree(const HostTree&) = delete;
  HostTree& operator=(const HostTree&) = delete;

  // Writes `text` at the host path `path` ("/etc/crio/crio.conf").
  const HostTree& file(const std::string& path, const std::string& text) const {
    auto p = root / path.substr(1);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return *this;
  }
  // An executable stub at `path` ("/usr/bin/runc").
  const HostTree& binary(const std::string& path) const {
    file(path, "#!/bin/sh\nexit 0\n");
    std::filesystem::permissions(root / path.substr(1), std::filesystem::perms::owner_all |
                                                            std::filesystem::perms::group_exec |
                                                            std::filesystem::perms::others_exec);
    return *this;
  }

  std::filesystem::path root;
};

}  // namespace edgecrew::testing
