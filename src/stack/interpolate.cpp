#include "stack/interpolate.h"

#include <fmt/format.h>

#include <algorithm>

namespace edgecrew::stack {

namespace {

bool is_name_start(char c) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && is_name_start(name.front()) &&
         std::all_of(name.begin(), name.end(), is_name_char);
}

// Recursive descent over the original text, so every offset it reports is an offset in that text.
// A null `out` means "parse only": the branch is not taken, so nothing in it is looked up and
// unset variables in it are not errors (only syntax errors are).
class Scanner {
 public:
  Scanner(std::string_view text, const VariableLookup& lookup, UnsetVariables unset)
      : m_text(text), m_lookup(lookup), m_unset(unset) {}

  Interpolated run() {
    Interpolated result;
    if (!expand(&result.value, /*nested=*/false)) {
      result.value.clear();
      result.error = std::move(m_error);
    }
    result.variables = std::move(m_variables);
    return result;
  }

 private:
  // Expands up to the end of the text or, when `nested`, up to (not past) the `}` that closes the
  // enclosing `${...}`. Returns false once an error has been recorded.
  bool expand(std::string* out, bool nested) {
    while (m_pos < m_text.size()) {
      char c = m_text[m_pos];
      if (nested && c == '}') return true;
      if (c != '$' || m_pos + 1 >= m_text.size()) {
        append(out, c);
        ++m_pos;
        continue;
      }
      char next = m_text[m_pos + 1];
      if (next == '$') {
        append(out, '$');
        m_pos += 2;
      } else if (next == '{') {
        if (!braced(out)) return false;
      } else if (is_name_start(next)) {
        std::size_t start = m_pos++;
        std::size_t name_start = m_pos;
        while (m_pos < m_text.size() && is_name_char(m_text[m_pos])) ++m_pos;
        if (!plain(out, std::string(m_text.substr(name_start, m_pos - name_start)), start)) {
          return false;
        }
      } else {
        // "cost $5", "a $ b": not an expression, so the `$` is just text.
        append(out, '$');
        ++m_pos;
      }
    }
    return true;
  }

  // `${...}` starting at m_pos.
  bool braced(std::string* out) {
    std::size_t start = m_pos;
    m_pos += 2;
    std::size_t name_start = m_pos;
    while (m_pos < m_text.size() && is_name_char(m_text[m_pos])) ++m_pos;
    std::string name(m_text.substr(name_start, m_pos - name_start));
    if (m_pos >= m_text.size()) return unterminated(start);

    char c = m_text[m_pos];
    bool operator_ok = c == '}' || c == '-' || c == '?' || c == '+' ||
                       (c == ':' && m_pos + 1 < m_text.size() &&
                        std::string_view("-?+").find(m_text[m_pos + 1]) != std::string_view::npos);
    if (!is_valid_name(name) || !operator_ok) {
      if (m_text.find('}', name_start) == std::string_view::npos) return unterminated(start);
      if (is_valid_name(name) && c == ':') {
        return fail(
            start, fmt::format("expected \"-\", \"?\" or \"+\" after \"${{{}:\"", name),
            fmt::format("use ${{{0}:-default}}, ${{{0}:?message}} or ${{{0}:+alternative}}", name));
      }
      std::size_t end = m_text.find_first_of("}:?+-", name_start);
      return fail(
          start,
          fmt::format("invalid variable name \"{}\"", m_text.substr(name_start, end - name_start)),
          "a name starts with a letter or \"_\" and has only letters, digits and \"_\"; "
          "write \"$$\" for a literal \"$\"");
    }

    if (c == '}') {
      ++m_pos;
      return plain(out, name, start);
    }

    bool colon = c == ':';
    if (colon) ++m_pos;
    char op = m_text[m_pos++];

    std::optional<std::string> value;
    bool condition = false;
    if (out != nullptr) {
      value = lookup(name);
      condition = colon ? (value && !value->empty()) : value.has_value();
    }
    // For `-` and `?` the word is used when the condition fails; for `+` when it holds.
    bool use_word = out != nullptr && (op == '+' ? condition : !condition);
    std::string word;
    if (!expand(use_word ? &word : nullptr, /*nested=*/true)) return false;
    if (m_pos >= m_text.size()) return unterminated(start);
    ++m_pos;  // the closing `}`
    if (out == nullptr) return true;

    if (use_word && op == '?') {
      return fail(start,
                  word.empty() ? fmt::format("variable \"{}\" is required", name)
                               : fmt::format("variable \"{}\" is required: {}", name, word),
                  "set it in the environment or in .env");
    }
    if (use_word) {
      out->append(word);
    } else if (op != '+') {
      out->append(*value);
      record(name);
    }
    return true;
  }

  // `$NAME` or `${NAME}`.
  bool plain(std::string* out, const std::string& name, std::size_t start) {
    if (out == nullptr) return true;
    auto value = lookup(name);
    if (value) {
      out->append(*value);
      record(name);
      return true;
    }
    if (m_unset == UnsetVariables::empty) return true;
    return fail(start, fmt::format("variable \"{}\" is not set", name),
                fmt::format("set it in the environment or in .env, or give a default: "
                            "${{{}:-value}}",
                            name));
  }

  std::optional<std::string> lookup(const std::string& name) const {
    return m_lookup ? m_lookup(name) : std::nullopt;
  }

  void record(const std::string& name) {
    if (std::find(m_variables.begin(), m_variables.end(), name) == m_variables.end()) {
      m_variables.push_back(name);
    }
  }

  static void append(std::string* out, char c) {
    if (out != nullptr) out->push_back(c);
  }

  bool unterminated(std::size_t start) {
    return fail(start, "unterminated \"${\"",
                "close it with \"}\", or write \"$$\" for a literal \"$\"");
  }

  bool fail(std::size_t offset, std::string message, std::string hint) {
    m_error = InterpolationError{offset, std::move(message), std::move(hint)};
    return false;
  }

  std::string_view m_text;
  const VariableLookup& m_lookup;
  UnsetVariables m_unset;
  std::size_t m_pos = 0;
  std::vector<std::string> m_variables;
  std::optional<InterpolationError> m_error;
};

}  // namespace

Interpolated interpolate(std::string_view text, const VariableLookup& lookup) {
  return interpolate(text, lookup, UnsetVariables::error);
}

Interpolated interpolate(std::string_view text, const VariableLookup& lookup,
                         UnsetVariables unset) {
  return Scanner(text, lookup, unset).run();
}

}  // namespace edgecrew::stack
