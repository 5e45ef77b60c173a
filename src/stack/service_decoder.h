#pragma once
// One Compose service (after merge and interpolation) → Service. Each key's type and syntax is
// checked here; relations between services are checked in validate.h.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "stack/decode.h"

namespace edgecrew::stack {

struct DecodeContext {
  std::filesystem::path dir;  // relative paths start here
  std::string home;
  const std::map<std::string, std::string>* variables = nullptr;  // for pass-through env keys
};

// `name_node` is the service's name as written in the file; messages about the whole service point
// at it.
std::optional<Service> decode_service(const Node& name_node, const Node& node, Decoder& d,
                                      const DecodeContext& ctx);

// Parts of a service with a syntax of their own (service_parts.cpp).
void decode_ports(const Node& n, Service& s, Decoder& d);
void decode_volumes(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx);
void decode_devices(const Node& n, Service& s, Decoder& d);
void decode_gpus(const Node& n, Service& s, Decoder& d);  // the service's gpus: key
// build: a context directory, or the mapping (paths taken from ctx.dir, the Containerfile's from
// the context).
void decode_build(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx);
// A CPU count (cpus, limits cpus): a number, not negative.
std::optional<double> decode_cpus(const Node& n, Decoder& d, const std::string& what);

// More GPUs than any host carries: a typo, refused before it becomes that many CDI names.
inline constexpr std::int64_t k_max_gpu_count = 1024;
void decode_deploy(const Node& n, Service& s, Decoder& d);
void decode_extension(const Node& n, Service& s, Decoder& d);  // x-edgecrew
void decode_userns(const Node& n, Service& s, Decoder& d);     // userns_mode (userns.cpp)

}  // namespace edgecrew::stack
