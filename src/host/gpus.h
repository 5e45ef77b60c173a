#pragma once
// Counting the host's NVIDIA GPUs without the driver's tools, from what the kernel driver exposes.

#include <filesystem>
#include <string>

namespace edgecrew::host {

struct GpuCount {
  int count = 0;
  std::string source;  // "/proc/driver/nvidia/gpus", "/dev/nvidia*" or "none"
};

// Reads <root>/proc/driver/nvidia/gpus (one entry per GPU, named by PCI address) and, when that
// directory is absent, the <root>/dev/nvidiaN device nodes. `root` lets tests use fixture trees.
GpuCount count_nvidia_gpus(const std::filesystem::path& root = "/");

}  // namespace edgecrew::host
