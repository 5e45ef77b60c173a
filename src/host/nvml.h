#pragma once
// NVML (the NVIDIA Management Library) loaded at run time with dlopen("libnvidia-ml.so.1"), so
// edgecrew builds and runs without it; every function is resolved by name.

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace edgecrew::host {

struct NvmlGpu {
  std::string name;  // "NVIDIA H200"
  std::string uuid;
  std::uint64_t memory_total = 0;  // bytes
};

struct NvmlReport {
  std::string library;         // what was loaded: "libnvidia-ml.so.1"
  std::string driver_version;  // "550.54.14"
  std::string cuda_version;    // "12.4" (the newest CUDA the driver supports)
  std::vector<NvmlGpu> gpus;
};

// Errors: not_found when the library is absent (dlerror's text), unavailable when nvmlInit fails
// (the driver is not loaded or does not match the library), internal for a missing symbol.
Result<NvmlReport> read_nvml();

}  // namespace edgecrew::host
