// http: a GET whose status must be the expected one (200 unless the stack says other).

#include <fmt/format.h>

#include "net/url.h"
#include "probe/probe_kinds.h"

namespace edgecrew::probe::detail {

ProbeResult probe_http(const stack::Probe& probe, const Deadline& deadline) {
  std::string label = "http " + net::mask_url_password(probe.url);
  auto response = net::http_request(request_within("GET", probe.url, deadline));
  if (!response) {
    return failed(failure_of(response.error()),
                  fmt::format("{}: {}", label, response.error().message));
  }
  if (response->status != probe.status) {
    return failed(ProbeFailure::http_status,
                  fmt::format("{}: HTTP {}, expected {}{}", label, response->status, probe.status,
                              body_excerpt(response->body)));
  }
  return ready(fmt::format("{}: HTTP {}", label, response->status));
}

}  // namespace edgecrew::probe::detail
