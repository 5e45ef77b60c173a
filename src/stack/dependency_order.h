#pragma once
// Services in the order their depends_on asks for, as levels: everything in a level depends only on
// services of earlier levels, so a level can start in parallel once the one before it is up.

#include <vector>

#include "stack/model.h"

namespace edgecrew::stack {

// Dependencies on services outside `services` are ignored. Each level is sorted by name. The
// loader refuses cycles; should one get here anyway, its services make up the last level.
std::vector<std::vector<const Service*>> dependency_order(
    const std::vector<const Service*>& services);

}  // namespace edgecrew::stack
