#pragma once
// Checks that span services: dependencies (missing, cycles, health conditions), published ports
// that collide, volumes that are not declared, bind sources that do not exist.

#include "stack/model.h"
#include "util/diagnostics.h"

namespace edgecrew::stack {

void validate_stack(const Stack& stack, Diagnostics& diags);

// Neo4j 5 refuses an initial password under 8 characters and the container exits at start.
constexpr std::size_t k_neo4j_min_password = 8;

}  // namespace edgecrew::stack
