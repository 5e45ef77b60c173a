#include "host/nvidia_driver.h"

#include <algorithm>
#include <system_error>

#include "host/host_path.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> list_dir(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

bool is_gpu_node_name(const std::string& name) {
  constexpr std::string_view k_prefix = "nvidia";
  if (!name.starts_with(k_prefix) || name.size() == k_prefix.size()) return false;
  return std::all_of(name.begin() + k_prefix.size(), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::string driver_version_from(const std::string& line) {
  // The version is the first word after "Kernel Module" (or "Kernel Module for aarch64").
  auto at = line.find("Kernel Module");
  if (at == std::string::npos) return {};
  for (const auto& word : split(line.substr(at), ' ')) {
    if (!word.empty() && word[0] >= '0' && word[0] <= '9' && word.find('.') != std::string::npos) {
      return word;
    }
  }
  return {};
}

int NvidiaDriverFacts::gpu_count() const {
  if (!driver_gpus.empty()) return static_cast<int>(driver_gpus.size());
  if (!pci_gpus.empty()) return static_cast<int>(pci_gpus.size());
  return static_cast<int>(std::count_if(nodes.begin(), nodes.end(), [](const NvidiaNode& n) {
    return is_gpu_node_name(fs::path(n.path).filename().string());
  }));
}

NvidiaDriverFacts read_nvidia_driver(const fs::path& root) {
  NvidiaDriverFacts f;
  f.looked_at = {"/proc/driver/nvidia/version", "/proc/driver/nvidia/gpus",
                 "/sys/bus/pci/devices/*/vendor", "/dev/nvidia*"};
  f.version_line = read_first_line(root, "/proc/driver/nvidia/version");
  if (f.version_line) f.version = driver_version_from(*f.version_line);
  f.driver_gpus = list_dir(under(root, "/proc/driver/nvidia/gpus"));

  const std::string pci = "/sys/bus/pci/devices";
  for (const auto& dev : list_dir(under(root, pci))) {
    auto vendor = read_first_line(root, pci + "/" + dev + "/vendor");
    auto cls = read_first_line(root, pci + "/" + dev + "/class");
    // 0x10de is NVIDIA; class 0x03xxxx is a display controller (VGA or 3D), not an audio function.
    if (vendor && to_lower(*vendor) == "0x10de" && cls && cls->starts_with("0x03")) {
      f.pci_gpus.push_back(dev);
    }
  }
  for (const auto& name : list_dir(under(root, "/dev"))) {
    if (!name.starts_with("nvidia")) continue;
    NvidiaNode node{"/dev/" + name, false, 0, 0};
    if (auto st = stat_path(under(root, node.path))) {
      if (st->is_directory) continue;  // /dev/nvidia-caps holds MIG capability nodes
      node.is_char_device = st->is_char_device;
      node.major = st->major;
      node.minor = st->minor;
    }
    f.nodes.push_back(node);
  }
  return f;
}

}  // namespace edgecrew::host
