// Section "gpu": the NVIDIA kernel driver, its device nodes and NVML, read without nvidia-smi.
#include <fmt/format.h>

#include <filesystem>

#include "doctor/check.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

constexpr unsigned k_nvidia_major = 195;  // the driver's fixed character-device major number

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.0f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

std::string describe_node(const host::NvidiaNode& n) {
  if (!n.is_char_device) return n.path + " (not a character device)";
  return fmt::format("{} c {}:{}", n.path, n.major, n.minor);
}

Outcome check_driver(const Facts& facts) {
  const auto& g = facts.gpus();
  const auto& d = g.driver;
  std::vector<std::string> evidence;
  if (d.version_line) evidence.push_back("/proc/driver/nvidia/version: " + *d.version_line);
  for (const auto& p : d.pci_gpus) evidence.push_back("PCI device " + p + " (vendor 0x10de)");
  for (const auto& p : d.driver_gpus) evidence.push_back("/proc/driver/nvidia/gpus/" + p);
  if (d.version_line) {
    if (d.version.empty()) {
      return fail("/proc/driver/nvidia/version does not name a driver version", evidence,
                  "reinstall the NVIDIA driver");
    }
    return pass(
        fmt::format("NVIDIA driver {}, {} GPU{}", d.version, g.count, g.count == 1 ? "" : "s"),
        evidence);
  }
  if (!d.pci_gpus.empty() || g.count > 0) {
    return fail(
        fmt::format("{} NVIDIA GPU{} but the kernel driver is not loaded (no "
                    "/proc/driver/nvidia/version)",
                    g.count, g.count == 1 ? "" : "s"),
        evidence,
        "load the driver and read why it failed:\n$ modprobe nvidia\n$ dmesg | grep -i nvrm\n"
        "(install the NVIDIA driver first if modprobe finds no module)");
  }
  return warn(g.none_reason, {"looked at: " + join(g.looked_at, ", ")},
              "nothing to fix when this host has no NVIDIA GPU: vLLM will not start here");
}

Outcome check_nodes(const Facts& facts) {
  const auto& g = facts.gpus();
  if (g.count == 0) return skip(g.none_reason);
  std::vector<std::string> evidence;
  std::vector<std::string> problems;
  auto find = [&](const std::string& path) -> const host::NvidiaNode* {
    for (const auto& n : g.driver.nodes) {
      if (n.path == path) return &n;
    }
    return nullptr;
  };
  for (const auto& n : g.driver.nodes) evidence.push_back(describe_node(n));
  std::vector<std::string> wanted = {"/dev/nvidiactl", "/dev/nvidia-uvm"};
  for (int i = 0; i < g.count; ++i) wanted.push_back(fmt::format("/dev/nvidia{}", i));
  for (const auto& path : wanted) {
    const auto* n = find(path);
    if (n == nullptr) {
      problems.push_back(path + " is missing");
    } else if (!n->is_char_device) {
      problems.push_back(path + " is not a character device");
    } else if (path != "/dev/nvidia-uvm" && n->major != k_nvidia_major) {
      problems.push_back(fmt::format("{} has major {} (the NVIDIA driver's is {})", path, n->major,
                                     k_nvidia_major));
    }
  }
  if (!problems.empty()) {
    evidence.insert(evidence.begin(), problems.begin(), problems.end());
    return fail(
        join(problems, "; "), evidence,
        "create the device nodes (and load nvidia-uvm):\n$ nvidia-modprobe -u -c=0\n"
        "or: $ nvidia-ctk system create-device-nodes --control-devices --load-kernel-modules");
  }
  return pass(
      fmt::format("{} device nodes ({})", g.driver.nodes.size(),
                  join(
                      [&] {
                        std::vector<std::string> names;
                        for (const auto& n : g.driver.nodes) {
                          names.push_back(std::filesystem::path(n.path).filename().string());
                        }
                        return names;
                      }(),
                      ", ")),
      evidence);
}

Outcome check_nvml(const Facts& facts) {
  const auto& g = facts.gpus();
  if (!g.nvml) {
    return skip("NVML reads the running driver, not files: not asked with --root");
  }
  const auto& r = *g.nvml;
  if (!r.ok()) {
    if (g.count == 0) return skip(g.none_reason + " (and NVML is absent)", {r.error().message});
    if (r.error().kind == ErrorKind::not_found) {
      return fail("NVML is absent: " + r.error().message, {},
                  "install the NVIDIA driver's user-space libraries of the same version as the "
                  "kernel module (libnvidia-ml.so.1 comes with them)");
    }
    return fail(r.error().message, {},
                "a driver/library version mismatch is the usual cause after a driver update: "
                "reboot, or reload the kernel modules\n$ dmesg | grep -i nvrm");
  }
  std::vector<std::string> evidence;
  std::string names;
  for (std::size_t i = 0; i < r->gpus.size(); ++i) {
    const auto& gpu = r->gpus[i];
    evidence.push_back(
        fmt::format("GPU {}: {}, {}, {}", i, gpu.name, gib(gpu.memory_total), gpu.uuid));
  }
  evidence.push_back(
      fmt::format("driver {}, CUDA {} ({})", r->driver_version, r->cuda_version, r->library));
  if (r->gpus.empty()) return fail("NVML sees no GPU", evidence, "$ dmesg | grep -i nvrm");
  std::string summary =
      fmt::format("{} × {} ({}), driver {}, CUDA {}", r->gpus.size(), r->gpus.front().name,
                  gib(r->gpus.front().memory_total), r->driver_version, r->cuda_version);
  const auto& kernel = g.driver.version;
  if (!kernel.empty() && !r->driver_version.empty() && kernel != r->driver_version) {
    return fail(
        fmt::format("NVML library {} does not match kernel module {}", r->driver_version, kernel),
        evidence, "reboot (or reload the nvidia kernel modules) after a driver update");
  }
  int driver_count = static_cast<int>(g.driver.driver_gpus.size());
  if (driver_count > 0 && driver_count != static_cast<int>(r->gpus.size())) {
    return warn(summary + fmt::format("; the driver lists {} GPUs", driver_count), evidence);
  }
  return pass(summary, evidence);
}

}  // namespace

std::vector<Check> gpu_checks() {
  return {
      {"gpu.driver", "gpu", "the NVIDIA kernel driver (/proc/driver/nvidia, PCI devices)",
       check_driver},
      {"gpu.nodes", "gpu", "the device nodes /dev/nvidia*", check_nodes},
      {"gpu.nvml", "gpu", "NVML (libnvidia-ml.so.1): GPUs, memory, driver and CUDA versions",
       check_nvml, std::chrono::milliseconds(10000)},
  };
}

}  // namespace edgecrew::doctor
