#include "stack/units.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace edgecrew::stack {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Milliseconds per unit; "µs" is written with either the micro sign or the Greek mu.
std::optional<double> unit_milliseconds(std::string_view unit) {
  if (unit == "h") return 3'600'000.0;
  if (unit == "m") return 60'000.0;
  if (unit == "s") return 1'000.0;
  if (unit == "ms") return 1.0;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e-3;
  if (unit == "ns") return 1e-6;
  return std::nullopt;
}

// Go durations are int64 nanoseconds: about 2562047 hours is the most a Compose file can say.
constexpr double k_max_duration_ms = 9223372036854.775807;

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s == "0") return Duration{0};
  if (s.empty()) return std::nullopt;

  double total = 0;
  while (!s.empty()) {
    // A term is digits, optionally a '.' and more digits (at least one digit in all), then a unit.
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    std::size_t whole_digits = i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    if (i == 0 || (whole_digits == 0 && i == 1)) return std::nullopt;
    std::string number(s.substr(0, i));
    if (number.front() == '.') number.insert(0, "0");
    if (number.back() == '.') number.pop_back();
    double value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || end != number.data() + number.size()) return std::nullopt;
    std::size_t unit_end = i;
    while (unit_end < s.size() && !is_digit(s[unit_end]) && s[unit_end] != '.') ++unit_end;
    auto unit = unit_milliseconds(s.substr(i, unit_end - i));
    if (!unit) return std::nullopt;
    total += value * *unit;
    if (total >= k_max_duration_ms) return std::nullopt;
    s.remove_prefix(unit_end);
  }
  // Whole milliseconds, rounding down; the relative epsilon keeps 0.29s (289.99999...) at 290.
  return Duration{static_cast<Duration::rep>(std::floor(total + total * 1e-15 + 1e-12))};
}

std::optional<std::int64_t> parse_size(std::string_view text) {
  // docker/go-units RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ then ParseFloat on the
  // number, so a second fraction ("1.2.3") fails there.
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i > start;
  };
  if (!digits()) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return std::nullopt;
  }
  std::string_view number = text.substr(0, i);
  if (i < text.size() && text[i] == ' ') ++i;

  double multiplier = 1;
  if (i < text.size()) {
    static constexpr std::string_view k_prefixes = "kmgtp";
    char lower = static_cast<char>(text[i] | 0x20);
    if (auto pos = k_prefixes.find(lower); pos != std::string_view::npos) {
      multiplier = std::ldexp(1.0, 10 * static_cast<int>(pos + 1));
      ++i;
    }
  }
  if (i < text.size() && (text[i] == 'i' || text[i] == 'I')) ++i;
  if (i < text.size() && (text[i] == 'b' || text[i] == 'B')) ++i;
  if (i != text.size()) return std::nullopt;

  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size()) return std::nullopt;
  value *= multiplier;
  if (!(value < std::ldexp(1.0, 63))) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

std::string format_duration(Duration d) {
  auto count = d.count();
  if (count == 0) return "0s";
  std::string out;
  std::uint64_t ms = static_cast<std::uint64_t>(count);
  if (count < 0) {
    out = "-";
    ms = 0 - ms;
  }
  if (ms < 1'000) return fmt::format("{}{}ms", out, ms);

  std::uint64_t hours = ms / 3'600'000;
  std::uint64_t minutes = ms / 60'000 % 60;
  std::uint64_t seconds = ms / 1'000 % 60;
  std::uint64_t millis = ms % 1'000;
  if (hours > 0) out += fmt::format("{}h", hours);
  if (minutes > 0) out += fmt::format("{}m", minutes);
  if (seconds > 0 || millis > 0) {
    out += fmt::format("{}", seconds);
    if (millis > 0) {
      std::string fraction = fmt::format("{:03}", millis);
      while (fraction.back() == '0') fraction.pop_back();
      out += "." + fraction;
    }
    out += "s";
  }
  return out;
}

}  // namespace edgecrew::stack
