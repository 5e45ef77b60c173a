#pragma once
// redis://[user][:password]@host[:port][/db], the form REDIS_URL takes (and the probe's url).

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace edgecrew::probe {

inline constexpr std::uint16_t k_redis_default_port = 6379;

struct RedisTarget {
  std::string host;
  std::uint16_t port = k_redis_default_port;
  std::string user;  // "" = the default user
  std::string password;
  bool has_password = false;
  int db = 0;
};

// Errors (invalid_input) never contain the password; rediss:// and unix sockets are refused
// with what to use instead.
Result<RedisTarget> parse_redis_url(std::string_view url);

}  // namespace edgecrew::probe
