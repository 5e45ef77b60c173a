#include "host/gpus.h"

#include <algorithm>
#include <string_view>
#include <system_error>

#include "host/nvidia_driver.h"

namespace edgecrew::host {

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
    if (is_gpu_node_name(it->path().filename().string())) ++out.count;
  }
  if (out.count == 0) out.source = "none";
  return out;
}

}  // namespace edgecrew::host
