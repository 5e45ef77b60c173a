#pragma once
// Positioned messages about an input file, collected so that every problem is reported at once.

#include <string>
#include <vector>

namespace edgecrew {

// 1-based; line 0 means "the file as a whole".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  Location where;
  std::string message;
  std::string hint;
};

// "FILE:LINE:COL: message (hint)"; warnings carry "warning: " before the message.
std::string format_diagnostic(const Diagnostic& d);

class Diagnostics {
 public:
  void error(Location where, std::string message, std::string hint = {});
  void warning(Location where, std::string message, std::string hint = {});
  void add(Diagnostic d) { m_items.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  const std::vector<Diagnostic>& items() const { return m_items; }

 private:
  std::vector<Diagnostic> m_items;
};

}  // namespace edgecrew
