#pragma once
// Compose's short port syntax: "8000", "8000:8000", "127.0.0.1:8000:8000/tcp", "127.0.0.1::8000",
// "[::1]:8000:8000", ranges "8000-8002:9000-9002" and "8000-8002" (expanded, one mapping per port).

#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"

namespace edgecrew::stack {

struct PortParse {
  std::vector<PortMapping> mappings;
  std::string error;  // set when the text is not a port specification; says what was wrong
};

PortParse parse_port_spec(std::string_view text);

}  // namespace edgecrew::stack
