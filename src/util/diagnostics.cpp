#include "util/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace edgecrew {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.where.file;
  if (d.where.line > 0) {
    out += fmt::format(":{}", d.where.line);
    if (d.where.column > 0) out += fmt::format(":{}", d.where.column);
  }
  if (!out.empty()) out += ": ";  // a message about no file in particular starts bare
  if (d.severity == Severity::warning) out += "warning: ";
  out += d.message;
  if (!d.hint.empty()) out += fmt::format(" ({})", d.hint);
  return out;
}

void Diagnostics::error(Location where, std::string message, std::string hint) {
  m_items.push_back({Severity::error, std::move(where), std::move(message), std::move(hint)});
}

void Diagnostics::warning(Location where, std::string message, std::string hint) {
  m_items.push_back({Severity::warning, std::move(where), std::move(message), std::move(hint)});
}

void Diagnostics::append(const Diagnostics& other) {
  m_items.insert(m_items.end(), other.m_items.begin(), other.m_items.end());
}

bool Diagnostics::has_errors() const {
  return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      m_items.begin(), m_items.end(), [](const auto& d) { return d.severity == Severity::error; }));
}

}  // namespace edgecrew
