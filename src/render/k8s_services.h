#pragma once
// Services: how other pods reach a service by name. A ClusterIP Service over the container's
// ports, and the headless Service a StatefulSet needs.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stack/model.h"

namespace edgecrew::render::k8s {

struct ServicePort {
  std::uint16_t port = 0;
  std::string protocol;  // TCP | UDP | SCTP
};

// The container ports, without repeats; on the host network also the ports its probe names
// (compose ignores `ports` there, so the probe is what says where it listens).
std::vector<ServicePort> service_ports(const stack::Service& service);

// The ClusterIP Service (when there are ports), then the headless one for a StatefulSet.
std::vector<nlohmann::ordered_json> service_objects(const stack::Stack& stack,
                                                    const stack::Service& service,
                                                    const std::string& namespace_name);

}  // namespace edgecrew::render::k8s
