#pragma once
// What the NVIDIA kernel driver exposes on a host, read from files only (procfs, sysfs, /dev):
// its version, the GPUs it drives, the NVIDIA PCI devices, and the device nodes with their numbers.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgecrew::host {

struct NvidiaNode {
  std::string path;  // "/dev/nvidia0"
  bool is_char_device = false;
  unsigned major = 0;
  unsigned minor = 0;
};

struct NvidiaDriverFacts {
  std::optional<std::string> version_line;  // first line of /proc/driver/nvidia/version
  std::string version;                      // "550.54.14", "" when unknown
  std::vector<std::string> driver_gpus;     // PCI addresses under /proc/driver/nvidia/gpus
  std::vector<std::string> pci_gpus;        // PCI devices with vendor 0x10de and class 0x03xxxx
  std::vector<NvidiaNode> nodes;            // /dev/nvidia*, sorted
  // Every place looked at, for "no NVIDIA GPU found (looked at ...)".
  std::vector<std::string> looked_at;
  // The GPUs the host has: those the driver lists, else the PCI devices, else /dev/nvidiaN.
  int gpu_count() const;
};

NvidiaDriverFacts read_nvidia_driver(const std::filesystem::path& root);

// "550.54.14" from "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 ...".
std::string driver_version_from(const std::string& version_line);

// nvidia0, nvidia1, ... but not nvidiactl, nvidia-uvm, nvidia-modeset.
bool is_gpu_node_name(const std::string& name);

}  // namespace edgecrew::host
