#include "doctor/facts.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>

#include "engine/podman/podman_engine.h"
#include "host/host_path.h"
#include "net/http_client.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

constexpr std::chrono::milliseconds k_podman_version_timeout{2000};

// Podman's version from libpod's own answer on a service that is already running (the project
// asks Podman through its API, never by running `podman`); the doctor starts no service, so
// without one the version is not known. _ping's headers carry it ("Server: Libpod/4.3.1"):
// GET /version says the same but takes ~400 ms on Podman 4.3, which runs conmon and the OCI
// runtime to report their versions too.
std::optional<std::string> running_podman_version(const std::filesystem::path& root,
                                                  const std::map<std::string, std::string>& env) {
  namespace podman = engine::podman;
  podman::DiscoveryOptions options;
  options.root_socket = host::under(root, std::string(podman::k_root_socket)).string();
  options.start_service = false;
  auto endpoint = podman::discover(podman::PodmanEnvironment::from(env), options);
  if (!endpoint) return std::nullopt;
  net::HttpRequest request;
  request.url = fmt::format("http://d{}/_ping", podman::k_api_prefix);
  request.unix_socket = endpoint->socket;
  request.timeout = k_podman_version_timeout;
  auto response = net::http_request(request);
  if (!response || response->status != 200) return std::nullopt;
  if (const std::string* server = response->header("Server")) {
    // "Libpod/4.3.1 (linux)"
    constexpr std::string_view k_prefix = "Libpod/";
    if (server->starts_with(k_prefix)) {
      std::string v = server->substr(k_prefix.size());
      return v.substr(0, v.find(' '));
    }
  }
  if (const std::string* v = response->header("Libpod-Api-Version")) return *v;
  return std::nullopt;
}

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
  g.looked_at.push_back(in.nvml ? "NVML (libnvidia-ml.so.1)" : "not NVML (--root)");
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
    in.podman_version = [root, env = in.environment] { return running_podman_version(root, env); };
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
      m_podman(
          [this] { return m_inputs.podman_version ? m_inputs.podman_version() : std::nullopt; }),
      m_crio([this] { return host::read_crio_config(m_inputs.root); }),
      m_storage([this] { return host::read_storage_conf(m_inputs.root, m_inputs.environment); }),
      m_registries(
          [this] { return host::read_registries_conf(m_inputs.root, m_inputs.environment); }) {}

}  // namespace edgecrew::doctor
