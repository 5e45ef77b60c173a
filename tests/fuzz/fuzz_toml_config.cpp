// Fuzz target for the TOML readers (crio.conf and its drop-ins, storage.conf): any bytes give
// values or positioned diagnostics, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "host/containers_conf.h"
#include "host/crio_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  edgecrew::host::CrioConfig crio;
  edgecrew::host::apply_crio_config_text(crio, text, "/etc/crio/crio.conf");
  // A drop-in over the first: the merge path runs too.
  edgecrew::host::apply_crio_config_text(crio, text, "/etc/crio/crio.conf.d/10.conf");
  for (const auto& d : crio.diagnostics.items()) (void)edgecrew::format_diagnostic(d);
  auto storage = edgecrew::host::storage_conf_from_text(text, "/etc/containers/storage.conf");
  (void)storage.graphroot.value.size();
  return 0;
}
