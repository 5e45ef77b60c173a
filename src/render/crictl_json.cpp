#include "render/crictl_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <limits>
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
using google::protobuf::Descriptor;

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

namespace {

// Go's encoding/json, decoding into the CRI Go types, reduced to what crictl can meet: it rewrites
// the document into the one protobuf's JSON parser reads the same way (proto names, known fields
// only), or says why Go refuses it.
class CrictlReader {
 public:
  std::vector<std::string> ignored;

  // Returns an empty string, or Go's reason for refusing the value at `path`.
  std::string message(const json& in, const Descriptor* type, const std::string& path, json& out) {
    if (!in.is_object()) return wrong(in, path, "an object (" + type->name() + ")");
    out = json::object();
    for (const auto& [key, value] : in.items()) {
      const FieldDescriptor* field = find_field(type, key);
      std::string at = path.empty() ? key : path + "." + key;
      if (field == nullptr) {
        ignored.push_back(at);
        continue;
      }
      if (value.is_null()) {
        out.erase(field->name());
        continue;
      }
      json converted;
      std::string why = field->is_map()        ? map(value, field, at, converted)
                        : field->is_repeated() ? list(value, field, at, converted)
                                               : single(value, field, at, converted);
      if (!why.empty()) return why;
      out[field->name()] = std::move(converted);  // a later duplicate wins, as in Go
    }
    return {};
  }

 private:
  // An exact match first, then one ignoring (ASCII) case, as encoding/json matches names.
  static const FieldDescriptor* find_field(const Descriptor* type, const std::string& key) {
    if (const FieldDescriptor* f = type->FindFieldByName(key)) return f;
    for (int i = 0; i < type->field_count(); ++i) {
      const std::string& name = type->field(i)->name();
      if (name.size() == key.size() &&
          std::equal(name.begin(), name.end(), key.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return type->field(i);
      }
    }
    return nullptr;
  }

  static std::string kind_of(const json& v) {
    if (v.is_string()) return "string";
    if (v.is_boolean()) return "bool";
    if (v.is_number()) return "number";
    if (v.is_array()) return "array";
    if (v.is_object()) return "object";
    return "null";
  }

  static std::string wrong(const json& v, const std::string& path, const std::string& want) {
    return "crictl cannot read " + (path.empty() ? std::string("the file") : path) + ": a " +
           kind_of(v) + " where it needs " + want;
  }

  std::string list(const json& in, const FieldDescriptor* field, const std::string& path,
                   json& out) {
    if (!in.is_array()) return wrong(in, path, "a list");
    out = json::array();
    for (std::size_t i = 0; i < in.size(); ++i) {
      json item;
      std::string at = path + "[" + std::to_string(i) + "]";
      if (in[i].is_null() && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        item = json::object();  // Go leaves a nil element; protobuf has no null element
      } else if (auto why = single(in[i], field, at, item); !why.empty()) {
        return why;
      }
      out.push_back(std::move(item));
    }
    return {};
  }

  std::string map(const json& in, const FieldDescriptor* field, const std::string& path,
                  json& out) {
    if (!in.is_object()) return wrong(in, path, "an object of strings");
    const FieldDescriptor* value_field = field->message_type()->map_value();
    out = json::object();
    for (const auto& [key, value] : in.items()) {
      if (value.is_null()) {
        out[key] = "";
        continue;
      }
      json converted;
      if (auto why = single(value, value_field, path + "." + key, converted); !why.empty()) {
        return why;
      }
      out[key] = std::move(converted);
    }
    return {};
  }

  template <typename T>
  static std::string integer(const json& in, const std::string& path, const std::string& type,
                             json& out) {
    if (!in.is_number()) return wrong(in, path, "an integer (" + type + ")");
    if (in.is_number_float()) {
      // Go reads the literal: 1.0 or 1e3 is not an integer literal, whatever its value.
      return "crictl cannot read " + path + ": " + in.dump() + " is not an integer (" + type + ")";
    }
    // nlohmann reads a literal without '-' as unsigned, with '-' as signed.
    bool fits = false;
    if (in.is_number_unsigned()) {
      fits = in.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    } else {
      fits = std::numeric_limits<T>::is_signed &&
             in.get<std::int64_t>() >= static_cast<std::int64_t>(std::numeric_limits<T>::min());
    }
    if (!fits) return "crictl cannot read " + path + ": " + in.dump() + " overflows " + type;
    out = in;
    return {};
  }

  std::string single(const json& in, const FieldDescriptor* field, const std::string& path,
                     json& out) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return integer<std::int32_t>(in, path, "int32", out);
      case FieldDescriptor::CPPTYPE_INT64:
        return integer<std::int64_t>(in, path, "int64", out);
      case FieldDescriptor::CPPTYPE_UINT32:
        return integer<std::uint32_t>(in, path, "uint32", out);
      case FieldDescriptor::CPPTYPE_UINT64:
        return integer<std::uint64_t>(in, path, "uint64", out);
      case FieldDescriptor::CPPTYPE_ENUM:
        if (in.is_string()) {
          return "crictl cannot read " + path + ": the enum " + field->enum_type()->name() +
                 " is written as the name \"" + in.get<std::string>() +
                 "\"; crictl reads only its number";
        }
        return integer<std::int32_t>(in, path, field->enum_type()->name(), out);
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        if (!in.is_number()) return wrong(in, path, "a number");
        out = in;
        return {};
      case FieldDescriptor::CPPTYPE_BOOL:
        if (!in.is_boolean()) return wrong(in, path, "true or false");
        out = in;
        return {};
      case FieldDescriptor::CPPTYPE_STRING:
        if (!in.is_string()) return wrong(in, path, "a string");
        out = in;
        return {};
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return message(in, field->message_type(), path, out);
    }
    return "crictl cannot read " + path;
  }
};

}  // namespace

