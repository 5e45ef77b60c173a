#pragma once
// The canonical form of a stack (what `edgecrew config` prints) and the spec hash derived from it.

#include <nlohmann/json.hpp>
#include <string>

#include "stack/model.h"

namespace edgecrew::stack {

// Keys in a fixed order, defaults omitted, durations as "1m30s", sizes in bytes. Secrets are NOT
// masked here: pass the result through a Redactor before printing it.
nlohmann::ordered_json stack_to_json(const Stack& stack);
nlohmann::ordered_json service_to_json(const Service& service, const Stack& stack);

// SHA-256 over what shapes the container: the canonical service without depends_on, profiles and
// the readiness probe, with list order that does not matter (ports, volumes, devices) sorted away.
// Stable across key order and formatting of the stack file; changes when the container would.
std::string spec_hash(const Service& service, const Stack& stack);

}  // namespace edgecrew::stack
