#include "host/nvml.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace edgecrew::host {

namespace {

// NVML's C types, declared here by their documented ABI rather than from nvml.h (not packaged).
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr nvmlReturn_t k_nvml_success = 0;

class Library {
 public:
  explicit Library(void* handle) : m_handle(handle) {}
  ~Library() {
    if (m_handle != nullptr) ::dlclose(m_handle);
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  template <typename F>
  F* symbol(const char* name) const {
    return reinterpret_cast<F*>(::dlsym(m_handle, name));
  }

 private:
  void* m_handle;
};

}  // namespace

Result<NvmlReport> read_nvml() {
  constexpr const char* k_library = "libnvidia-ml.so.1";
  void* handle = ::dlopen(k_library, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Error{ErrorKind::not_found, fmt::format("{} could not be loaded: {}", k_library,
                                                   why ? why : "unknown reason")};
  }
  Library lib(handle);
  auto init = lib.symbol<nvmlReturn_t()>("nvmlInit_v2");
  auto shutdown = lib.symbol<nvmlReturn_t()>("nvmlShutdown");
  auto error_string = lib.symbol<const char*(nvmlReturn_t)>("nvmlErrorString");
  auto count_fn = lib.symbol<nvmlReturn_t(unsigned*)>("nvmlDeviceGetCount_v2");
  auto handle_fn =
      lib.symbol<nvmlReturn_t(unsigned, nvmlDevice_t*)>("nvmlDeviceGetHandleByIndex_v2");
  auto name_fn = lib.symbol<nvmlReturn_t(nvmlDevice_t, char*, unsigned)>("nvmlDeviceGetName");
  auto uuid_fn = lib.symbol<nvmlReturn_t(nvmlDevice_t, char*, unsigned)>("nvmlDeviceGetUUID");
  auto memory_fn = lib.symbol<nvmlReturn_t(nvmlDevice_t, NvmlMemory*)>("nvmlDeviceGetMemoryInfo");
  auto driver_fn = lib.symbol<nvmlReturn_t(char*, unsigned)>("nvmlSystemGetDriverVersion");
  auto cuda_fn = lib.symbol<nvmlReturn_t(int*)>("nvmlSystemGetCudaDriverVersion_v2");
  if (cuda_fn == nullptr)
    cuda_fn = lib.symbol<nvmlReturn_t(int*)>("nvmlSystemGetCudaDriverVersion");
  for (auto [fn, name] :
       {std::pair<const void*, const char*>{reinterpret_cast<const void*>(init), "nvmlInit_v2"},
        {reinterpret_cast<const void*>(shutdown), "nvmlShutdown"},
        {reinterpret_cast<const void*>(count_fn), "nvmlDeviceGetCount_v2"},
        {reinterpret_cast<const void*>(handle_fn), "nvmlDeviceGetHandleByIndex_v2"}}) {
    if (fn == nullptr) {
      return Error{ErrorKind::internal, fmt::format("{} has no symbol {}", k_library, name)};
    }
  }
  auto describe = [&](nvmlReturn_t rc) {
    return error_string != nullptr ? std::string(error_string(rc)) : fmt::format("error {}", rc);
  };
  if (nvmlReturn_t rc = init(); rc != k_nvml_success) {
    return Error{ErrorKind::unavailable, fmt::format("nvmlInit failed: {}", describe(rc))};
  }
  NvmlReport report;
  report.library = k_library;
  char text[256] = {};
  if (driver_fn != nullptr && driver_fn(text, sizeof text) == k_nvml_success) {
    report.driver_version = text;
  }
  int cuda = 0;
  if (cuda_fn != nullptr && cuda_fn(&cuda) == k_nvml_success) {
    report.cuda_version = fmt::format("{}.{}", cuda / 1000, (cuda % 1000) / 10);
  }
  unsigned count = 0;
  if (nvmlReturn_t rc = count_fn(&count); rc != k_nvml_success) {
    shutdown();
    return Error{ErrorKind::unavailable,
                 fmt::format("nvmlDeviceGetCount failed: {}", describe(rc))};
  }
  for (unsigned i = 0; i < count; ++i) {
    NvmlGpu gpu;
    nvmlDevice_t dev = nullptr;
    if (handle_fn(i, &dev) != k_nvml_success) continue;
    if (name_fn != nullptr && name_fn(dev, text, sizeof text) == k_nvml_success) gpu.name = text;
    if (uuid_fn != nullptr && uuid_fn(dev, text, sizeof text) == k_nvml_success) gpu.uuid = text;
    NvmlMemory mem{};
    if (memory_fn != nullptr && memory_fn(dev, &mem) == k_nvml_success)
      gpu.memory_total = mem.total;
    report.gpus.push_back(std::move(gpu));
  }
  shutdown();
  return report;
}

}  // namespace edgecrew::host
