#pragma once
// The gpu section's comparisons with the stack, for tests: what a GPU service asks for
// (--tensor-parallel-size, CUDA_VISIBLE_DEVICES) against the GPUs found, and the CUDA version an
// image was built for against the newest one the driver supports.

#include <optional>
#include <string>
#include <vector>

#include "doctor/finding.h"
#include "stack/model.h"

namespace edgecrew::doctor {

// What one service asks of the GPUs, and each request the host cannot meet ("" fields when the
// service does not set them).
struct GpuAsk {
  std::string tensor_parallel;  // the value of --tensor-parallel-size
  std::string visible_devices;  // CUDA_VISIBLE_DEVICES
  std::vector<std::string> problems;
};
GpuAsk gpu_ask(const stack::Service& service, int gpus_found);

// "12.4.1" from an image's environment (CUDA_VERSION=...), nullopt when it does not set one.
std::optional<std::string> image_cuda_version(const std::vector<std::string>& env);

// The driver's newest CUDA ("12.4", NVML) against the image's ("12.8.1"): fail when the image's
// major version is newer (Error 803, "unsupported display driver / cuda driver combination"),
// warn when only its minor version is newer, pass otherwise.
Outcome compare_cuda(const std::string& driver_cuda, const std::string& image,
                     const std::string& image_cuda);

}  // namespace edgecrew::doctor
