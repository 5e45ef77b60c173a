#include "stack/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "stack/compose_keys.h"
#include "stack/merge.h"
#include "stack/units.h"
#include "util/strings.h"

namespace edgecrew::stack {

void Decoder::type_error(const Node& n, const std::string& what, const std::string& expected) {
  m_diags.error(n.where, fmt::format("{} must be {}, not {}", what, expected, describe(n.kind)));
}

std::optional<std::string> Decoder::string(const Node& n, const std::string& what) {
  if (!n.is_scalar()) {
    type_error(n, what, "a string");
    return std::nullopt;
  }
  return n.scalar;
}

std::optional<bool> Decoder::boolean(const Node& n, const std::string& what) {
  if (n.is_scalar()) {
    std::string v = to_lower(n.scalar);
    if (v == "true") return true;
    if (v == "false") return false;
  }
  m_diags.error(n.where, fmt::format("{} must be true or false", what));
  return std::nullopt;
}

std::optional<std::int64_t> Decoder::integer(const Node& n, const std::string& what) {
  if (n.is_scalar() && !n.scalar.empty()) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(n.scalar.c_str(), &end, 10);
    if (errno == 0 && end != nullptr && *end == '\0') return v;
  }
  m_diags.error(n.where, fmt::format("{} must be a whole number", what));
  return std::nullopt;
}

std::optional<double> Decoder::number(const Node& n, const std::string& what) {
  if (n.is_scalar() && !n.scalar.empty()) {
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(n.scalar.c_str(), &end);
    // strtod also reads "nan", "inf" and hexadecimal, which no Compose number is.
    if (errno == 0 && end != nullptr && *end == '\0' && std::isfinite(v)) return v;
  }
  m_diags.error(n.where, fmt::format("{} must be a number", what));
  return std::nullopt;
}

std::optional<Duration> Decoder::duration(const Node& n, const std::string& what) {
  if (n.is_scalar()) {
    if (auto d = parse_duration(n.scalar)) return d;
  }
  m_diags.error(
      n.where,
      fmt::format("{} must be a duration, not \"{}\"", what, n.is_scalar() ? n.scalar : ""),
      "write it like 30s, 1m30s or 500ms");
  return std::nullopt;
}

std::optional<std::int64_t> Decoder::size(const Node& n, const std::string& what) {
  if (n.is_scalar()) {
    if (auto s = parse_size(n.scalar)) return s;
  }
  m_diags.error(n.where,
                fmt::format("{} must be a size, not \"{}\"", what, n.is_scalar() ? n.scalar : ""),
                "write it like 512m, 1g or a number of bytes");
  return std::nullopt;
}

std::optional<std::vector<std::string>> Decoder::string_list(const Node& n, const std::string& what,
                                                             bool allow_single) {
  if (allow_single && n.is_scalar()) return std::vector<std::string>{n.scalar};
  if (!n.is_sequence()) {
    type_error(n, what, "a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : n.items) {
    if (!item.is_scalar()) {
      type_error(item, what + " entry", "a string");
      ok = false;
      continue;
    }
    out.push_back(item.scalar);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string>> Decoder::command(const Node& n, const std::string& what) {
  if (n.is_scalar()) {
    auto words = shell_split(n.scalar);
    if (!words) {
      m_diags.error(n.where, fmt::format("{} has an unterminated quote", what),
                    "close the quote, or write the command as a list");
      return std::nullopt;
    }
    return words;
  }
  return string_list(n, what);
}

namespace {

// A name for a message: a NUL byte written as \0.
std::string printable(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, std::string>> Decoder::key_values(
    const Node& n, const std::string& what,
    const std::map<std::string, std::string>* from_environment, bool variable_names) {
  Node mapping = list_to_mapping(n);
  if (!mapping.is_mapping()) {
    type_error(n, what, "a mapping or a list of KEY=VALUE strings");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : mapping.entries) {
    if (k.scalar.empty()) {
      m_diags.error(k.where, fmt::format("{} has an entry without a name", what));
      continue;
    }
    if (k.scalar.find('\0') != std::string::npos ||
        (v.is_scalar() && v.scalar.find('\0') != std::string::npos)) {
      m_diags.error(k.where, fmt::format("{} \"{}\" holds a NUL byte", what, printable(k.scalar)),
                    "a NUL byte cannot reach a process; remove the \\0");
      continue;
    }
    if (variable_names && k.scalar.find('=') != std::string::npos) {
      m_diags.error(k.where,
                    fmt::format("{}: the name \"{}\" holds '='", what, printable(k.scalar)),
                    "a variable name ends at the first '='; write NAME=VALUE in the list form, or "
                    "NAME: VALUE");
      continue;
    }
    if (v.is_null()) {
      // "KEY" alone passes the variable through from the environment, or nothing when unset.
      if (from_environment != nullptr) {
        auto it = from_environment->find(k.scalar);
        if (it != from_environment->end()) out[k.scalar] = it->second;
      }
      continue;
    }
    if (!v.is_scalar()) {
      type_error(v, fmt::format("{} \"{}\"", what, k.scalar), "a string");
      continue;
    }
    out[k.scalar] = v.scalar;
  }
  return out;
}

bool Decoder::mapping(const Node& n, const std::string& what) {
  if (n.is_mapping()) return true;
  type_error(n, what, "a mapping");
  return false;
}

bool Decoder::check_keys(const Node& n, const std::string& what,
                         const std::vector<std::string>& known) {
  if (!mapping(n, what)) return false;
  for (const auto& [k, v] : n.entries) {
    if (k.scalar.starts_with("x-")) continue;
    if (std::find(known.begin(), known.end(), k.scalar) != known.end()) continue;
    m_diags.error(k.where, fmt::format("unknown key \"{}\" in {}", k.scalar, what),
                  did_you_mean(k.scalar, known));
  }
  return true;
}

bool Decoder::check_section(const Node& n, const std::string& what, std::string_view section,
                            bool unknown_only) {
  if (!mapping(n, what)) return false;
  const ComposeSection& keys = compose_section(section);
  for (const auto& [k, v] : n.entries) {
    if (k.scalar.starts_with("x-")) continue;
    const ComposeKey* key = find_compose_key(keys, k.scalar);
    if (key == nullptr) {
      std::vector<std::string> names;
      for (const auto& known : keys.keys) names.emplace_back(known.name);
      m_diags.error(k.where, fmt::format("unknown key \"{}\" in {}", k.scalar, what),
                    did_you_mean(k.scalar, names));
    } else if (unknown_only) {
      continue;
    } else if (key->support == KeySupport::ignored) {
      m_diags.warning(k.where, fmt::format("\"{}\" of {} is ignored by edgecrew", k.scalar, what),
                      std::string(key->why));
    } else if (key->support == KeySupport::rejected) {
      m_diags.error(k.where, fmt::format("\"{}\" of {} is not supported", k.scalar, what),
                    std::string(key->why));
    }
  }
  return true;
}

}  // namespace edgecrew::stack
