#include "cdi/qualified_name.h"

#include <fmt/format.h>

#include "cdi/spec_validate.h"

namespace edgecrew::cdi {

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

  // The rules of the library's parser package, the same as for a spec's kind.
  std::string why = vendor_problem(std::string(vendor));
  if (!why.empty()) {
    out.error = fmt::format("invalid vendor \"{}\" in CDI name \"{}\": {}", vendor, text, why);
    return out;
  }
  if (why = class_problem(std::string(clazz)); !why.empty()) {
    out.error = fmt::format("invalid class \"{}\" in CDI name \"{}\": {}", clazz, text, why);
    return out;
  }
  if (why = device_name_problem(std::string(name)); !why.empty()) {
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
