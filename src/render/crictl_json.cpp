#include "render/crictl_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace edgecrew::render {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using json = nlohmann::ordered_json;

json message_to_json(const Message& message);

// One value of `field`: the singular value when index < 0, else element `index` of the list.
json value_to_json(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool list = index >= 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return list ? r->GetRepeatedInt32(message, field, index) : r->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return list ? r->GetRepeatedInt64(message, field, index) : r->GetInt64(message, field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return list ? r->GetRepeatedUInt32(message, field, index) : r->GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return list ? r->GetRepeatedUInt64(message, field, index) : r->GetUInt64(message, field);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return list ? r->GetRepeatedDouble(message, field, index) : r->GetDouble(message, field);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return list ? r->GetRepeatedFloat(message, field, index) : r->GetFloat(message, field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return list ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return list ? r->GetRepeatedEnumValue(message, field, index)
                  : r->GetEnumValue(message, field);
    case FieldDescriptor::CPPTYPE_STRING:
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        throw std::logic_error("crictl JSON: bytes field " + field->full_name() +
                               " is not supported");
      }
      return list ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return message_to_json(list ? r->GetRepeatedMessage(message, field, index)
                                  : r->GetMessage(message, field));
  }
  throw std::logic_error("crictl JSON: unknown type of field " + field->full_name());
}

// A map field is a list of entries (key = 1, value = 2); Go prints maps with sorted keys too.
json map_to_json(const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  std::vector<std::pair<std::string, json>> entries;
  for (int i = 0; i < r->FieldSize(message, field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    const FieldDescriptor* key_field = entry.GetDescriptor()->map_key();
    json key = value_to_json(entry, key_field, -1);
    entries.emplace_back(key.is_string() ? key.get<std::string>() : key.dump(),
                         value_to_json(entry, entry.GetDescriptor()->map_value(), -1));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json out = json::object();
  for (auto& [key, value] : entries) out[key] = std::move(value);
  return out;
}

json message_to_json(const Message& message) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);  // set fields only, in field-number order
  json out = json::object();
  for (const FieldDescriptor* field : fields) {
    if (field->is_map()) {
      out[field->name()] = map_to_json(message, field);
    } else if (field->is_repeated()) {
      json list = json::array();
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        list.push_back(value_to_json(message, field, i));
      }
      out[field->name()] = std::move(list);
    } else {
      out[field->name()] = value_to_json(message, field, -1);
    }
  }
  return out;
}

}  // namespace

std::string to_crictl_json(const Message& message) {
  return message_to_json(message).dump(2) + "\n";
}

Status from_crictl_json(std::string_view json_text, Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  message.Clear();
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json_text.data(), json_text.size()), &message, options);
  if (!status.ok()) {
    return Error{ErrorKind::invalid_input,
                 "not a " + message.GetDescriptor()->full_name() + ": " + status.ToString()};
  }
  return Ok{};
}

}  // namespace edgecrew::render
