#include "doctor/facts.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>

#include "doctor/engine_facts.h"
#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

std::optional<std::uint64_t> statvfs_free(const std::filesystem::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

GpuFacts read_gpus(const Inputs& in) {
  GpuFacts g;
  g.driver = host::read_nvidia_driver(in.root);
  if (in.nvml) g.nvml = in.nvml();
  g.count = g.driver.gpu_count();
  if (g.nvml && g.nvml->ok()) g.count = std::max(g.count, static_cast<int>((*g.nvml)->gpus.size()));
  g.looked_at = g.driver.looked_at;
  g.looked_at.emplace_back(in.nvml ? "NVML (libnvidia-ml.so.1)" : "not NVML (--root)");
  if (g.count == 0) g.none_reason = "no NVIDIA GPU found";
  return g;
}

}  // namespace

Inputs default_inputs(const std::filesystem::path& root,
                      std::map<std::string, std::string> environment) {
  Inputs in;
  in.root = root;
  in.environment = std::move(environment);
  in.free_bytes = statvfs_free;
  if (std::filesystem::path(root).lexically_normal() == "/") {
    in.nvml = host::read_nvml;
    in.start_podman_service = true;
  }
  return in;
}

Facts::Facts(Inputs inputs)
    : m_inputs(std::move(inputs)),
      m_gpus([this] { return read_gpus(m_inputs); }),
      m_cdi([this] {
        // The library's directories, then any further ones CRI-O is configured to read (later
        // ones win, as in CRI-O's own order).
        auto dirs = cdi::default_spec_dirs();
        if (const auto& extra = crio().cdi_spec_dirs) {
          for (const auto& d : extra->value) {
            std::string dir = host::normal_dir(d);
            if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
          }
        }
        return cdi::load_registry(m_inputs.root, dirs);
      }),
      m_podman([this]() -> std::optional<std::string> {
        if (m_inputs.podman_version) return m_inputs.podman_version();
        // Asked of the service the engine sections use (started for the run when allowed).
        const auto& p = podman_facts(*this);
        if (!p.engine) return std::nullopt;
        auto v = p.engine->version();
        return v ? std::optional<std::string>(*v) : std::nullopt;
      }),
      m_crio([this] { return host::read_crio_config(m_inputs.root); }),
      m_storage([this] { return host::read_storage_conf(m_inputs.root, m_inputs.environment); }),
      m_registries(
          [this] { return host::read_registries_conf(m_inputs.root, m_inputs.environment); }) {}

}  // namespace edgecrew::doctor
