#pragma once
// The CRI engine: the Engine interface over the Kubernetes CRI (runtime.v1) as CRI-O and
// containerd serve it. One pod sandbox per service, mapped by cri_mapping (the same messages
// `render crio` prints); the state is read back from the labels on sandboxes and containers, with
// no local state. A CRI container cannot be started again once it has exited: starting one makes
// a new pod for its service from the stack, and the old id then stands for the new container.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/cri/cri_client.h"
#include "engine/cri/cri_endpoint.h"
#include "engine/cri/cri_mapping.h"
#include "engine/cri/cri_runtime.h"
#include "engine/engine.h"

namespace edgecrew::engine::cri {

class CriEngine : public CriRuntime {
 public:
  CriEngine(CriEndpoint endpoint, CriEngineOptions options = {});

  std::string_view name() const override { return "cri"; }
  const CriEndpoint& endpoint() const override { return m_endpoint; }
  CriClient& client() { return m_client; }
  Result<v1::VersionResponse> version() override { return m_client.version(); }
  Result<v1::StatusResponse> status(bool verbose) override { return m_client.status(verbose); }

  Result<std::vector<Container>> list(const std::string& project) override;
  Result<Container> inspect(const std::string& id) override;
  Result<RuntimeSpec> runtime_spec(const std::string& id) override;
  Result<std::optional<ImageInfo>> image(const std::string& image) override;
  Result<ImageStore> image_store() override;
  Status pull_image(const std::string& image, const ProgressSink& progress) override;
  Status ensure_volume(const stack::Volume& volume, const std::string& project) override;
  Result<bool> remove_volume(const stack::Volume& volume) override;
  Result<std::vector<std::string>> remove_anonymous_volumes(const std::string& project) override;
  Status ensure_networks(const stack::Stack& stack,
                         const std::vector<const stack::Service*>& services) override;
  Result<NetworksRemoved> remove_networks(const stack::Stack& stack) override;
  Result<std::string> create(const Workload& workload) override;
  Status start(const std::string& id) override;
  // The CRI has no pause, so no container of its is paused: an error that says so.
  Status unpause(const std::string& id) override;
  Status stop(const std::string& id, std::chrono::milliseconds grace,
              const std::string& signal) override;
  Status remove(const std::string& id) override;
  Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout) override;
  // From the CRI log file, which outlives the container; follow ends when the container stops.
  Status logs(const std::string& id, const LogOptions& options, const LogSink& sink) override;

 private:
  // A private user namespace the runtime would drop unread: an error before the pod exists.
  Status check_userns_support(const CriSpec& spec, const std::string& service);
  // The id that `id` now stands for (a container made again by start), else `id`.
  std::string resolve(const std::string& id);
  void remember_sandbox(const std::string& container_id, const std::string& sandbox_id);
  // Removes the pod sandbox `sandbox_id` with its containers; one that is gone is fine.
  Status remove_pod(const std::string& sandbox_id);
  // Removes every pod of the service, whatever its state (leftovers of a failed create).
  Status remove_service_pods(const std::string& project, const std::string& service);
  // A new pod for the service the container or sandbox `id` belonged to, started.
  Result<std::string> replace(const std::string& id, const std::string& project,
                              const std::string& service);

  CriEndpoint m_endpoint;
  CriEngineOptions m_options;
  CriClient m_client;
  std::mutex m_mutex;
  std::map<std::string, std::string> m_replaced;  // old id → the container made in its place
  // container id → its pod sandbox, as list and create saw it: spares remove a lookup.
  std::map<std::string, std::string> m_sandbox_of;
};

}  // namespace edgecrew::engine::cri
