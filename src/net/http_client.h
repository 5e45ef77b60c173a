#pragma once
// One HTTP/1.1 request over TCP or a unix socket (libcurl), for the readiness probes and the
// Podman engine's REST calls. Safe to call from many threads at once; never throws.
//
// Error kinds: timeout (names what was awaited, connecting or the response, and after how long),
// unavailable (connection refused, or no socket at the path: names the address),
// permission_denied (the unix socket is not ours to open), not_found (the host name does not
// resolve, or no route to it), invalid_input (a URL curl cannot use), io (anything else).
//
// http_stream hands a 2xx body to a callback as it arrives (logs -f): connect_timeout applies,
// the overall timeout does not (an idle follow is not an error).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace edgecrew::net {

inline constexpr std::chrono::milliseconds k_default_http_connect_timeout{2000};
inline constexpr std::chrono::milliseconds k_default_http_timeout{5000};
// A larger body is an error rather than memory taken: nothing edgecrew asks for is this big.
inline constexpr std::size_t k_default_max_response_bytes = 64 * 1024 * 1024;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  // Every member has an initializer, so that designated initializers may leave any out.
  std::string url{};  // for a unix socket, any host: "http://d/v4.0.0/libpod/_ping"
  HttpHeaders headers{};
  std::string body{};
  std::string unix_socket{};  // connect to this socket path instead of the URL's host
  std::chrono::milliseconds connect_timeout = k_default_http_connect_timeout;
  std::chrono::milliseconds timeout = k_default_http_timeout;  // the whole exchange
  std::size_t max_response_bytes = k_default_max_response_bytes;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  HttpHeaders headers;  // of the final response (not of a 100 Continue before it), in order

  // The first header of that name (any case), or nullptr.
  const std::string* header(std::string_view name) const;
};

Result<HttpResponse> http_request(const HttpRequest& request);

// Called with each piece of a streamed body as it arrives; false ends the stream.
using HttpChunkSink = std::function<bool(std::string_view chunk)>;

// Like http_request, but a 2xx body goes to `sink` piece by piece (response.body stays empty) and
// request.timeout is not applied: the stream lasts until the peer ends it, `sink` returns false,
// or `cancelled` (asked about once a second while idle) returns true, none of which is an error.
// A non-2xx body is collected in response.body, for the error message.
Result<HttpResponse> http_stream(const HttpRequest& request, const HttpChunkSink& sink,
                                 const std::function<bool()>& cancelled = {});

// {"Authorization", "Basic base64(user:password)"} (RFC 7617).
std::pair<std::string, std::string> basic_auth_header(std::string_view user,
                                                      std::string_view password);

}  // namespace edgecrew::net
