#include "stack/compose_keys.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace edgecrew::stack {

namespace {

constexpr KeySupport S = KeySupport::supported;
constexpr KeySupport I = KeySupport::ignored;
constexpr KeySupport R = KeySupport::rejected;

constexpr std::string_view k_one_container = "edgecrew runs one container per service";
constexpr std::string_view k_cpu_tuning =
    "edgecrew applies cpus (or deploy.resources.limits.cpus) only; set that to bound the service";
constexpr std::string_view k_swarm_network = "a swarm setting: every project network is attachable";
constexpr std::string_view k_ipam_range =
    "the engine hands out every address of the subnet; fix an address with ipv4_address";
constexpr std::string_view k_no_secrets =
    "pass secrets through environment variables from .env, or mount the file with a bind volume";
constexpr std::string_view k_no_configs = "mount the file with a bind volume";
constexpr std::string_view k_build_by_hand =
    "build the image with podman build and its own options, then set image: to its name and "
    "remove build:";
constexpr std::string_view k_hooks =
    "edgecrew runs no lifecycle hooks: put the command in the entrypoint, or run it with "
    "edgecrew exec";

std::vector<ComposeSection> build_sections() {
  return {
      {"top",
       {
           {"version", I, "obsolete, as in Compose: remove it"},
           {"name", S, ""},
           {"include", R, "merge the files with several -f"},
           {"services", S, ""},
           {"models", R, "run the model server as a service (vLLM with an image)"},
           {"networks", S, ""},
           {"volumes", S, ""},
           {"secrets", R, k_no_secrets},
           {"configs", R, k_no_configs},
       }},
      {"service",
       {
           {"develop", I, "watch mode is docker compose's; rerun edgecrew up after a change"},
           {"deploy", S, ""},
           {"annotations", I, "OCI annotations are not passed to the engines"},
           {"attach", I, "edgecrew up does not attach to logs; read them with edgecrew logs"},
           {"build", S, ""},
           {"blkio_config", I, "block IO weights and limits are not applied"},
           {"cap_add", I, "the engine's default capabilities apply"},
           {"cap_drop", I, "the engine's default capabilities apply"},
           {"cgroup", I, "the engine's default cgroup namespace applies"},
           {"cgroup_parent", R, "edgecrew sets the cgroup parent per engine"},
           {"command", S, ""},
           {"configs", R, k_no_configs},
           {"container_name", I, "edgecrew names containers <project>-<service>"},
           {"cpu_count", I, k_cpu_tuning},
           {"cpu_percent", I, k_cpu_tuning},
           {"cpu_shares", I, k_cpu_tuning},
           {"cpu_quota", I, k_cpu_tuning},
           {"cpu_period", I, k_cpu_tuning},
           {"cpu_rt_period", I, k_cpu_tuning},
           {"cpu_rt_runtime", I, k_cpu_tuning},
           {"cpus", S, ""},
           {"cpuset", I, k_cpu_tuning},
           {"credential_spec", I, "a Windows container setting"},
           {"depends_on", S, ""},
           {"device_cgroup_rules", I,
            "list the devices the service needs under devices: (host paths or CDI names)"},
           {"devices", S, ""},
           {"dns", I, "the engine's resolver configuration applies"},
           {"dns_opt", I, "the engine's resolver configuration applies"},
           {"dns_search", I, "the engine's resolver configuration applies"},
           {"domainname", I, "the container gets the engine's default domain name"},
           {"entrypoint", S, ""},
           {"env_file", S, ""},
           {"label_file", I, "write the labels under labels:"},
           {"environment", S, ""},
           {"expose", I, "on a shared network every port is reachable anyway"},
           {"extends", R, "write the service out in full, or merge files with several -f"},
           {"provider", R, "edgecrew runs containers only; run the provider's tool before up"},
           {"external_links", R, "use network_mode: host to reach services outside the project"},
           {"extra_hosts", I, "the container's /etc/hosts is the engine's default"},
           {"gpus", S, ""},
           {"group_add", I, "the user's own groups apply"},
           {"healthcheck", S, ""},
           {"hostname", S, ""},
           {"image", S, ""},
           {"init", S, ""},
           {"ipc", S, ""},
           {"isolation", I, "a Windows container setting"},
           {"labels", S, ""},
           {"links", R, "services on the project network reach each other by service name"},
           {"logging", I, "logs stay with the engine; read them with edgecrew logs"},
           {"mac_address", I, "the engine assigns the MAC address"},
           {"mem_limit", S, ""},
           {"mem_reservation", S, ""},
           {"mem_swappiness", I, "the kernel's swappiness applies"},
           {"memswap_limit", I, "swap follows the engine's default for the memory limit"},
           {"network_mode", S, ""},
           {"models", R, "run the model server as a service (vLLM with an image)"},
           {"networks", S, ""},
           {"oom_kill_disable", I, "the kernel's OOM killer applies"},
           {"oom_score_adj", I, "the engine's default OOM score applies"},
           {"pid", R, "sharing a PID namespace is not supported"},
           {"pids_limit", I, "the engine's default PID limit applies"},
           {"platform", I, "the image for the host's platform is used"},
           {"ports", S, ""},
           {"pre_start", R, k_hooks},
           {"post_start", R, k_hooks},
           {"pre_stop", R, k_hooks},
           {"privileged", R,
            "give the container what it needs with devices: host paths or CDI names"},
           {"profiles", S, ""},
           {"pull_policy", S, ""},
           {"pull_refresh_after", I, "a missing image is pulled, a local one never is"},
           {"read_only", I, "the root filesystem stays writable"},
           {"restart", S, ""},
           {"runtime", S, ""},
           {"scale", I, k_one_container},
           {"security_opt", I, "the engine's default security options apply"},
           {"shm_size", S, ""},
           {"secrets", R, k_no_secrets},
           {"sysctls", I, "the engine's default sysctls apply"},
           {"stdin_open", I, "services run detached; use edgecrew exec for a shell"},
           {"stop_grace_period", S, ""},
           {"stop_signal", S, ""},
           {"storage_opt", I, "the store's default options apply"},
           {"tmpfs", I, "use a volumes entry with type: tmpfs"},
           {"tty", I, "services run detached; use edgecrew exec for a shell"},
           {"ulimits", I, "the engine's default ulimits apply (edgecrew doctor shows them)"},
           {"use_api_socket", R,
            "mount the Podman socket with a bind volume if the service needs the engine"},
           {"user", S, ""},
           {"uts", I, "the container gets its own UTS namespace"},
           {"userns_mode", S, ""},
           {"volumes", S, ""},
           {"volumes_from", R, "mount the same named volume in both services"},
           {"working_dir", S, ""},
       }},
      // build: in its mapping form; Podman builds it (POST /libpod/build).
      {"build",
       {
           {"context", S, ""},
           {"dockerfile", S, ""},
           {"dockerfile_inline", S, ""},
           {"entitlements", R, k_build_by_hand},
           {"args", S, ""},
           {"ssh", R, k_build_by_hand},
           {"labels", S, ""},
           {"cache_from", I, "Podman's local layer cache is used"},
           {"cache_to", I, "Podman's local layer cache is used"},
           {"no_cache", S, ""},
           {"no_cache_filter", I, "set no_cache: true to rebuild every stage"},
           {"additional_contexts", R, k_build_by_hand},
           {"network", S, ""},
           {"provenance", I, "Podman writes no attestations"},
           {"sbom", I, "Podman writes no attestations"},
           {"pull", S, ""},
           {"target", S, ""},
           {"shm_size", I, "the build's /dev/shm has Podman's default size"},
           {"extra_hosts", I, "the build's /etc/hosts is Podman's default"},
           {"isolation", I, "Podman's default build isolation applies"},
           {"privileged", R, k_build_by_hand},
           {"secrets", R, k_build_by_hand},
           {"tags", I, "the image is tagged once: image:, else <project>-<service>"},
           {"ulimits", I, "the build's ulimits are containers.conf's default_ulimits"},
           {"platforms", I, "the image is built for the host's platform"},
       }},
      {"volume",
       {
           {"name", S, ""},
           {"driver", S, ""},
           {"driver_opts", S, ""},
           {"external", S, ""},
           {"labels", S, ""},
       }},
      {"network",
       {
           {"name", S, ""},
           {"driver", S, ""},
           {"driver_opts", S, ""},
           {"ipam", S, ""},
           {"external", S, ""},
           {"internal", S, ""},
           {"enable_ipv4", I, "IPv4 is always on"},
           {"enable_ipv6", S, ""},
           {"attachable", I, k_swarm_network},
           {"labels", S, ""},
       }},
      {"network.ipam",
       {
           {"driver", S, ""},
           {"config", S, ""},
           {"options", I, "IPAM driver options are not passed to the engine"},
       }},
      {"network.ipam.config",
       {
           {"subnet", S, ""},
           {"ip_range", I, k_ipam_range},
           {"gateway", S, ""},
           {"aux_addresses", I, k_ipam_range},
       }},
      // An entry of a service's networks in the mapping form.
      {"service_network",
       {
           {"aliases", S, ""},
           {"interface_name", I, "the engine names the interfaces (eth0, eth1, ...)"},
           {"ipv4_address", S, ""},
           {"ipv6_address", I, "the engine assigns IPv6 addresses"},
           {"link_local_ips", I, "link-local addresses are not assigned"},
           {"mac_address", I, "the engine assigns MAC addresses"},
           {"driver_opts", I, "per-endpoint driver options are not passed to the engine"},
           {"priority", I, "networks are joined in the order of their names"},
           {"gw_priority", I, "the default route goes through the first network joined"},
       }},
      // The top-level configs and secrets are refused as a whole; their keys share the verdict of
      // their section.
      {"config",
       {
           {"name", R, k_no_configs},
           {"content", R, k_no_configs},
           {"environment", R, k_no_configs},
           {"file", R, k_no_configs},
           {"external", R, k_no_configs},
           {"labels", R, k_no_configs},
           {"template_driver", R, k_no_configs},
       }},
      {"secret",
       {
           {"name", R, k_no_secrets},
           {"environment", R, k_no_secrets},
           {"file", R, k_no_secrets},
           {"external", R, k_no_secrets},
           {"labels", R, k_no_secrets},
           {"driver", R, k_no_secrets},
           {"driver_opts", R, k_no_secrets},
           {"template_driver", R, k_no_secrets},
       }},
      {"deploy",
       {
           {"mode", I, k_one_container},
           {"endpoint_mode", I, k_one_container},
           {"replicas", I, k_one_container},
           {"labels", I, "these label a swarm service; use the service's labels"},
           {"rollback_config", I, k_one_container},
           {"update_config", I, k_one_container},
           {"resources", S, ""},
           {"restart_policy", I, "use the service's restart: key"},
           {"placement", I, k_one_container},
       }},
      {"deploy.resources",
       {
           {"limits", S, ""},
           {"reservations", S, ""},
       }},
      {"deploy.resources.limits",
       {
           {"cpus", S, ""},
           {"memory", S, ""},
           {"pids", I, "the engine's default PID limit applies"},
       }},
      {"deploy.resources.reservations",
       {
           {"cpus", I, "set limits cpus to bound the service"},
           {"memory", S, ""},
           {"generic_resources", I, "a swarm setting; GPUs go under devices"},
           {"devices", S, ""},
       }},
      // A device request: deploy.resources.reservations.devices[] and gpus[].
      {"device_request",
       {
           {"capabilities", S, ""},
           {"count", S, ""},
           {"device_ids", S, ""},
           {"driver", S, ""},
           {"options", I, "driver options are not passed on: the CDI names carry the request"},
       }},
      {"healthcheck",
       {
           {"disable", S, ""},
           {"interval", S, ""},
           {"retries", S, ""},
           {"test", S, ""},
           {"timeout", S, ""},
           {"start_period", S, ""},
           {"start_interval", S, ""},
       }},
      // The long syntax of a ports entry.
      {"port",
       {
           {"name", I, "a port's name is not passed to the engines"},
           {"mode", I, "the port is published on the host (swarm's ingress mode does not apply)"},
           {"host_ip", S, ""},
           {"target", S, ""},
           {"published", S, ""},
           {"protocol", S, ""},
           {"app_protocol", I, "a port's application protocol is not passed to the engines"},
       }},
      // The long syntax of a volumes entry.
      {"service_volume",
       {
           {"type", S, ""},
           {"source", S, ""},
           {"target", S, ""},
           {"read_only", S, ""},
           {"consistency", I, "a Docker Desktop setting; Linux mounts are consistent"},
           {"bind", S, ""},
           {"volume", I, "nocopy, subpath and labels of a volume mount are not applied"},
           {"tmpfs", I, "the tmpfs gets the engine's default size and mode"},
           {"image", R, "mount a named volume or a bind path instead of an image"},
       }},
      {"service_volume.bind",
       {
           {"propagation", I, "the engine's default propagation (rprivate) applies"},
           {"create_host_path", S, ""},
           {"recursive", I, "bind mounts are recursive"},
           {"selinux", I, "no SELinux relabel is applied"},
       }},
      // A depends_on entry in the mapping form.
      {"depends_on",
       {
           {"restart", S, ""},
           {"required", S, ""},
           {"condition", S, ""},
       }},
      // An env_file entry in the mapping form.
      {"env_file",
       {
           {"path", S, ""},
           {"format", I, "the file is read with Compose's .env rules"},
           {"required", S, ""},
       }},
      // A devices entry in the mapping form.
      {"device",
       {
           {"source", S, ""},
           {"target", S, ""},
           {"permissions", S, ""},
       }},
  };
}

}  // namespace

const std::vector<ComposeSection>& compose_sections() {
  static const std::vector<ComposeSection> sections = build_sections();
  return sections;
}

const ComposeSection& compose_section(std::string_view id) {
  const auto& all = compose_sections();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& s) { return s.id == id; });
  if (it == all.end()) throw std::out_of_range("no Compose section " + std::string(id));
  return *it;
}

const ComposeKey* find_compose_key(const ComposeSection& section, std::string_view name) {
  auto it = std::find_if(section.keys.begin(), section.keys.end(),
                         [&](const auto& k) { return k.name == name; });
  return it == section.keys.end() ? nullptr : &*it;
}

std::string_view to_string(KeySupport support) {
  switch (support) {
    case KeySupport::supported:
      return "supported";
    case KeySupport::ignored:
      return "ignored";
    case KeySupport::rejected:
      return "rejected";
  }
  return "";
}

}  // namespace edgecrew::stack
