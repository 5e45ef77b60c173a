#pragma once
// Merging stack files given with several -f, as Compose merges an override file into its base:
// mappings merge key by key, scalars and command-like lists are replaced, environment/labels/
// depends_on merge by key whatever their form, volumes merge by container path, and other lists
// are appended without repeats.

#include "stack/yaml_tree.h"

namespace edgecrew::stack {

// Merges `override_root` into `base` (both whole documents).
void merge_documents(Node& base, const Node& override_root);

// environment / labels in list form ("KEY=VALUE", "KEY") as a mapping; other nodes unchanged.
Node list_to_mapping(const Node& node);

}  // namespace edgecrew::stack
