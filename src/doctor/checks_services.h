#pragma once
// The services section's reading of a Redis service's command line, for tests.

#include <optional>
#include <string>

#include "stack/model.h"

namespace edgecrew::doctor {

struct RedisExposure {
  bool risky = false;    // every address (host network or published) with protected mode off
                         // or a password under 16 characters
  std::string evidence;  // "bind 0.0.0.0 on the host network, protected-mode no, password none"
};

// nullopt for a service that is not Redis (no redis probe, no redis-server in its command).
std::optional<RedisExposure> redis_exposure(const stack::Service& service);

}  // namespace edgecrew::doctor
