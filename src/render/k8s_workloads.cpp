#include "render/k8s_workloads.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "render/k8s_container.h"
#include "render/k8s_names.h"
#include "render/k8s_volumes.h"
#include "render/k8s_wait.h"
#include "stack/normalize.h"

namespace edgecrew::render::k8s {

namespace {

using stack::IpcMode;
using stack::NetworkMode;
using stack::RestartPolicy;

int grace_seconds(stack::Duration d) {
  return static_cast<int>((d.count() + 999) / 1000);
}

// What a pod cannot say, said once above the workload.
void note_unmapped(const stack::Service& s, std::vector<std::string>& notes) {
  if (s.restart == RestartPolicy::no || s.restart == RestartPolicy::on_failure) {
    notes.push_back(fmt::format(
        "restart: {} becomes restartPolicy Always, the only one a Deployment or StatefulSet takes",
        stack::to_string(s.restart)));
  }
  if (s.network_mode == NetworkMode::none) {
    notes.emplace_back("network_mode: none is not mapped: every pod has a network");
  }
  for (const auto& joined : s.networks) {
    if (joined.key == "default" && joined.aliases.empty() && joined.ipv4_address.empty()) continue;
    notes.push_back(fmt::format(
        "networks: {}{}{} is not mapped: every pod is on the cluster's one pod network, and the "
        "Service named after the service is how other pods find it",
        joined.key,
        joined.aliases.empty() ? "" : fmt::format(" (aliases {})", fmt::join(joined.aliases, ", ")),
        joined.ipv4_address.empty() ? "" : " (ipv4_address " + joined.ipv4_address + ")"));
  }
  if (s.ipc == IpcMode::shareable) notes.emplace_back("ipc: shareable is not mapped");
  if (!s.stop_signal.empty()) {
    notes.push_back(
        fmt::format("stop_signal {} is not mapped: the kubelet sends SIGTERM", s.stop_signal));
  }
  if (s.init.value_or(false)) {
    notes.emplace_back("init: true is not mapped: the image's entrypoint runs as PID 1");
  }
  for (const auto& p : s.ports) {
    if (p.published && s.network_mode != NetworkMode::host) {
      notes.push_back(fmt::format(
          "published port {}:{} is not mapped: reach it with kubectl port-forward service/{} {}:{}",
          p.host_port, p.container_port, object_name(s), p.host_port, p.container_port));
    }
  }
}

// userns_mode → hostUsers (Kubernetes 1.30 and later by default, earlier behind the
// UserNamespacesSupport gate): false gives the pod a private user namespace of 65536 ids the
// kubelet picks, which is auto; host is the default (the node's namespace) and sets nothing.
void map_userns(const stack::Service& s, json& spec, std::vector<std::string>& notes) {
  if (!s.userns) return;
  const stack::Userns& u = *s.userns;
  const std::string mode = stack::to_string(u);
  switch (u.kind) {
    case stack::UsernsKind::host:
      return;
    case stack::UsernsKind::automatic:
      spec["hostUsers"] = false;
      if (u.size || !u.uid_mappings.empty() || !u.gid_mappings.empty()) {
        notes.push_back(fmt::format(
            "userns_mode {} becomes hostUsers: false; its options are not mapped: the kubelet "
            "picks the pod's 65536 ids",
            mode));
      }
      return;
    case stack::UsernsKind::nomap:
      spec["hostUsers"] = false;
      notes.emplace_back(
          "userns_mode nomap becomes hostUsers: false: a private user namespace that holds no id "
          "of the node's users");
      return;
    case stack::UsernsKind::keep_id:
    case stack::UsernsKind::path:
      notes.push_back(fmt::format(
          "userns_mode {} is not mapped: Kubernetes has {}; the pod runs in the node's user "
          "namespace (hostUsers: false gives it a private one)",
          mode,
          u.kind == stack::UsernsKind::keep_id
              ? "no rootless user whose ids a pod keeps (set runAsUser for the container's uid)"
              : "no way to join a user namespace by path"));
      return;
  }
}

json pod_spec(const stack::Stack& stack, const stack::Service& s, const ServiceSecrets& secrets,
              const PodVolumes& volumes, bool stateful,
              const std::vector<const stack::Service*>& rendered, const K8sOptions& options,
              std::vector<std::string>& notes) {
  json spec;
  // A StatefulSet pod's hostname is its own name, which its headless Service resolves.
  if (!s.hostname.empty() && !stateful) spec["hostname"] = dns_label(s.hostname);
  if (s.network_mode == NetworkMode::host) {
    spec["hostNetwork"] = true;
    // Without it a host-network pod resolves with the node's DNS and cannot find Services.
    spec["dnsPolicy"] = "ClusterFirstWithHostNet";
  }
  if (s.ipc == IpcMode::host) spec["hostIPC"] = true;
  map_userns(s, spec, notes);
  if (!s.runtime.empty()) spec["runtimeClassName"] = s.runtime;
  spec["restartPolicy"] = "Always";
  spec["terminationGracePeriodSeconds"] = grace_seconds(s.stop_grace_period);
  if (json waits = wait_containers(stack, s, rendered, notes); !waits.empty()) {
    spec["initContainers"] = std::move(waits);
  }
  spec["containers"] = json::array({main_container(stack, s, secrets, volumes, options, notes)});
  if (!volumes.volumes.empty()) spec["volumes"] = volumes.volumes;
  return spec;
}

}  // namespace

K8sDocument workload_document(const stack::Stack& stack, const stack::Service& service,
                              const ServiceSecrets& secrets,
                              const std::vector<const stack::Service*>& rendered,
                              const K8sOptions& options) {
  K8sDocument doc;
  bool stateful = needs_stateful_set(stack, service);
  PodVolumes volumes = pod_volumes(stack, service, doc.notes);
  json template_meta = {
      {"labels", service_labels(stack, service)},
      {"annotations", {{std::string(k_spec_hash_annotation), stack::spec_hash(service, stack)}}}};
  json pod = {
      {"metadata", std::move(template_meta)},
      {"spec", pod_spec(stack, service, secrets, volumes, stateful, rendered, options, doc.notes)}};
  json spec;
  if (stateful) spec["serviceName"] = headless_name(service);
  spec["replicas"] = 1;
  spec["selector"] = {{"matchLabels", selector_labels(stack, service)}};
  // Compose replaces a container by stopping the old one first; a second pod alongside would
  // wait for the same GPU, host port or volume.
  if (!stateful) spec["strategy"] = {{"type", "Recreate"}};
  spec["template"] = std::move(pod);
  if (stateful) spec["volumeClaimTemplates"] = std::move(volumes.claim_templates);
  note_unmapped(service, doc.notes);
  doc.object = {{"apiVersion", "apps/v1"},
                {"kind", stateful ? "StatefulSet" : "Deployment"},
                {"metadata", object_meta(object_name(service), options.namespace_name,
                                         service_labels(stack, service))},
                {"spec", std::move(spec)}};
  return doc;
}

}  // namespace edgecrew::render::k8s
