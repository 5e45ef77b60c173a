// The doctor's gpu section on fixture host trees; NVML is a fixture function (no GPU here).
#include <gtest/gtest.h>

#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using testing::finding;
using testing::joined;

host::NvmlReport fixture_nvml(int gpus, const std::string& driver = "550.54.14") {
  host::NvmlReport r{"libnvidia-ml.so.1", driver, "12.4", {}};
  for (int i = 0; i < gpus; ++i) {
    r.gpus.push_back(
        {"NVIDIA H200", "GPU-0000000" + std::to_string(i), std::uint64_t{143771} << 20});
  }
  return r;
}

TEST(DoctorGpu, NoGpuSaysWhatWasLookedAtAndDependentChecksSkip) {
  EDGECREW_FIXTURE_HOST(host, "nogpu");
  auto in = host.inputs();
  in.nvml = [] {
    return Result<host::NvmlReport>(Error{ErrorKind::not_found, "libnvidia-ml.so.1: cannot open"});
  };
  auto r = host.run(in);
  const auto& driver = finding(r, "gpu.driver");
  EXPECT_EQ(driver.outcome.verdict, Verdict::warn);
  EXPECT_EQ(driver.outcome.summary, "no NVIDIA GPU found");
  EXPECT_EQ(joined(driver.outcome.evidence),
            "looked at: /proc/driver/nvidia/version, /proc/driver/nvidia/gpus, "
            "/sys/bus/pci/devices/*/vendor, /dev/nvidia*, NVML (libnvidia-ml.so.1)\n");
  for (const char* id : {"gpu.nodes", "cdi.gpu-all"}) {
    EXPECT_EQ(finding(r, id).outcome.verdict, Verdict::skip) << id;
    EXPECT_EQ(finding(r, id).outcome.summary, "no NVIDIA GPU found") << id;
  }
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::skip);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary, "no NVIDIA GPU found (and NVML is absent)");
  EXPECT_FALSE(r.failed());
}

TEST(DoctorGpu, GpuWithoutKernelDriverFails) {
  EDGECREW_FIXTURE_HOST(host, "driver-not-loaded");
  auto r = host.run();
  const auto& driver = finding(r, "gpu.driver");
  EXPECT_EQ(driver.outcome.verdict, Verdict::fail);
  EXPECT_EQ(driver.outcome.summary,
            "1 NVIDIA GPU but the kernel driver is not loaded (no /proc/driver/nvidia/version)");
  EXPECT_EQ(joined(driver.outcome.evidence), "PCI device 0000:17:00.0 (vendor 0x10de)\n");
  EXPECT_NE(driver.outcome.fix.find("$ modprobe nvidia"), std::string::npos);
  EXPECT_EQ(finding(r, "gpu.nodes").outcome.verdict, Verdict::fail);
  // A GPU and no CDI spec: nothing can inject it.
  EXPECT_EQ(finding(r, "cdi.dirs").outcome.verdict, Verdict::fail);
  EXPECT_TRUE(r.failed());
}

TEST(DoctorGpu, DriverNodesAndFixtureNvmlPass) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto in = host.inputs();
  in.nvml = [] { return Result<host::NvmlReport>(fixture_nvml(2)); };
  auto r = host.run(in);
  EXPECT_EQ(finding(r, "gpu.driver").outcome.summary, "NVIDIA driver 550.54.14, 2 GPUs");
  EXPECT_EQ(finding(r, "gpu.driver").outcome.verdict, Verdict::pass);
  const auto& nodes = finding(r, "gpu.nodes");
  EXPECT_EQ(nodes.outcome.verdict, Verdict::pass);
  EXPECT_NE(joined(nodes.outcome.evidence).find("/dev/nvidiactl c 195:255\n"), std::string::npos);
  const auto& nvml = finding(r, "gpu.nvml");
  EXPECT_EQ(nvml.outcome.verdict, Verdict::pass);
  EXPECT_EQ(nvml.outcome.summary, "2 × NVIDIA H200 (140 GiB), driver 550.54.14, CUDA 12.4");
}

TEST(DoctorGpu, MissingUvmNodeFailsWithTheCommand) {
  EDGECREW_FIXTURE_HOST(host, "gpu-nodes-missing");
  auto r = host.run();
  const auto& nodes = finding(r, "gpu.nodes");
  EXPECT_EQ(nodes.outcome.verdict, Verdict::fail);
  EXPECT_EQ(nodes.outcome.summary, "/dev/nvidia-uvm is missing");
  EXPECT_NE(nodes.outcome.fix.find("$ nvidia-modprobe -u -c=0"), std::string::npos);
  // No spec with a GPU present: gpu=all cannot resolve, and explain says why.
  const auto& all = finding(r, "cdi.gpu-all");
  EXPECT_EQ(all.outcome.verdict, Verdict::fail);
  EXPECT_NE(joined(all.outcome.evidence)
                .find("no spec in /etc/cdi (missing), /var/run/cdi (missing) "
                      "defines kind nvidia.com/gpu (no spec at all)"),
            std::string::npos)
      << joined(all.outcome.evidence);
}

TEST(DoctorGpu, NvmlAbsentOrMismatchedWithGpusFails) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto in = host.inputs();
  in.nvml = [] {
    return Result<host::NvmlReport>(
        Error{ErrorKind::not_found, "libnvidia-ml.so.1 could not be loaded: x"});
  };
  auto r = host.run(in);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::fail);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary,
            "NVML is absent: libnvidia-ml.so.1 could not be loaded: x");

  in.nvml = [] { return Result<host::NvmlReport>(fixture_nvml(2, "545.23.08")); };
  r = host.run(in);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::fail);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary,
            "NVML library 545.23.08 does not match kernel module 550.54.14");
}

TEST(DoctorGpu, NvmlNotAskedUnderRoot) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = host.run();  // inputs() leaves nvml empty, as --root does
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.verdict, Verdict::skip);
  EXPECT_EQ(finding(r, "gpu.nvml").outcome.summary,
            "NVML reads the running driver, not files: not asked with --root");
}

TEST(HostNvidiaDriver, VersionFromTheProcLine) {
  EXPECT_EQ(host::driver_version_from("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  "
                                      "Thu Feb 22 01:44:30 UTC 2024"),
            "550.54.14");
  EXPECT_EQ(
      host::driver_version_from(
          "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  535.129.03  Release Build"),
      "535.129.03");
  EXPECT_EQ(host::driver_version_from("garbage"), "");
}

}  // namespace
}  // namespace edgecrew::doctor
