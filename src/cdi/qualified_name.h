#pragma once
// CDI fully-qualified device names: "vendor.com/class=name" (CDI spec "Fully-qualified device
// name").

#include <optional>
#include <string>
#include <string_view>

namespace edgecrew::cdi {

struct QualifiedName {
  std::string vendor;  // "nvidia.com"
  std::string clazz;   // "gpu"
  std::string name;    // "all", "0", "GPU-uuid"
  std::string kind() const { return vendor + "/" + clazz; }
  std::string str() const { return kind() + "=" + name; }
};

struct NameParse {
  std::optional<QualifiedName> name;
  std::string error;  // what is wrong, when `name` is empty
};

// Vendor and class: letters, digits, '.', '-', '_'; start with a letter, end with a letter or
// digit. Name: letters, digits, '-', '_', '.', ':'; starts and ends with a letter or digit.
NameParse parse_qualified_name(std::string_view text);

// True when `text` has the shape of a CDI name (has "/" and "=" and does not start with "/"),
// valid or not; used to tell CDI names from host device paths.
bool looks_like_qualified_name(std::string_view text);

}  // namespace edgecrew::cdi
