#pragma once
// Names and labels of the Kubernetes objects edgecrew renders: Compose names may hold "_", "."
// and capitals, which Kubernetes names may not.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "stack/model.h"

namespace edgecrew::render::k8s {

using json = nlohmann::ordered_json;

inline constexpr std::string_view k_spec_hash_annotation = "io.edgecrew.spec-hash";

// `text` as an RFC 1123 label: lower case, other characters as "-", at most 63 characters.
std::string dns_label(std::string_view text);
// The Service (and workload, and container) name of a service; Services need a leading letter.
std::string object_name(const stack::Service& service);
// The headless Service a StatefulSet names as its serviceName.
std::string headless_name(const stack::Service& service);
std::string secret_name(const stack::Stack& stack);

// app.kubernetes.io/part-of and managed-by: on objects that belong to no one service.
json stack_labels(const stack::Stack& stack);
// app.kubernetes.io/name, part-of and managed-by.
json service_labels(const stack::Stack& stack, const stack::Service& service);
// name and part-of: what Services and workloads select pods by.
json selector_labels(const stack::Stack& stack, const stack::Service& service);

// metadata {name, namespace, labels}.
json object_meta(const std::string& name, const std::string& namespace_name, json labels);

}  // namespace edgecrew::render::k8s
