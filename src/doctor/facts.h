#pragma once
// What the doctor reads about the host, each computed once on first use and shared by every check
// that needs it (checks run in parallel). The I/O edges that cannot be pointed at a fixture tree
// (NVML, statvfs, Podman's version) are functions in `Inputs` that tests replace, and whether a
// private Podman service may be started is a flag there.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <vector>

#include "cdi/registry.h"
#include "host/containers_conf.h"
#include "host/crio_config.h"
#include "host/nvidia_driver.h"
#include "host/nvml.h"
#include "stack/model.h"
#include "util/result.h"

namespace edgecrew::doctor {

struct Inputs {
  std::filesystem::path root = "/";
  std::map<std::string, std::string> environment;
  // NVML talks to the running kernel driver, not to files: empty means "not asked" (a --root
  // fixture); default_inputs sets read_nvml for the real host.
  std::function<Result<host::NvmlReport>()> nvml;
  // Free bytes on the filesystem holding a path (statvfs); nullopt when it cannot be asked.
  std::function<std::optional<std::uint64_t>(const std::filesystem::path&)> free_bytes;
  // Replaces asking the Podman service for its version ("4.3.1"; nullopt: not known).
  std::function<std::optional<std::string>()> podman_version;
  // When no Podman socket answers, start the same private `podman system service` that `up`
  // starts, for this run only (the real host); false: report that nothing answers (fixtures).
  bool start_podman_service = false;
  // For the checks that look at the stack or ask an engine (gpu, cri, storage, images, services,
  // smoke): the stack as the verbs load it (null when none: stack_error says why), --engine,
  // --cri-endpoint and the profiles.
  std::shared_ptr<const stack::Stack> stack;
  std::string stack_error;
  std::string engine;
  std::string cri_endpoint;
  std::vector<std::string> profiles;
};

// Inputs for the real host under `root`: NVML and a private Podman service only when root is "/".
Inputs default_inputs(const std::filesystem::path& root,
                      std::map<std::string, std::string> environment);

// A value computed once, by whichever thread asks first.
template <typename T>
class Once {
 public:
  explicit Once(std::function<T()> make) : m_make(std::move(make)) {}
  const T& get() const {
    std::call_once(m_flag, [this] { m_value.emplace(m_make()); });
    return *m_value;
  }

 private:
  std::function<T()> m_make;
  mutable std::once_flag m_flag;
  mutable std::optional<T> m_value;
};

struct GpuFacts {
  host::NvidiaDriverFacts driver;
  std::optional<Result<host::NvmlReport>> nvml;  // empty: NVML not asked
  int count = 0;                                 // GPUs found by any source
  std::vector<std::string> looked_at;            // every place a GPU was looked for
  // "no NVIDIA GPU found", or "" when GPUs were found: the reason GPU-dependent checks skip.
  std::string none_reason;
};

class Facts {
 public:
  explicit Facts(Inputs inputs);
  const Inputs& inputs() const { return m_inputs; }
  const std::filesystem::path& root() const { return m_inputs.root; }

  const GpuFacts& gpus() const { return m_gpus.get(); }
  const cdi::Registry& cdi() const { return m_cdi.get(); }
  const std::optional<std::string>& podman_version() const { return m_podman.get(); }
  const host::CrioConfig& crio() const { return m_crio.get(); }
  const host::StorageConf& storage() const { return m_storage.get(); }
  const host::RegistriesConf& registries() const { return m_registries.get(); }

  // A fact a section adds for itself (a CRI client's Status, an engine's image list), computed once
  // per run by the first check that asks, keyed by its type: new sections need no change here.
  template <typename T>
  const T& shared(const std::function<T(const Facts&)>& make) const {
    std::shared_ptr<Once<T>> once;
    {
      std::lock_guard lock(m_shared_mutex);
      auto& slot = m_shared[std::type_index(typeid(T))];
      if (!slot) slot = std::make_shared<Once<T>>([this, make] { return make(*this); });
      once = std::static_pointer_cast<Once<T>>(slot);
    }
    return once->get();
  }

 private:
  Inputs m_inputs;
  Once<GpuFacts> m_gpus;
  Once<cdi::Registry> m_cdi;
  Once<std::optional<std::string>> m_podman;
  Once<host::CrioConfig> m_crio;
  Once<host::StorageConf> m_storage;
  Once<host::RegistriesConf> m_registries;
  mutable std::mutex m_shared_mutex;
  mutable std::map<std::type_index, std::shared_ptr<void>> m_shared;
};

}  // namespace edgecrew::doctor
