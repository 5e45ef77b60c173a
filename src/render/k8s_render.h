#pragma once
// `edgecrew render k8s`: the stack as Kubernetes manifests, for `kubectl apply`.
//
// What each Compose key becomes (decisions; the parts live in k8s_*.cpp, one idea per file):
// - a service: a Deployment (1 replica, strategy Recreate, as compose replaces a container), or a
//   StatefulSet when it mounts a named volume that no other service mounts; that volume becomes
//   a volumeClaimTemplate (ReadWriteOnce) and the StatefulSet gets a headless Service
//   "<name>-headless" for its serviceName. Claims outlive the StatefulSet (the default Retain),
//   as volumes outlive `edgecrew down`.
// - volumes: a named volume mounted by several services (counted over the whole stack, so that
//   rendering a few services names the same claims) is a PersistentVolumeClaim
//   "<volume name>" (ReadWriteMany) mounted by each; an external volume is a claim that must
//   exist already; storage requests are k_storage_request, or k_model_storage_request when mounted
//   at a path containing k_model_path_marker. Bind mounts are hostPath volumes (DirectoryOrCreate,
//   or Directory for create_host_path: false), tmpfs an emptyDir in memory, an anonymous volume an
//   emptyDir, shm_size an emptyDir in memory with that sizeLimit at /dev/shm.
// - ports: containerPort/protocol; a ClusterIP Service with the container ports, or for
//   network_mode: host the ports the x-edgecrew probe names, so that other pods can reach the
//   service by name. Published host ports have no equivalent (use kubectl port-forward).
// - environment: env sorted by name; an entry whose name is a secret name (stack::is_secret_name)
//   or whose value holds a secret value goes into the Secret "<project>-secrets" (stringData,
//   key "<service>.<VAR>") and is read with secretKeyRef. A secret value inside entrypoint,
//   command or healthcheck becomes $(VAR) (Kubernetes' expansion) or ${VAR} (the healthcheck's
//   shell) of an env var holding it, EDGECREW_SECRET_<n> when the service has none: no workload
//   manifest holds a password. Literal "$(" is escaped as "$$(".
// - entrypoint → command, command → args; working_dir → workingDir; user "uid[:gid]" →
//   securityContext runAsUser/runAsGroup; stop_grace_period → terminationGracePeriodSeconds;
//   hostname → hostname (not for StatefulSet pods: their name is their hostname).
// - x-edgecrew probe → startupProbe, readinessProbe and livenessProbe: http → httpGet, openai →
//   httpGet /health, tcp and redis → tcpSocket, neo4j → tcpSocket on bolt (else httpGet on http);
//   a probe URL's port on the host is mapped to the container port it publishes. Without one, a
//   healthcheck → exec probes (CMD → command, CMD-SHELL → /bin/sh -c) with its interval, timeout,
//   retries and start_period.
// - depends_on (service_started, service_healthy) → an initContainer "wait-for-<dep>" that waits
//   until the dependency's Service accepts connections on its first port.
// - restart → restartPolicy Always (the only one a Deployment or StatefulSet takes).
// - deploy.resources: cpus → limits.cpu in millicores, memory → limits.memory,
//   memory_reservation → requests.memory; GPUs (CDI names "<vendor>/gpu=…" from devices and
//   reservations) → limits["<vendor>/gpu"], the number of GPUs named, or K8sOptions::gpus for
//   "=all"; x-edgecrew runtime → runtimeClassName.
// - network_mode: host → hostNetwork + dnsPolicy ClusterFirstWithHostNet (probes then go to the
//   probe URL's host, which is the node's); ipc: host → hostIPC.
// - labels app.kubernetes.io/{name,part-of,managed-by} on every object; the pod template carries
//   the spec hash (io.edgecrew.spec-hash) so that a changed service rolls its pod.
// Anything a manifest cannot say (a restart policy, other CDI devices, host devices, stop_signal,
// init, network_mode none, a user name) is said in a "# " comment above its document.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "render/rendered_file.h"
#include "stack/model.h"

namespace edgecrew::render {

// A volume's storage request unless it holds models.
inline constexpr std::string_view k_storage_request = "1Gi";
// The storage request of a volume mounted where Hugging Face keeps its models.
inline constexpr std::string_view k_model_storage_request = "20Gi";
inline constexpr std::string_view k_model_path_marker = "huggingface";

struct K8sOptions {
  std::string namespace_name = "default";
  int gpus = 1;  // the GPUs a pod asks for when a service names "nvidia.com/gpu=all"; at least 1
};

// One manifest and the notes written as comments above it.
struct K8sDocument {
  nlohmann::ordered_json object;
  std::vector<std::string> notes;
};

// In apply order: the Namespace (unless "default"), the Secret, shared PersistentVolumeClaims,
// Services, then each service's StatefulSet or Deployment, in the order of `services`.
std::vector<K8sDocument> k8s_documents(const stack::Stack& stack,
                                       const std::vector<const stack::Service*>& services,
                                       const K8sOptions& options);

// The objects of k8s_documents, without the notes.
std::vector<nlohmann::ordered_json> k8s_objects(const stack::Stack& stack,
                                                const std::vector<const stack::Service*>& services,
                                                const K8sOptions& options);

// One multi-document YAML stream ("---" between documents); it holds the Secret's values.
std::string render_k8s(const stack::Stack& stack,
                       const std::vector<const stack::Service*>& services,
                       const K8sOptions& options);

// One file per object, "NN-kind-name.yaml" in apply order (kubectl apply -f DIR applies them in
// name order); the Secret's file has has_secrets set.
std::vector<RenderedFile> render_k8s_files(const stack::Stack& stack,
                                           const std::vector<const stack::Service*>& services,
                                           const K8sOptions& options);

// Whether `name` can name a namespace (an RFC 1123 label), for checking --namespace.
bool is_valid_k8s_namespace(std::string_view name);

}  // namespace edgecrew::render
