#include "stack/builtin.h"

namespace edgecrew::stack {

const std::vector<std::string>& builtin_generated_secrets() {
  static const std::vector<std::string> names = {"REDIS_PASSWORD", "NEO4J_PASSWORD"};
  return names;
}

}  // namespace edgecrew::stack
