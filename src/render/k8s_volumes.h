#pragma once
// Volumes: a named volume of one service is a StatefulSet's volumeClaimTemplate, one that several
// services mount a standalone PersistentVolumeClaim; binds, tmpfs and anonymous volumes are pod
// volumes.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stack/model.h"

namespace edgecrew::render::k8s {

// Mounted by more than one service of the stack (enabled or not: a claim must not turn into a
// template, and its data be left behind, because a profile is off), or external.
bool is_shared_volume(const stack::Stack& stack, const std::string& key);

// A service that mounts a named volume of its own runs as a StatefulSet.
bool needs_stateful_set(const stack::Stack& stack, const stack::Service& service);

struct PodVolumes {
  nlohmann::ordered_json volumes = nlohmann::ordered_json::array();  // pod spec volumes
  nlohmann::ordered_json mounts = nlohmann::ordered_json::array();   // container volumeMounts
  nlohmann::ordered_json claim_templates = nlohmann::ordered_json::array();
};

PodVolumes pod_volumes(const stack::Stack& stack, const stack::Service& service,
                       std::vector<std::string>& notes);

// The PersistentVolumeClaims of the shared (not external) volumes that `services` mount.
std::vector<nlohmann::ordered_json> shared_claims(
    const stack::Stack& stack, const std::vector<const stack::Service*>& services,
    const std::string& namespace_name);

}  // namespace edgecrew::render::k8s
