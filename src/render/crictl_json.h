#pragma once
// CRI messages as the JSON files crictl reads (`crictl runp`, `crictl create`). crictl decodes them
// with Go's encoding/json into the CRI Go types, so: proto field names (log_directory,
// CDI_devices), enums and 64-bit integers as JSON numbers, unset and default fields left out.

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "util/result.h"

namespace edgecrew::render {

// Fields in field-number order, map keys sorted, 2-space indentation, a final newline.
std::string to_crictl_json(const google::protobuf::Message& message);

// The reverse, strict: a field the message does not declare is an error, as is a wrong type.
Status from_crictl_json(std::string_view json, google::protobuf::Message& message);

}  // namespace edgecrew::render
