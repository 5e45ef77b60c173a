#pragma once
// Reading a CDI spec file (YAML or JSON) into the model, strictly, the way the CDI library reads
// it: unknown fields and wrong types are errors, each with the file:line:column where it was
// written.

#include <optional>
#include <string>
#include <string_view>

#include "cdi/spec.h"
#include "util/diagnostics.h"

namespace edgecrew::cdi {

struct SpecParse {
  std::optional<Spec> spec;  // empty when the file is not a spec at all (syntax, not a mapping)
  Diagnostics diagnostics;   // every problem of shape; version rules come from validate_spec
};

// `file` names the spec in diagnostics (the host path, e.g. "/etc/cdi/nvidia.yaml").
SpecParse parse_spec(std::string_view text, const std::string& file);

}  // namespace edgecrew::cdi
