#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgecrew {

std::string trim(std::string_view s);
std::string to_lower(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to `word` when it is plausibly a typo of it.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);
// "did you mean "x"?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Splits a command line the way a POSIX shell splits words (quotes and backslashes; no expansion).
// Returns nullopt on an unterminated quote.
std::optional<std::vector<std::string>> shell_split(std::string_view s);

// The offset of the first byte that is not part of well-formed UTF-8, or npos when all of it is.
std::size_t invalid_utf8_offset(std::string_view s);

// Quotes `s` for a POSIX shell when it needs it.
std::string shell_quote(std::string_view s);

}  // namespace edgecrew
