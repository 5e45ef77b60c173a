#pragma once
// Service → the libpod SpecGenerator body of `POST /v4.0.0/libpod/containers/create`: the one
// mapping the Podman engine sends. Pure: no I/O, the same input gives the same JSON.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "stack/model.h"

namespace edgecrew::engine::podman {

struct PodmanSpec {
  nlohmann::ordered_json body;        // the SpecGenerator, keys in a fixed order
  std::vector<std::string> unmapped;  // "key: why" for each setting Podman is not given
};

// An anonymous volume edgecrew made for a service (`volumes: [/data]`) carries the project and
// service labels and this one, the mount's target: the replacement of a recreated container
// finds it by them and gets the same data.
inline constexpr std::string_view k_label_volume_target = "io.edgecrew.volume-target";

// `spec_hash` is stored as the k_label_spec_hash label (stack::spec_hash of the service).
// `anonymous_volumes`: target → the volume's name, for the service's anonymous volumes (a target
// not in it gets a fresh volume from Podman).
PodmanSpec map_service(const stack::Service& service, const stack::Stack& stack,
                       const std::string& spec_hash,
                       const std::map<std::string, std::string>& anonymous_volumes = {});

// A network a bridge service joins, with how it joins.
struct JoinedNetwork {
  stack::Network network;
  stack::ServiceNetwork joined;
};
// The service's networks (Service::networks, found in Stack::networks); a bridge service that
// lists none (a stack built in code) joins "<project>_default". Host and none: no network.
std::vector<JoinedNetwork> joined_networks(const stack::Service& service,
                                           const stack::Stack& stack);

// The body of libpod's `POST /networks/create` for a network of the project: DNS on, labelled
// with the project (and the network's own labels).
nlohmann::ordered_json network_create_body(const stack::Network& network,
                                           const std::string& project);

// "<project>-<service>-1", Compose v2's container name, so both tools show the same names.
std::string container_name(const stack::Service& service, const stack::Stack& stack);

// "<project>_default": the network bridge-mode services join, so service names resolve.
std::string project_network(const std::string& project);

// "SIGTERM", "TERM" or "15" → 15; nullopt for a name Linux does not have.
std::optional<int> signal_number(const std::string& name);

}  // namespace edgecrew::engine::podman
