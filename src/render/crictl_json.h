#pragma once
// CRI messages as the JSON files crictl reads (`crictl runp`, `crictl create`). crictl decodes them
// with Go's encoding/json into the CRI Go types, so: proto field names (log_directory,
// CDI_devices), enums and 64-bit integers as JSON numbers, unset and default fields left out.

#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace edgecrew::render {

// Fields in field-number order, map keys sorted, 2-space indentation, a final newline.
std::string to_crictl_json(const google::protobuf::Message& message);

// The reverse, strict: a field the message does not declare is an error, as is a wrong type.
Status from_crictl_json(std::string_view json, google::protobuf::Message& message);

// The file as crictl's own loader reads it (`crictl runp POD.json`, `crictl create ... CTR.json`):
// Go's encoding/json into the CRI Go types. A key matches a proto field name exactly or ignoring
// case; any other key (a camelCase name, a field of another message) is skipped without a word and
// its JSON path returned; null leaves a field unset. Refused, as crictl refuses them: a value of
// the wrong JSON type, an enum written as its name, an integer with a fraction or out of range;
// then crictl's own checks: a container needs metadata.name and image.image, a pod sandbox
// metadata.name and metadata.namespace.
Result<std::vector<std::string>> read_as_crictl(std::string_view json,
                                                google::protobuf::Message& message);

}  // namespace edgecrew::render
