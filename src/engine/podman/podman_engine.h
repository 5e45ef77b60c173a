#pragma once
// The Podman engine: the Engine interface over the libpod REST API (`/v4.0.0/libpod/...`, served
// by Podman 4.x and 5.x) on the socket discovery found (podman_discovery.h). Every call has a named
// timeout; HTTP errors become Error kinds carrying libpod's own "cause" and "message".

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/podman/podman_discovery.h"
#include "net/http_client.h"
#include "util/result.h"
#include "util/subprocess.h"

namespace edgecrew::engine::podman {

// Podman's Docker-compatible API, same version: its pull reports per-layer progress, libpod's
// reports only text lines.
inline constexpr std::string_view k_compat_prefix = "/v4.0.0";

inline constexpr std::chrono::milliseconds k_podman_call_timeout{10'000};
// A stop waits for the grace period, then for the kill and the cleanup: this much on top. Podman
// 4.3 tears stopped containers down one at a time (network, runtime; 0.1 to 0.2 s each on 2
// cores), so the last of 50 stopped together is done several seconds after the others.
inline constexpr std::chrono::milliseconds k_podman_stop_margin{60'000};
// A pull downloads gigabytes (vLLM's image is ~10 GB), so it has no overall limit; it is
// cancelled when Podman reports nothing for this long. Podman reports a downloading layer's
// bytes once a second, but is silent while it unpacks the layers into its store after the last
// download, which takes minutes for such an image on a slow disk.
inline constexpr std::chrono::milliseconds k_podman_pull_timeout{10 * 60 * 1'000};
struct PodmanTimeouts {
  std::chrono::milliseconds connect = k_podman_connect_timeout;
  std::chrono::milliseconds call = k_podman_call_timeout;
  std::chrono::milliseconds stop_margin = k_podman_stop_margin;
  std::chrono::milliseconds pull = k_podman_pull_timeout;       // without any progress, see above
  std::chrono::milliseconds build_idle = k_build_idle_timeout;  // a build without any output
};

class PodmanEngine : public Engine {
 public:
  explicit PodmanEngine(PodmanEndpoint endpoint, PodmanTimeouts timeouts = {});

  std::string_view name() const override { return "podman"; }
  const PodmanEndpoint& endpoint() const { return m_endpoint; }

  Result<std::vector<Container>> list(const std::string& project) override;
  Result<Container> inspect(const std::string& id) override;
  Result<RuntimeSpec> runtime_spec(const std::string& id) override;
  Result<std::optional<ImageInfo>> image(const std::string& image) override;
  Result<ImageStore> image_store() override;
  Status pull_image(const std::string& image, const ProgressSink& progress) override;
  // POST /libpod/build with the context as a tar stream (build_context.h); the output relayed
  // line by line; a failure names the step and its last lines. The image is labelled with the
  // digest of the tar stream and the query; an image of `tag` with that label is not built again
  // (libpod's REST build does not find its own cached layers for COPY, so every rebuild would
  // otherwise give a new image id and recreate the service).
  Result<Built> build_image(const stack::Build& build, const std::string& tag,
                            const BuildSink& output) override;
  Status ensure_volume(const stack::Volume& volume, const std::string& project) override;
  Result<bool> remove_volume(const stack::Volume& volume) override;
  Result<std::vector<std::string>> remove_anonymous_volumes(const std::string& project) override;
  Status ensure_networks(const stack::Stack& stack,
                         const std::vector<const stack::Service*>& services) override;
  Result<NetworksRemoved> remove_networks(const stack::Stack& stack) override;
  Result<std::string> create(const Workload& workload) override;
  // A container still stopping is waited for (at most stop_margin), then started.
  Status start(const std::string& id) override;
  Status unpause(const std::string& id) override;
  Status stop(const std::string& id, std::chrono::milliseconds grace,
              const std::string& signal) override;
  Status remove(const std::string& id) override;
  Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout) override;
  // The logs written so far; with follow, then the lines as they come until the container stops.
  Status logs(const std::string& id, const LogOptions& options, const LogSink& sink) override;

  // Creates the network (labelled with the project, DNS on) unless it exists; an external one
  // must exist. One of the project's that exists without DNS (an older edgecrew made it) is made
  // again when no container is attached to it, else an error says to run down and up.
  Status ensure_network(const stack::Network& network, const std::string& project);

  // The service's Podman version ("4.3.1"), from the Server header of its _ping answer: GET
  // /version says the same but takes ~400 ms on Podman 4.3 (it runs conmon and the OCI runtime
  // to report their versions too).
  Result<std::string> version();

 private:
  Result<net::HttpResponse> call(const std::string& method, const std::string& path,
                                 const std::string& body, std::chrono::milliseconds timeout);
  // 204 → true, 404 → false, anything else → an Error.
  Result<bool> exists(const std::string& path, const std::string& what);
  // DELETE path: true when removed (200, 204), false when it was not there (404), else an Error.
  Result<bool> remove_path(const std::string& path, const std::string& what);
  // GET path → its JSON body (200), nullopt (404), else an Error.
  Result<std::optional<nlohmann::json>> get_json(const std::string& path, const std::string& what);
  // Ensures each network the workload's service joins, once per engine.
  Status ensure_service_networks(const Workload& workload);
  // target → name of the service's anonymous volumes, found by their labels or made now.
  Result<std::map<std::string, std::string>> anonymous_volumes(const Workload& workload);

  PodmanEndpoint m_endpoint;
  PodmanTimeouts m_timeouts;
  // Networks this engine has ensured: one lookup per up, not one per create.
  std::mutex m_network_mutex;
  std::set<std::string> m_networks;
};

}  // namespace edgecrew::engine::podman
