#include "stack/dotenv.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace edgecrew::stack {

namespace {

// Compose's .env rule: letters (any script), digits, '_', '.', '-', '[' and ']', in any order.
constexpr std::string_view kNameHint =
    "a name has only letters, digits, \"_\", \".\", \"-\", \"[\" and \"]\"";

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-' || c == '[' || c == ']' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_name_char);
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Cuts a " #comment" off an unquoted value; a `#` right after `=` or glued to text is data.
std::string_view strip_inline_comment(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) return s.substr(0, i);
  }
  return s;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file, const VariableLookup& lookup,
         Diagnostics& diags)
      : m_text(text), m_file(file), m_lookup(lookup), m_diags(diags) {
    m_line_starts.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') m_line_starts.push_back(i + 1);
    }
  }

  std::map<std::string, DotenvEntry> run() {
    while (m_pos < m_text.size()) statement();
    return std::move(m_entries);
  }

 private:
  // One `KEY=VALUE` (or bare `KEY`, comment, blank line) starting at m_pos; leaves m_pos at the
  // start of the next line.
  void statement() {
    std::size_t eol = line_end(m_pos);
    std::string_view line = m_text.substr(m_pos, eol - m_pos);
    std::size_t lead = 0;
    while (lead < line.size() && is_blank(line[lead])) ++lead;
    line.remove_prefix(lead);
    std::size_t key_pos = m_pos + lead;
    if (line.empty() || line.front() == '#') return next_line(eol);

    if (line.starts_with("export") && line.size() > 6 && (line[6] == ' ' || line[6] == '\t')) {
      std::size_t skip = 6;
      while (skip < line.size() && is_blank(line[skip])) ++skip;
      line.remove_prefix(skip);
      key_pos += skip;
    }

    // The name ends at the first '=', or at ':' (Compose also reads `KEY: value`).
    std::size_t equals = line.find_first_of("=:");
    if (equals == std::string_view::npos) return bare_key(line, key_pos, eol);

    std::string key(trim_blanks(line.substr(0, equals)));
    bool key_ok = is_valid_name(key);
    if (!key_ok) {
      m_diags.error(at(key_pos), fmt::format("invalid variable name \"{}\"", key),
                    std::string(kNameHint));
    }

    std::size_t after_equals = key_pos + equals + 1;
    std::size_t value_pos = after_equals;
    while (value_pos < eol && is_blank(m_text[value_pos])) ++value_pos;
    char quote = value_pos < eol ? m_text[value_pos] : '\0';
    std::optional<std::string> value;
    if (quote == '\'' || quote == '"') {
      value = quoted(value_pos, key_ok);
    } else {
      next_line(eol);
      if (key_ok) value = unquoted(after_equals, eol);
    }
    if (key_ok && value) {
      m_entries[key] = DotenvEntry{std::move(*value), at(key_pos)};
    }
  }

  // Compose reads a bare `KEY` as "pass KEY through from the environment".
  void bare_key(std::string_view line, std::size_t key_pos, std::size_t eol) {
    next_line(eol);
    std::string key(trim_blanks(strip_inline_comment(line)));
    if (!is_valid_name(key)) {
      m_diags.error(at(key_pos), fmt::format("invalid line \"{}\"", trim_blanks(line)),
                    fmt::format("write KEY=VALUE; {}", kNameHint));
      return;
    }
    if (auto value = m_lookup ? m_lookup(key) : std::nullopt) {
      m_entries[key] = DotenvEntry{std::move(*value), at(key_pos)};
    }
  }

  std::optional<std::string> unquoted(std::size_t begin, std::size_t eol) {
    std::string_view raw = m_text.substr(begin, eol - begin);
    std::string_view value = trim_blanks(strip_inline_comment(raw));
    std::vector<std::size_t> source(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) source[i] = begin + i;
    return expand(value, source);
  }

  // A quoted value, which may run over several lines; m_pos ends after the line of the closing
  // quote. nullopt when unterminated or the expansion failed.
  std::optional<std::string> quoted(std::size_t open, bool evaluate) {
    char quote = m_text[open];
    std::size_t i = open + 1;
    std::string text;  // for double quotes: escapes resolved, ready for interpolation
    std::vector<std::size_t> source;
    for (; i < m_text.size() && m_text[i] != quote; ++i) {
      char c = m_text[i];
      if (quote == '"' && c == '\\' && i + 1 < m_text.size()) {
        char e = m_text[i + 1];
        std::string_view replacement;
        switch (e) {
          case 'n':
            replacement = "\n";
            break;
          case 't':
            replacement = "\t";
            break;
          case 'r':
            replacement = "\r";
            break;
          case '"':
            replacement = "\"";
            break;
          case '\\':
            replacement = "\\";
            break;
          case '$':
            replacement = "$$";
            break;  // survives interpolation as a literal `$`
          default:
            break;
        }
        if (!replacement.empty()) {
          text.append(replacement);
          source.insert(source.end(), replacement.size(), i);
          ++i;
          continue;
        }
      }
      text.push_back(c);
      source.push_back(i);
    }
    if (i >= m_text.size()) {
      if (evaluate) {
        m_diags.error(at(open),
                      fmt::format("unterminated {} quote", quote == '"' ? "double" : "single"),
                      fmt::format("close the value with {}", quote));
      }
      // Resume on the next line so that one stray quote costs only its own line.
      next_line(line_end(open));
      return std::nullopt;
    }

    std::size_t eol = line_end(i);
    std::size_t rest = i + 1;
    while (rest < eol && is_blank(m_text[rest])) ++rest;
    if (evaluate && rest < eol && m_text[rest] != '#') {
      m_diags.warning(at(rest), "text after the closing quote is ignored",
                      "put the whole value inside the quotes");
    }
    next_line(eol);
    if (!evaluate) return std::nullopt;
    if (quote == '\'') return std::string(m_text.substr(open + 1, i - open - 1));
    return expand(text, source);
  }

  // `source[i]` is the offset in the file of `text[i]`, to place interpolation errors.
  std::optional<std::string> expand(std::string_view text, const std::vector<std::size_t>& source) {
    VariableLookup lookup = [this](const std::string& name) -> std::optional<std::string> {
      if (auto it = m_entries.find(name); it != m_entries.end()) return it->second.value;
      return m_lookup ? m_lookup(name) : std::nullopt;
    };
    Interpolated result = interpolate(text, lookup, UnsetVariables::empty);
    if (result.error) {
      std::size_t offset =
          result.error->offset < source.size() ? source[result.error->offset] : m_pos;
      m_diags.error(at(offset), result.error->message, result.error->hint);
      return std::nullopt;
    }
    return std::move(result.value);
  }

  std::size_t line_end(std::size_t from) const {
    std::size_t eol = m_text.find('\n', from);
    return eol == std::string_view::npos ? m_text.size() : eol;
  }

  void next_line(std::size_t eol) { m_pos = eol < m_text.size() ? eol + 1 : m_text.size(); }

  Location at(std::size_t offset) const {
    auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
    std::size_t line = static_cast<std::size_t>(it - m_line_starts.begin());
    return Location{m_file, static_cast<int>(line),
                    static_cast<int>(offset - m_line_starts[line - 1] + 1)};
  }

  std::string_view m_text;
  const std::string& m_file;
  const VariableLookup& m_lookup;
  Diagnostics& m_diags;
  std::vector<std::size_t> m_line_starts;
  std::size_t m_pos = 0;
  std::map<std::string, DotenvEntry> m_entries;
};

}  // namespace

std::map<std::string, DotenvEntry> parse_dotenv(std::string_view text, const std::string& file,
                                                const VariableLookup& lookup, Diagnostics& diags) {
  return Parser(text, file, lookup, diags).run();
}

}  // namespace edgecrew::stack
