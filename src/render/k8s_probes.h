#pragma once
// Probes: the x-edgecrew probe (measured from outside, like the kubelet does) becomes httpGet or
// tcpSocket probes; a Compose healthcheck becomes exec probes.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "render/k8s_secrets.h"
#include "stack/model.h"

namespace edgecrew::render::k8s {

// Model loading (vLLM downloads and loads weights before /health answers) takes minutes.
inline constexpr int k_startup_period_seconds = 10;
inline constexpr int k_startup_failures = 60;         // 10 minutes
inline constexpr int k_model_startup_failures = 180;  // 30 minutes, for an openai probe

// The healthcheck that becomes exec probes: none when there is a native probe or it is disabled.
const stack::Healthcheck* exec_healthcheck(const stack::Service& service);

// The container port that `host_port` on the host reaches: the same port on the host network,
// else the port a published mapping forwards to it.
std::uint16_t container_port_for(const stack::Service& service, std::uint16_t host_port);

// The container ports the native probe reaches, in the probe's order, without repeats.
std::vector<std::uint16_t> probe_ports(const stack::Service& service);

struct ContainerProbes {
  nlohmann::ordered_json startup;  // null when the service has no probe
  nlohmann::ordered_json readiness;
  nlohmann::ordered_json liveness;
};

ContainerProbes container_probes(const stack::Service& service, const ServiceSecrets& secrets,
                                 std::vector<std::string>& notes);

}  // namespace edgecrew::render::k8s
