#pragma once
// The parts of scheme://[user[:password]@]host[:port][/path] that edgecrew connects to, and the
// URL printed with its password masked.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace edgecrew::net {

// What stands in for a password in every URL edgecrew prints.
inline constexpr std::string_view k_password_mask = "********";

struct Url {
  std::string scheme;         // lower case
  std::string user;           // percent-decoded
  std::string password;       // percent-decoded
  bool has_password = false;  // "user:@host" has an empty one
  std::string host;           // an IPv6 address without its brackets
  std::optional<std::uint16_t> port;
  std::string path;  // from the first '/', '?' or '#' on; "" when there is none
};

// Errors (invalid_input) name the URL with its password masked.
Result<Url> parse_url(std::string_view text);

// "host:port", with an IPv6 address in brackets.
std::string host_port(std::string_view host, std::uint16_t port);

// The URL with its password masked.
std::string display_url(const Url& url);

// `text` with the password of scheme://user:password@... masked, for URLs that may not parse.
std::string mask_url_password(std::string_view text);

}  // namespace edgecrew::net
