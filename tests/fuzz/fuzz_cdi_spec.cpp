// Fuzz target for the CDI spec reader and validator: any bytes give a spec or diagnostics, never a
// crash, a hang or a sanitizer report; explain() over the result must not crash either.
#include <cstddef>
#include <cstdint>
#include <string>

#include "cdi/registry.h"
#include "cdi/spec_validate.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto ls = edgecrew::cdi::load_spec_text(text, "/etc/cdi/fuzz.yaml");
  for (const auto& d : ls.diagnostics.items()) (void)edgecrew::format_diagnostic(d);
  if (ls.spec) {
    (void)edgecrew::cdi::minimum_version(*ls.spec);
    edgecrew::cdi::Registry reg;
    reg.specs.push_back(ls);
    (void)edgecrew::cdi::explain(reg, ls.spec->kind + "=all");
  }
  return 0;
}
