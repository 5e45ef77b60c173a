#include "render/k8s_names.h"

#include <cctype>

namespace edgecrew::render::k8s {

namespace {

constexpr std::size_t k_max_label = 63;

std::string trim_dashes(std::string s) {
  while (!s.empty() && s.back() == '-') s.pop_back();
  std::size_t first = s.find_first_not_of('-');
  return first == std::string::npos ? std::string() : s.substr(first);
}

}  // namespace

std::string dns_label(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    out.push_back(std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-');
  }
  out = trim_dashes(std::move(out));
  if (out.size() > k_max_label) out = trim_dashes(out.substr(0, k_max_label));
  return out.empty() ? "x" : out;
}

std::string object_name(const stack::Service& service) {
  std::string name = dns_label(service.name);
  // Service names are RFC 1035 labels: a digit may not lead.
  if (std::isdigit(static_cast<unsigned char>(name.front()))) name = dns_label("s-" + name);
  return name;
}

std::string headless_name(const stack::Service& service) {
  return dns_label(object_name(service) + "-headless");
}

std::string secret_name(const stack::Stack& stack) {
  return dns_label(stack.name + "-secrets");
}

json stack_labels(const stack::Stack& stack) {
  return json{{"app.kubernetes.io/part-of", dns_label(stack.name)},
              {"app.kubernetes.io/managed-by", "edgecrew"}};
}

json service_labels(const stack::Stack& stack, const stack::Service& service) {
  return json{{"app.kubernetes.io/name", object_name(service)},
              {"app.kubernetes.io/part-of", dns_label(stack.name)},
              {"app.kubernetes.io/managed-by", "edgecrew"}};
}

json selector_labels(const stack::Stack& stack, const stack::Service& service) {
  return json{{"app.kubernetes.io/name", object_name(service)},
              {"app.kubernetes.io/part-of", dns_label(stack.name)}};
}

json object_meta(const std::string& name, const std::string& namespace_name, json labels) {
  return json{{"name", name}, {"namespace", namespace_name}, {"labels", std::move(labels)}};
}

}  // namespace edgecrew::render::k8s
