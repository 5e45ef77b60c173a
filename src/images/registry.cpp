#include "images/registry.h"

#include <fmt/format.h>

#include <future>

#include "net/http_client.h"

namespace edgecrew::images {

std::string image_registry(const std::string& image) {
  auto slash = image.find('/');
  std::string first = slash == std::string::npos ? std::string() : image.substr(0, slash);
  // A first component with a dot or a port, or "localhost", names a registry; else Docker Hub.
  if (first == "localhost" || first.starts_with("localhost:")) return {};
  if (first.empty() ||
      (first.find('.') == std::string::npos && first.find(':') == std::string::npos)) {
    return "registry-1.docker.io";
  }
  return first == "docker.io" || first == "index.docker.io" ? "registry-1.docker.io" : first;
}

RegistryAnswer ask_registry(const std::string& registry, const std::string& scheme) {
  net::HttpRequest request;
  request.method = "HEAD";
  request.url = fmt::format("{}://{}/v2/", scheme, registry);
  request.connect_timeout = k_registry_timeout;
  request.timeout = k_registry_timeout;
  auto response = net::http_request(request);
  if (!response) return {false, response.error().message};
  // 200 (open) and 401 (a token is needed) both mean a registry answers there.
  if (response->status == 200 || response->status == 401) {
    return {true, fmt::format("HTTP {} on HEAD /v2/: reachable", response->status)};
  }
  return {false, fmt::format("HTTP {} on HEAD /v2/: not a registry API", response->status)};
}

RegistryAnswer ask_registry_any_scheme(const std::string& registry) {
  RegistryAnswer secure = ask_registry(registry, "https");
  if (secure.reachable) return secure;
  RegistryAnswer plain = ask_registry(registry, "http");
  if (plain.reachable) return {true, plain.text + " (plain HTTP)"};
  return secure;
}

std::map<std::string, RegistryAnswer> ask_registries(const std::set<std::string>& registries) {
  std::map<std::string, std::future<RegistryAnswer>> asked;
  for (const auto& registry : registries) {
    asked.emplace(registry, std::async(std::launch::async,
                                       [registry] { return ask_registry_any_scheme(registry); }));
  }
  std::map<std::string, RegistryAnswer> answers;
  for (auto& [registry, answer] : asked) answers.emplace(registry, answer.get());
  return answers;
}

}  // namespace edgecrew::images
