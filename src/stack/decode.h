#pragma once
// Typed reads from YAML nodes that report a positioned error when the type is wrong.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"
#include "stack/yaml_tree.h"
#include "util/diagnostics.h"

namespace edgecrew::stack {

class Decoder {
 public:
  explicit Decoder(Diagnostics& diags) : m_diags(diags) {}

  Diagnostics& diags() { return m_diags; }

  std::optional<std::string> string(const Node& n, const std::string& what);
  std::optional<bool> boolean(const Node& n, const std::string& what);
  std::optional<std::int64_t> integer(const Node& n, const std::string& what);
  std::optional<double> number(const Node& n, const std::string& what);
  std::optional<Duration> duration(const Node& n, const std::string& what);
  std::optional<std::int64_t> size(const Node& n, const std::string& what);
  // A list of strings; a single string is accepted when `allow_single` (as for profiles).
  std::optional<std::vector<std::string>> string_list(const Node& n, const std::string& what,
                                                      bool allow_single = false);
  // A command: a list of strings, or one string split as a shell splits words.
  std::optional<std::vector<std::string>> command(const Node& n, const std::string& what);
  // environment / labels: mapping or list of KEY=VALUE; a KEY without value takes `lookup`'s.
  // A NUL byte in a name or value is an error (no process can receive it); so is '=' in a name
  // when `variable_names` (an environment: the runtime would split the name there).
  std::optional<std::map<std::string, std::string>> key_values(
      const Node& n, const std::string& what,
      const std::map<std::string, std::string>* from_environment, bool variable_names = false);
  bool mapping(const Node& n, const std::string& what);

  // Reports keys of `n` that are not in `known` ("did you mean"), and returns false if `n` is not a
  // mapping. Keys starting with "x-" are extensions and are skipped.
  bool check_keys(const Node& n, const std::string& what, const std::vector<std::string>& known);

  // Reports each key of `n` as the Compose section `section` of compose_keys.h says: a key the
  // specification does not define there is an error ("did you mean"), an ignored key a warning, a
  // rejected key an error, each with the table's reason. Returns false if `n` is not a mapping.
  // With `unknown_only`, only keys the specification does not define are reported (the mapping sits
  // under a key that was already reported as ignored or refused as a whole).
  bool check_section(const Node& n, const std::string& what, std::string_view section,
                     bool unknown_only = false);

  void type_error(const Node& n, const std::string& what, const std::string& expected);

 private:
  Diagnostics& m_diags;
};

}  // namespace edgecrew::stack
