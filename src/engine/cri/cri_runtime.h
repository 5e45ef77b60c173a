#pragma once
// The CRI engine as the rest of edgecrew sees it, without gRPC: how it is made (its options and
// make_cri_engine), and what the doctor and `-v` ask of the runtime beside the Engine interface
// (Version, Status). The engine itself (cri_engine.h, over gRPC) is linked into the tests; the
// edgecrew binary loads it from its CRI module on first use (cri_load.cpp), so that the verbs
// that never reach a CRI runtime do not load gRPC.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/cri/cri_endpoint.h"
#include "engine/cri/cri_mapping.h"
#include "engine/engine.h"
#include "util/result.h"

namespace edgecrew::engine::cri {

namespace v1 = ::runtime::v1;

// The deadlines, by name; an RPC's error names the one it ran under.
struct CriDeadlines {
  std::chrono::milliseconds call{10'000};  // status, list, remove, image status
  // RunPodSandbox and CreateContainer: the runtime sets up namespaces, mounts and the rootfs.
  std::chrono::milliseconds create{60'000};
  // StopContainer waits for the container's grace period: this much on top of it.
  std::chrono::milliseconds stop_margin{30'000};
  // ExecSync has its own timeout: this much on top of it for the round trip.
  std::chrono::milliseconds exec_margin{5'000};
  std::chrono::milliseconds pull{30 * 60 * 1'000};  // images of gigabytes
};

struct CriEngineOptions {
  CriMappingOptions mapping;  // data root (named volumes), log root, cgroup parent
  CriDeadlines deadlines;
  // The stack the verbs run, to make a new pod for a service whose container exited.
  const stack::Stack* stack = nullptr;
  // Sees each CreateContainer request before it is sent (tests check what was asked for).
  std::function<void(const v1::CreateContainerRequest&)> on_create;
  std::chrono::milliseconds log_poll_interval{100};
};

// The variables that move the engine's host directories, for users and tests:
// EDGECREW_CRI_DATA_ROOT (named volumes), EDGECREW_CRI_LOG_ROOT (pod logs),
// EDGECREW_CRI_CGROUP_PARENT.
CriMappingOptions mapping_options_from(const std::map<std::string, std::string>& environment);

class CriRuntime : public Engine {
 public:
  virtual const CriEndpoint& endpoint() const = 0;
  virtual Result<v1::VersionResponse> version() = 0;
  virtual Result<v1::StatusResponse> status(bool verbose) = 0;
};

// The CRI engine on `endpoint`. Only the loading of the CRI module can fail (an error naming the
// module and why); the engine asks the runtime nothing until it is used.
Result<std::shared_ptr<CriRuntime>> make_cri_engine(const CriEndpoint& endpoint,
                                                    const CriEngineOptions& options);

// The CRI module (a shared object built beside the edgecrew binary) and what it exports: the
// version of what is passed through the entry point, which the loader compares with its own, and
// the entry point, which sets *out. Raise k_cri_module_abi when CriRuntime (the Engine interface
// included), CriEngineOptions, CriEndpoint or the entry point change.
inline constexpr const char* k_cri_module_file = "edgecrew-cri.so";
inline constexpr int k_cri_module_abi = 1;
using CriModuleEntry = void (*)(const CriEndpoint* endpoint, const CriEngineOptions* options,
                                std::shared_ptr<CriRuntime>* out);

}  // namespace edgecrew::engine::cri
