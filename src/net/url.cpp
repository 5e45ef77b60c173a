#include "net/url.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/url_password.h"

namespace edgecrew::net {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding: a password holding '@' or ':' must be written %40 or %3A.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Error invalid(std::string_view text, std::string_view why) {
  return Error{ErrorKind::invalid_input,
               fmt::format("invalid URL \"{}\": {}", mask_url_password(text), why)};
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    return invalid(text, "expected scheme://host");
  }
  url.scheme = std::string(text.substr(0, scheme_end));
  if (!std::all_of(url.scheme.begin(), url.scheme.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+';
      })) {
    return invalid(text, "the scheme may hold only letters, digits and '+'");
  }
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  std::string_view rest = text.substr(scheme_end + 3);
  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority_end != std::string_view::npos) url.path = std::string(rest.substr(authority_end));

  // The last '@' ends the userinfo: an unencoded '@' in a password still parses.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    if (!user) return invalid(text, "bad %-escape in the user name");
    url.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = percent_decode(userinfo.substr(colon + 1));
      if (!password) return invalid(text, "bad %-escape in the password");
      url.password = std::move(*password);
      url.has_password = true;
    }
  }

  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid(text, "unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return invalid(text, "no host");
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return invalid(text, fmt::format("port \"{}\" is not a number from 1 to 65535", port_text));
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

std::string host_port(std::string_view host, std::uint16_t port) {
  if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string display_url(const Url& url) {
  std::string out = url.scheme + "://";
  if (!url.user.empty() || url.has_password) {
    out += url.user;
    if (url.has_password) out += fmt::format(":{}", k_password_mask);
    out += '@';
  }
  out += url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port) out += fmt::format(":{}", *url.port);
  return out + url.path;
}

std::string mask_url_password(std::string_view text) {
  if (text.find("://") != std::string_view::npos) return mask_url_passwords(text, k_password_mask);
  // Not a URL at all ("//:pw@host"): a password may still sit between the first ':' and the last
  // '@', and this text is known to be meant as a URL, so mask that.
  std::string out(text);
  std::size_t at = out.rfind('@');
  std::size_t colon = out.find(':');
  if (at != std::string::npos && colon != std::string::npos && colon + 1 < at) {
    out.replace(colon + 1, at - colon - 1, k_password_mask);
  }
  return out;
}

}  // namespace edgecrew::net
