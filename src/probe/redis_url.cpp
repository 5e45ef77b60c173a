#include "probe/redis_url.h"

#include <fmt/format.h>

#include <charconv>

#include "net/url.h"

namespace edgecrew::probe {

Result<RedisTarget> parse_redis_url(std::string_view text) {
  auto url = net::parse_url(text);
  if (!url) return url.error();
  std::string shown = net::display_url(*url);
  if (url->scheme == "rediss") {
    return Error{ErrorKind::invalid_input,
                 fmt::format("{}: TLS (rediss://) is not supported by the Redis probe; probe the "
                             "plain port with redis://",
                             shown)};
  }
  if (url->scheme != "redis") {
    return Error{
        ErrorKind::invalid_input,
        fmt::format("{}: expected a redis:// URL (unix sockets are not supported)", shown)};
  }
  RedisTarget target;
  target.host = url->host;
  target.port = url->port.value_or(k_redis_default_port);
  target.user = url->user;
  target.password = url->password;
  target.has_password = url->has_password;
  std::string_view path = url->path;
  if (auto query = path.find_first_of("?#"); query != std::string_view::npos) {
    path = path.substr(0, query);
  }
  if (path.starts_with('/')) path.remove_prefix(1);
  if (!path.empty()) {
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), target.db);
    if (ec != std::errc() || end != path.data() + path.size() || target.db < 0) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("{}: the database \"{}\" is not a number", shown, path)};
    }
  }
  return target;
}

}  // namespace edgecrew::probe
