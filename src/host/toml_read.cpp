#include "host/toml_read.h"

#include <fmt/format.h>

namespace edgecrew::host::toml_read {

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

Location at(const toml::node& node, const std::string& file) {
  const auto& s = node.source();
  return {file, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

std::optional<toml::table> parse(std::string_view text, const std::string& file,
                                 Diagnostics& diags) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    diags.error({file, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)},
                fmt::format("not valid TOML: {}", e.description()));
    return std::nullopt;
  }
}

std::optional<std::string> string_at(const toml::table& t, std::string_view key,
                                     const std::string& file, Diagnostics& diags) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  diags.error(at(*n, file), fmt::format("\"{}\" must be a string, not {}", key, type_name(*n)));
  return std::nullopt;
}

std::optional<std::vector<std::string>> strings_at(const toml::table& t, std::string_view key,
                                                   const std::string& file, Diagnostics& diags) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  const auto* arr = n->as_array();
  if (arr == nullptr) {
    diags.error(at(*n, file),
                fmt::format("\"{}\" must be an array of strings, not {}", key, type_name(*n)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *arr) {
    if (const auto* s = item.as_string()) {
      out.push_back(s->get());
    } else {
      diags.error(at(item, file),
                  fmt::format("\"{}\" must hold strings, not {}", key, type_name(item)));
    }
  }
  return out;
}

}  // namespace edgecrew::host::toml_read
