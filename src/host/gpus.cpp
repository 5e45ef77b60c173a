#include "host/gpus.h"

#include <algorithm>
#include <string_view>
#include <system_error>

namespace edgecrew::host {

namespace {

// nvidia0, nvidia1, ... but not nvidiactl, nvidia-uvm, nvidia-modeset.
bool is_gpu_node(std::string_view name) {
  constexpr std::string_view kPrefix = "nvidia";
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size()) return false;
  name.remove_prefix(kPrefix.size());
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

GpuCount count_nvidia_gpus(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::error_code ec;

  fs::path proc_dir = root / "proc/driver/nvidia/gpus";
  if (fs::is_directory(proc_dir, ec)) {
    GpuCount out{0, "/proc/driver/nvidia/gpus"};
    for (fs::directory_iterator it(proc_dir, ec), end; !ec && it != end; it.increment(ec)) {
      ++out.count;
    }
    return out;
  }

  GpuCount out{0, "/dev/nvidia*"};
  for (fs::directory_iterator it(root / "dev", ec), end; !ec && it != end; it.increment(ec)) {
    if (is_gpu_node(it->path().filename().string())) ++out.count;
  }
  if (out.count == 0) out.source = "none";
  return out;
}

}  // namespace edgecrew::host
