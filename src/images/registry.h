#pragma once
// Which registry an image reference names, and whether it answers: asked before a pull, so that
// `up` fails before it creates anything when an image it must pull cannot come.

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace edgecrew::images {

inline constexpr std::chrono::milliseconds k_registry_timeout{3'000};

// "docker.io/library/redis:7" → "registry-1.docker.io"; "quay.io/x/y" → "quay.io"; a short name
// → Docker Hub's; "localhost/..." → "" (a local name no registry serves).
std::string image_registry(const std::string& image);

struct RegistryAnswer {
  bool reachable = false;
  std::string text;  // "HTTP 401 on HEAD /v2/: reachable", or the error
};

// HEAD SCHEME://REGISTRY/v2/ within k_registry_timeout; 200 and 401 count as reachable.
RegistryAnswer ask_registry(const std::string& registry, const std::string& scheme = "https");

// HTTPS, then plain HTTP (a registry marked insecure in registries.conf serves only that), as
// the pull itself would try them.
RegistryAnswer ask_registry_any_scheme(const std::string& registry);

// Each registry asked once (ask_registry_any_scheme), all at once: a look-up costs at most
// k_registry_timeout twice, however many registries there are.
std::map<std::string, RegistryAnswer> ask_registries(const std::set<std::string>& registries);
using RegistryAsker =
    std::function<std::map<std::string, RegistryAnswer>(const std::set<std::string>& registries)>;

}  // namespace edgecrew::images
