#pragma once
// Golden files under tests/golden/: expect_golden("NAME", actual) expects `actual` to equal the
// file's text exactly. With EDGECREW_UPDATE_GOLDEN=1 in the environment it writes `actual` to the
// file instead (review the diff before committing it).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace edgecrew {

inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(EDGECREW_GOLDEN_DIR) / name;
  const char* update = std::getenv("EDGECREW_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << actual;
    out.close();
    ASSERT_TRUE(out.good()) << "cannot write the golden file " << path;
    std::cerr << "edgecrew tests: updated the golden file " << path << "\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "the golden file " << path
                         << " is missing: run the tests with EDGECREW_UPDATE_GOLDEN=1 to write it";
  std::ostringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str())
      << "the output differs from the golden file " << path
      << "; if the change is intended, rerun with EDGECREW_UPDATE_GOLDEN=1 and review the diff";
}

}  // namespace edgecrew
