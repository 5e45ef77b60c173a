#include "util/yaml_emit.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <string_view>

#include "util/strings.h"

namespace edgecrew {

namespace {

bool looks_like_number(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  // Hexadecimal integers ("0xff") have letters for digits.
  bool hex = s.substr(i, 2) == "0x" || s.substr(i, 2) == "0X";
  bool digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (hex && std::isxdigit(static_cast<unsigned char>(c)))) {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '_' && c != 'x' && c != 'o' && c != '-' &&
               c != '+' && c != ':') {
      return false;
    }
  }
  return digit;
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  static constexpr std::array<std::string_view, 17> reserved = {
      "true", "false", "yes",   "no",    "on",   "off", "null", "~", "y",
      "n",    ".inf",  "-.inf", "+.inf", ".nan", "<<",  "=",    "-"};
  std::string lower = to_lower(s);
  for (auto r : reserved) {
    if (lower == r) return true;
  }
  if (looks_like_number(s)) return true;
  // "-", "?" and ":" start a plain scalar unless a space (or nothing) follows them.
  if (std::string_view("-?:").find(s.front()) != std::string_view::npos &&
      (s.size() == 1 || s[1] == ' ')) {
    return true;
  }
  if (std::string_view(",[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return true;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return true;
  }
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string double_quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string scalar(const nlohmann::ordered_json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return needs_quotes(s) ? double_quoted(s) : s;
  }
  if (v.is_null()) return "null";
  return v.dump();
}

bool is_empty_container(const nlohmann::ordered_json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void emit(const nlohmann::ordered_json& v, int indent, std::string& out);

void emit_value_after_key(const nlohmann::ordered_json& v, int indent, std::string& out) {
  if (is_empty_container(v)) {
    out += v.is_object() ? " {}\n" : " []\n";
  } else if (v.is_object()) {
    out += "\n";
    emit(v, indent + 2, out);
  } else if (v.is_array()) {
    out += "\n";
    emit(v, indent, out);
  } else {
    out += " " + scalar(v) + "\n";
  }
}

void emit(const nlohmann::ordered_json& v, int indent, std::string& out) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) {
      out += pad + (needs_quotes(key) ? double_quoted(key) : key) + ":";
      emit_value_after_key(child, indent, out);
    }
  } else if (v.is_array()) {
    for (const auto& child : v) {
      if (child.is_object() && !child.empty()) {
        // The first key goes on the dash line; the rest align under it.
        std::string nested;
        emit(child, indent + 2, nested);
        out += pad + "- " + nested.substr(static_cast<std::size_t>(indent) + 2);
      } else if (child.is_array() && !child.empty()) {
        out += pad + "-\n";
        emit(child, indent + 2, out);
      } else if (is_empty_container(child)) {
        out += pad + (child.is_object() ? "- {}\n" : "- []\n");
      } else {
        out += pad + "- " + scalar(child) + "\n";
      }
    }
  } else {
    out += pad + scalar(v) + "\n";
  }
}

}  // namespace

std::string to_yaml(const nlohmann::ordered_json& value) {
  // An empty document would read back as null.
  if (is_empty_container(value)) return value.is_object() ? "{}\n" : "[]\n";
  std::string out;
  emit(value, 0, out);
  return out;
}

}  // namespace edgecrew
