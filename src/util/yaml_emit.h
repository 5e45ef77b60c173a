#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace edgecrew {

// Block-style YAML for a JSON value: keys in the object's order, strings quoted whenever a YAML
// reader could take them for anything but a string (numbers, booleans, null, special characters).
std::string to_yaml(const nlohmann::ordered_json& value);

}  // namespace edgecrew
