// Prints `edgecrew render k8s` of the built-in stack (fixed passwords, one GPU, the "ui" profile
// on), for the schema test to read.

#include <iostream>

#include "render/k8s_render.h"
#include "stack/builtin.h"
#include "stack/compose_loader.h"
#include "util/diagnostics.h"

int main() {
  using namespace edgecrew;
  stack::LoadOptions options;
  options.environment = {{"REDIS_PASSWORD", "RedisSchemaPw0123456789"},
                         {"NEO4J_PASSWORD", "Neo4jSchemaPw9876543210"}};
  options.defaults = {{"EDGECREW_GPU_COUNT", "1"}, {"EDGECREW_GPU_INDEXES", "0"}};
  options.fallback_project_name = "edgecrew";
  options.home = "/root";
  auto loaded = stack::load_stack({{std::string(stack::k_builtin_name),
                                    std::string(stack::builtin_compose_text()), "/srv/app"}},
                                  options);
  if (!loaded.stack) {
    for (const auto& d : loaded.diagnostics.items()) std::cerr << format_diagnostic(d) << "\n";
    return 1;
  }
  render::K8sOptions k8s;
  k8s.namespace_name = "edgecrew";
  std::cout << render::render_k8s(*loaded.stack, stack::enabled_services(*loaded.stack, {"ui"}),
                                  k8s);
  return 0;
}
