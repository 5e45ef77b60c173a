#pragma once
// The variables an application needs to reach the stack (REDIS_URL, NEO4J_URI, ...), derived from
// the services' readiness probes so that the stack file stays the one source of truth.

#include <string>
#include <utility>
#include <vector>

#include "stack/model.h"

namespace edgecrew::stack {

struct ConnectionVariable {
  std::string name;
  std::string value;
  std::string service;  // where it came from
};

// In a fixed order: REDIS_URL, NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, VLLM_ENDPOINT, VLLM_MODEL.
// A variable is absent when no service has the matching probe; the first service (by name) wins.
std::vector<ConnectionVariable> connection_env(const Stack& stack);

}  // namespace edgecrew::stack
