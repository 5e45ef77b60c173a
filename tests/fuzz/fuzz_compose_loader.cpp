// Fuzz target for the stack loader: any bytes must give a stack or diagnostics, never a crash,
// a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stack/compose_loader.h"
#include "stack/normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  edgecrew::stack::LoadOptions options;
  options.environment = {{"REDIS_PASSWORD", "fuzzpassword"}, {"EMPTY", ""}};
  options.fallback_project_name = "fuzz";
  options.home = "/nonexistent";
  std::string text(reinterpret_cast<const char*>(data), size);
  auto result = edgecrew::stack::load_stack({{"fuzz.yaml", text, "/nonexistent"}}, options);
  if (result.stack) {
    auto doc = edgecrew::stack::stack_to_json(*result.stack);
    for (const auto& s : result.stack->services) (void)edgecrew::stack::spec_hash(s, *result.stack);
    (void)doc.dump();
  }
  return 0;
}
