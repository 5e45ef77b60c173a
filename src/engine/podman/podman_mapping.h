#pragma once
// Service → the libpod SpecGenerator body of `POST /v4.0.0/libpod/containers/create`: the one
// mapping the Podman engine sends. Pure: no I/O, the same input gives the same JSON.

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

// `spec_hash` is stored as the k_label_spec_hash label (stack::spec_hash of the service).
PodmanSpec map_service(const stack::Service& service, const stack::Stack& stack,
                       const std::string& spec_hash);

// "<project>-<service>-1", Compose v2's container name, so both tools show the same names.
std::string container_name(const stack::Service& service, const stack::Stack& stack);

// "<project>_default": the network bridge-mode services join, so service names resolve.
std::string project_network(const std::string& project);

// "SIGTERM", "TERM" or "15" → 15; nullopt for a name Linux does not have.
std::optional<int> signal_number(const std::string& name);

}  // namespace edgecrew::engine::podman
