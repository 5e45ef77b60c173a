#include "stack/units.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <tuple>
#include <utility>

namespace edgecrew::stack {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Go's time.ParseDuration works in unsigned nanoseconds and allows up to 1<<63 before the sign is
// applied; the checks below mirror its overflow rules.
constexpr std::uint64_t kGoDurationLimit = std::uint64_t{1} << 63;

std::optional<std::uint64_t> leading_int(std::string_view& s) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (x > kGoDurationLimit / 10) return std::nullopt;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kGoDurationLimit) return std::nullopt;
  }
  s.remove_prefix(i);
  return x;
}

// Digits past what fits are dropped, not an error, as in Go.
std::pair<std::uint64_t, double> leading_fraction(std::string_view& s) {
  std::uint64_t x = 0;
  double scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (x > (kGoDurationLimit - 1) / 10) {
      overflow = true;
      continue;
    }
    std::uint64_t y = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kGoDurationLimit) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
  return {x, scale};
}

std::optional<std::uint64_t> unit_nanoseconds(std::string_view unit) {
  struct Unit {
    std::string_view name;
    std::uint64_t ns;
  };
  // "\xC2\xB5s" is U+00B5 MICRO SIGN and "\xCE\xBCs" U+03BC GREEK SMALL LETTER MU, both accepted
  // by Go.
  static constexpr std::array<Unit, 8> kUnits{{
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},
      {"\xCE\xBCs", 1'000},
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  for (const auto& u : kUnits) {
    if (u.name == unit) return u.ns;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s == "0") return Duration{0};
  if (s.empty()) return std::nullopt;

  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s.front() == '.' || is_digit(s.front()))) return std::nullopt;
    std::size_t before = s.size();
    auto whole = leading_int(s);
    if (!whole) return std::nullopt;
    bool pre = before != s.size();
    std::uint64_t v = *whole;

    std::uint64_t fraction = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      before = s.size();
      std::tie(fraction, scale) = leading_fraction(s);
      post = before != s.size();
    }
    if (!pre && !post) return std::nullopt;

    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !is_digit(s[unit_len]))
      ++unit_len;
    if (unit_len == 0) return std::nullopt;
    auto unit = unit_nanoseconds(s.substr(0, unit_len));
    s.remove_prefix(unit_len);
    if (!unit) return std::nullopt;

    if (v > kGoDurationLimit / *unit) return std::nullopt;
    v *= *unit;
    if (fraction > 0) {
      v += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                      (static_cast<double>(*unit) / scale));
      if (v > kGoDurationLimit) return std::nullopt;
    }
    total += v;
    if (total > kGoDurationLimit) return std::nullopt;
  }
  if (total > kGoDurationLimit - 1) return std::nullopt;
  return Duration{static_cast<Duration::rep>(total / 1'000'000)};
}

std::optional<std::int64_t> parse_size(std::string_view text) {
  // docker/go-units RAMInBytes: ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ then ParseFloat on the
  // number, so a second fraction ("1.2.3") fails there.
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i]))
      ++i;
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
    static constexpr std::string_view kPrefixes = "kmgtp";
    char lower = static_cast<char>(text[i] | 0x20);
    if (auto pos = kPrefixes.find(lower); pos != std::string_view::npos) {
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
      while (fraction.back() == '0')
        fraction.pop_back();
      out += "." + fraction;
    }
    out += "s";
  }
  return out;
}

}  // namespace edgecrew::stack