Result<std::vector<std::string>> read_as_crictl(std::string_view text, Message& message) {
  message.Clear();
  json document = json::parse(text.begin(), text.end(), nullptr, false);
  if (document.is_discarded()) {
    return Error{ErrorKind::invalid_input, "crictl cannot read the file: it is not JSON"};
  }
  CrictlReader reader;
  json canonical;
  if (auto why = reader.message(document, message.GetDescriptor(), "", canonical); !why.empty()) {
    return Error{ErrorKind::invalid_input, why};
  }
  if (Status parsed = from_crictl_json(canonical.dump(), message); !parsed.ok()) {
    return parsed.error();
  }
  // crictl's checks after decoding (loadContainerConfig, loadPodSandboxConfig).
  const std::string& type = message.GetDescriptor()->full_name();
  auto text_at = [&](const char* outer, const char* inner) -> std::string {
    const FieldDescriptor* o = message.GetDescriptor()->FindFieldByName(outer);
    if (o == nullptr || !message.GetReflection()->HasField(message, o)) return {};
    const Message& m = message.GetReflection()->GetMessage(message, o);
    const FieldDescriptor* i = m.GetDescriptor()->FindFieldByName(inner);
    return i == nullptr ? std::string() : m.GetReflection()->GetString(m, i);
  };
  auto refuse = [](std::string why) -> Error { return {ErrorKind::invalid_input, std::move(why)}; };
  if (type == "runtime.v1.ContainerConfig") {
    if (text_at("metadata", "name").empty()) return refuse("crictl refuses it: no metadata.name");
    if (text_at("image", "image").empty()) return refuse("crictl refuses it: no image.image");
  } else if (type == "runtime.v1.PodSandboxConfig") {
    if (text_at("metadata", "name").empty() || text_at("metadata", "namespace").empty()) {
      return refuse("crictl refuses it: metadata.name and metadata.namespace must both be set");
    }
  }
  return std::move(reader.ignored);
}

}  // namespace edgecrew::render
