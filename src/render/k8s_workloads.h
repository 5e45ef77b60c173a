#pragma once
// The workload of a service: a StatefulSet (it owns a named volume) or a Deployment, one replica,
// with the pod-level settings (host network and IPC, runtime class, grace period).

#include <vector>

#include "render/k8s_render.h"
#include "render/k8s_secrets.h"
#include "stack/model.h"

namespace edgecrew::render::k8s {

K8sDocument workload_document(const stack::Stack& stack, const stack::Service& service,
                              const ServiceSecrets& secrets,
                              const std::vector<const stack::Service*>& rendered,
                              const K8sOptions& options);

}  // namespace edgecrew::render::k8s
