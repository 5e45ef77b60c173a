#pragma once
// Service → CRI pod sandbox + container: the one mapping that `render crio` prints and the CRI
// engine sends. Pure: no I/O, the same input gives the same messages.

#include <string>
#include <vector>

#include "engine/cri/proto/runtime.pb.h"
#include "stack/model.h"
#include "util/result.h"

namespace edgecrew::engine::cri {

struct CriMappingOptions {
  std::string data_root = "/var/lib/edgecrew";  // named volumes: <data_root>/volumes/<name>
  std::string log_root = "/var/log/edgecrew";   // pod logs: <log_root>/<project>_<service>
  std::string cgroup_parent = "system.slice";   // a kubelet node refuses pods without one
};

struct CriSpec {
  ::runtime::v1::PodSandboxConfig pod;
  ::runtime::v1::ContainerConfig container;
  std::string runtime_handler;        // RunPodSandboxRequest.runtime_handler; "" = the default
  std::vector<std::string> unmapped;  // "key: why" for each setting the CRI cannot carry
  // "key: why" for each setting the CRI cannot carry and the container must not run without (a
  // user namespace it asks for): the CRI engine refuses the service, the render says so.
  std::vector<std::string> refused;
};

// The pod and container for `service`. An error only for a stack the loader would have refused
// (a volume it does not declare): the mapping never throws.
Result<CriSpec> map_service(const stack::Service& service, const stack::Stack& stack,
                            const CriMappingOptions& options = {});

// A UUID-shaped id derived from the project and service names, stable across runs.
std::string pod_uid(const std::string& project, const std::string& service);

// <log_root>/<project>_<service>
std::string pod_log_directory(const stack::Service& service, const stack::Stack& stack,
                              const CriMappingOptions& options);

// <data_root>/volumes/<volume.name>
std::string volume_host_path(const stack::Volume& volume, const CriMappingOptions& options);

// "nvidia.com/gpu=all" → "cdi.k8s.io/nvidia.com.gpu_all".
std::string cdi_annotation_key(const std::string& cdi_name);

}  // namespace edgecrew::engine::cri
