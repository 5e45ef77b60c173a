#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "host/gpus.h"

namespace edgecrew::host {
namespace {

namespace fs = std::filesystem;

class CountNvidiaGpus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "edgecrew-gpus-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_root, ec);
  }

  void make_dir(const std::string& relative) { fs::create_directories(m_root / relative); }
  void make_file(const std::string& relative) {
    fs::create_directories((m_root / relative).parent_path());
    std::ofstream(m_root / relative) << "";
  }

  fs::path m_root;
};

TEST_F(CountNvidiaGpus, CountsProcEntries) {
  make_dir("proc/driver/nvidia/gpus/0000:01:00.0");
  make_dir("proc/driver/nvidia/gpus/0000:41:00.0");
  make_file("dev/nvidia0");  // ignored: /proc wins when present
  auto gpus = count_nvidia_gpus(m_root);
  EXPECT_EQ(gpus.count, 2);
  EXPECT_EQ(gpus.source, "/proc/driver/nvidia/gpus");
}

TEST_F(CountNvidiaGpus, EmptyProcDirectoryMeansNoGpus) {
  make_dir("proc/driver/nvidia/gpus");
  make_file("dev/nvidia0");
  auto gpus = count_nvidia_gpus(m_root);
  EXPECT_EQ(gpus.count, 0);
  EXPECT_EQ(gpus.source, "/proc/driver/nvidia/gpus");
}

TEST_F(CountNvidiaGpus, FallsBackToDeviceNodes) {
  for (const char* name : {"nvidia0", "nvidia1", "nvidia12", "nvidiactl", "nvidia-uvm",
                           "nvidia-uvm-tools", "nvidia-modeset", "nvidia", "nvidia0a", "null"}) {
    make_file(std::string("dev/") + name);
  }
  make_dir("dev/nvidia-caps");
  make_dir("proc/driver/nvidia");  // driver dir without gpus/
  auto gpus = count_nvidia_gpus(m_root);
  EXPECT_EQ(gpus.count, 3);
  EXPECT_EQ(gpus.source, "/dev/nvidia*");
}

TEST_F(CountNvidiaGpus, OnlyControlNodesIsNone) {
  make_file("dev/nvidiactl");
  make_file("dev/nvidia-uvm");
  auto gpus = count_nvidia_gpus(m_root);
  EXPECT_EQ(gpus.count, 0);
  EXPECT_EQ(gpus.source, "none");
}

TEST_F(CountNvidiaGpus, EmptyTreeIsNone) {
  auto gpus = count_nvidia_gpus(m_root);
  EXPECT_EQ(gpus.count, 0);
  EXPECT_EQ(gpus.source, "none");
}

TEST_F(CountNvidiaGpus, MissingRootIsNone) {
  auto gpus = count_nvidia_gpus(m_root / "does-not-exist");
  EXPECT_EQ(gpus.count, 0);
  EXPECT_EQ(gpus.source, "none");
}

}  // namespace
}  // namespace edgecrew::host
