#include "cdi/qualified_name.h"

#include <fmt/format.h>

namespace edgecrew::cdi {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// What is wrong with one part of a name, or "" when nothing is.
std::string check_part(std::string_view part, std::string_view extra_chars) {
  if (part.empty()) return "it is empty";
  for (char c : part) {
    if (!is_alnum(c) && extra_chars.find(c) == std::string_view::npos) {
      return fmt::format("character '{}' is not allowed", c);
    }
  }
  if (!is_alnum(part.front())) return "it must start with a letter or digit";
  if (!is_alnum(part.back())) return "it must end with a letter or digit";
  return {};
}

}  // namespace

NameParse parse_qualified_name(std::string_view text) {
  NameParse out;
  auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    out.error = fmt::format("CDI name \"{}\" has no \"=NAME\" part", text);
    return out;
  }
  std::string_view kind = text.substr(0, equals);
  auto slash = kind.find('/');
  if (slash == std::string_view::npos) {
    out.error = fmt::format("CDI name \"{}\" has no vendor/class", text);
    return out;
  }
  std::string_view vendor = kind.substr(0, slash);
  std::string_view clazz = kind.substr(slash + 1);
  std::string_view name = text.substr(equals + 1);

  std::string why = check_part(vendor, ".-_");
  // The vendor is a domain name, so no empty label between dots.
  if (why.empty() && vendor.find("..") != std::string_view::npos) {
    why = "it has an empty label between dots";
  }
  if (!why.empty()) {
    out.error = fmt::format("invalid vendor \"{}\" in CDI name \"{}\": {}", vendor, text, why);
    return out;
  }
  if (why = check_part(clazz, "-_"); !why.empty()) {
    out.error = fmt::format("invalid class \"{}\" in CDI name \"{}\": {}", clazz, text, why);
    return out;
  }
  if (why = check_part(name, "-_.:"); !why.empty()) {
    out.error = fmt::format("invalid device name \"{}\" in CDI name \"{}\": {}", name, text, why);
    return out;
  }
  out.name = QualifiedName{std::string(vendor), std::string(clazz), std::string(name)};
  return out;
}

bool looks_like_qualified_name(std::string_view text) {
  return !text.empty() && text.front() != '/' && text.find('/') != std::string_view::npos &&
         text.find('=') != std::string_view::npos;
}

}  // namespace edgecrew::cdi
