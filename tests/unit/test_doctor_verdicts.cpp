// The remaining verdicts of sections gpu, cdi, crio-config, storage and network, each made by
// changing one thing in a copy of a fixture host.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>

#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using testing::finding;
using testing::joined;

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

Report run_with_nvml(const testing::FixtureHost& host, Result<host::NvmlReport> nvml) {
  auto in = host.inputs();
  in.nvml = [nvml] { return nvml; };
  return host.run(in, {{"gpu"}, {}});
}

TEST(DoctorVerdicts, NvmlCountMismatchInitFailureAndNoGpu) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  host::NvmlReport one{
      "libnvidia-ml.so.1", "550.54.14", "12.4", {{"NVIDIA H200", "GPU-a", 1ull << 30}}};
  auto r = run_with_nvml(host, one);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::warn);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary,
            "1 × NVIDIA H200 (1 GiB), driver 550.54.14, CUDA 12.4; the driver lists 2 GPUs");

  r = run_with_nvml(
      host, Error{ErrorKind::unavailable, "nvmlInit failed: Driver/library version mismatch"});
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::fail);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary,
            "nvmlInit failed: Driver/library version mismatch");

  host::NvmlReport none{"libnvidia-ml.so.1", "550.54.14", "12.4", {}};
  r = run_with_nvml(host, none);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary, "NVML sees no GPU");
}

TEST(DoctorVerdicts, GpuNodeWithAForeignMajorAndADriverWithoutVersion) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto node = host.root / "dev/nvidia1";
  std::filesystem::remove(node);
  ASSERT_EQ(::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(10, 1)), 0);
  write(host.root / "proc/driver/nvidia/version", "NVRM version: garbled\n");
  auto r = host.run(host.inputs(), {{"gpu"}, {}});
  EXPECT_EQ(finding(r, "gpu.nodes").outcome.summary,
            "/dev/nvidia1 has major 10 (the NVIDIA driver's is 195)");
  EXPECT_EQ(finding(r, "gpu.driver").outcome.verdict, Verdict::fail);
  EXPECT_EQ(finding(r, "gpu.driver").outcome.summary,
            "/proc/driver/nvidia/version does not name a driver version");
}

TEST(DoctorVerdicts, SpecPathThatIsNotADeviceNode) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  std::filesystem::remove(host.root / "dev/nvidia-uvm-tools");
  write(host.root / "dev/nvidia-uvm-tools", "a regular file\n");
  auto r = host.run(host.inputs(), {{"cdi"}, {}});
  EXPECT_EQ(finding(r, "cdi.nodes").outcome.verdict, Verdict::fail);
  EXPECT_EQ(joined(finding(r, "cdi.nodes").outcome.evidence),
            "/etc/cdi/nvidia.yaml:6: /dev/nvidia-uvm-tools is not a device node\n");
}

TEST(DoctorVerdicts, CrioUndefinedDefaultAndNonExecutableRuntime) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  write(host.root / "etc/crio/crio.conf.d/50-default.conf",
        "[crio.runtime]\ndefault_runtime = \"kata\"\n");
  std::filesystem::permissions(host.root / "usr/bin/nvidia-container-runtime",
                               std::filesystem::perms::owner_read,
                               std::filesystem::perm_options::replace);
  auto r = host.run(host.inputs(), {{"crio-config"}, {}});
  const auto& def = finding(r, "crio-config.default-runtime");
  EXPECT_EQ(def.outcome.verdict, Verdict::fail);
  EXPECT_EQ(def.outcome.summary, "CRI-O refuses to start: the default runtime handler kata");
  EXPECT_EQ(def.outcome.evidence.front(),
            "default_runtime set to \"kata\", but no runtime entry table "
            "[crio.runtime.runtimes.kata] was found (/etc/crio/crio.conf.d/50-default.conf:2)");
  // CRI-O checks only that runtime_path exists: it keeps the handler, whose containers fail.
  const auto& rt = finding(r, "crio-config.runtimes");
  EXPECT_EQ(rt.outcome.verdict, Verdict::fail);
  EXPECT_EQ(rt.outcome.summary, "nvidia cannot run containers: its binary is not executable");
  EXPECT_NE(rt.outcome.fix.find("$ chmod 755 /usr/bin/nvidia-container-runtime"),
            std::string::npos);
}

TEST(DoctorVerdicts, StorageConfSyntaxErrorAndIpv6ForwardingOff) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  write(host.root / "etc/containers/storage.conf", "[storage]\ndriver = overlay\n");
  write(host.root / "proc/sys/net/ipv6/conf/all/forwarding", "0\n");
  auto r = host.run(host.inputs(), {{"storage", "network"}, {}});
  const auto& s = finding(r, "storage.podman");
  EXPECT_EQ(s.outcome.verdict, Verdict::fail);
  EXPECT_NE(joined(s.outcome.evidence).find("/etc/containers/storage.conf:2:10: not valid TOML"),
            std::string::npos)
      << joined(s.outcome.evidence);
  EXPECT_EQ(finding(r, "network.ipv6-forward").outcome.verdict, Verdict::warn);
  EXPECT_NE(finding(r, "network.ipv6-forward")
                .outcome.fix.find("$ sysctl -w net.ipv6.conf.all.forwarding=1"),
            std::string::npos);
}

}  // namespace
}  // namespace edgecrew::doctor
