#include "render/k8s_services.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "render/k8s_names.h"
#include "render/k8s_probes.h"
#include "render/k8s_volumes.h"
#include "util/strings.h"

namespace edgecrew::render::k8s {

namespace {

json port_list(const std::vector<ServicePort>& ports) {
  json out = json::array();
  for (const auto& p : ports) {
    // Port names are IANA service names: at most 15 characters, lower case.
    out.push_back({{"name", fmt::format("{}-{}", to_lower(p.protocol), p.port)},
                   {"port", p.port},
                   {"targetPort", p.port},
                   {"protocol", p.protocol}});
  }
  return out;
}

}  // namespace

std::vector<ServicePort> service_ports(const stack::Service& service) {
  std::vector<ServicePort> ports;
  auto add = [&ports](std::uint16_t port, std::string protocol) {
    for (auto& c : protocol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool known = std::any_of(ports.begin(), ports.end(), [&](const ServicePort& p) {
      return p.port == port && p.protocol == protocol;
    });
    if (!known && port != 0) ports.push_back({port, std::move(protocol)});
  };
  for (const auto& p : service.ports) add(p.container_port, p.protocol);
  if (service.network_mode == stack::NetworkMode::host) {
    for (auto port : probe_ports(service)) add(port, "tcp");
  }
  return ports;
}

std::vector<json> service_objects(const stack::Stack& stack, const stack::Service& service,
                                  const std::string& namespace_name) {
  std::vector<json> out;
  auto ports = service_ports(service);
  if (!ports.empty()) {
    out.push_back({{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", object_meta(object_name(service), namespace_name,
                                            service_labels(stack, service))},
                   {"spec",
                    {{"type", "ClusterIP"},
                     {"selector", selector_labels(stack, service)},
                     {"ports", port_list(ports)}}}});
  }
  if (needs_stateful_set(stack, service)) {
    // It gives each pod a DNS name; a headless Service may have no ports.
    json spec = {{"clusterIP", "None"}, {"selector", selector_labels(stack, service)}};
    if (!ports.empty()) spec["ports"] = port_list(ports);
    out.push_back({{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", object_meta(headless_name(service), namespace_name,
                                            service_labels(stack, service))},
                   {"spec", std::move(spec)}});
  }
  return out;
}

}  // namespace edgecrew::render::k8s
