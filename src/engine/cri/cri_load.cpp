// make_cri_engine in the edgecrew binary: the CRI engine, with gRPC, is loaded from the CRI module
// the first time a CRI runtime is used. The module is looked for beside the binary (the build
// folder), then in ../lib/edgecrew (an installed layout), and stays loaded until the process ends.
#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "engine/cri/cri_runtime.h"
#include "util/strings.h"

namespace edgecrew::engine::cri {

namespace {

namespace fs = std::filesystem;

struct Module {
  CriModuleEntry entry = nullptr;
  std::string error;  // why there is no entry
};

std::vector<fs::path> module_candidates() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path dir = exe.parent_path();
  return {dir / k_cri_module_file, dir.parent_path() / "lib" / "edgecrew" / k_cri_module_file};
}

Module load_module() {
  Module out;
  const std::vector<fs::path> candidates = module_candidates();
  if (candidates.empty()) {
    out.error = fmt::format(
        "the CRI module {} cannot be looked for: /proc/self/exe does not say where the edgecrew "
        "binary is (is /proc mounted?)",
        k_cri_module_file);
    return out;
  }
  std::vector<std::string> looked;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      looked.push_back(path.string());
      continue;
    }
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      out.error = fmt::format("the CRI module {} could not be loaded: {}", path.string(),
                              why != nullptr ? why : "dlopen failed");
      return out;
    }
    const auto* abi = static_cast<const int*>(::dlsym(handle, "edgecrew_cri_module_abi"));
    auto* entry = reinterpret_cast<CriModuleEntry>(::dlsym(handle, "edgecrew_cri_make_engine"));
    if (abi == nullptr || entry == nullptr || *abi != k_cri_module_abi) {
      out.error = fmt::format(
          "{} is not the CRI module of this edgecrew (another build's; its version {}, this "
          "binary's {}): build both again (cmake --build build --target edgecrew)",
          path.string(), abi != nullptr ? std::to_string(*abi) : "unknown", k_cri_module_abi);
      return out;
    }
    out.entry = entry;
    return out;
  }
  out.error = fmt::format(
      "the CRI module {} is not beside the edgecrew binary (looked for {}); it is built with the "
      "binary: cmake --build build --target edgecrew",
      k_cri_module_file, join(looked, ", "));
  return out;
}

}  // namespace

Result<std::shared_ptr<CriRuntime>> make_cri_engine(const CriEndpoint& endpoint,
                                                    const CriEngineOptions& options) {
  static const Module module = load_module();
  if (module.entry == nullptr) return Error{ErrorKind::internal, module.error};
  std::shared_ptr<CriRuntime> out;
  module.entry(&endpoint, &options, &out);
  if (!out) return Error{ErrorKind::internal, "the CRI module made no engine"};
  return out;
}

}  // namespace edgecrew::engine::cri
