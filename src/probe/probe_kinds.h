#pragma once
// Inside src/probe/: one function per probe kind, and what they share. Each kind stays within
// the deadline it is given; run_probe adds the time taken and masks secrets.

#include <string>
#include <string_view>

#include "net/http_client.h"
#include "probe/probe.h"
#include "stack/model.h"
#include "util/clock.h"
#include "util/result.h"

namespace edgecrew::probe::detail {

ProbeResult probe_http(const stack::Probe& probe, const Deadline& deadline);
ProbeResult probe_tcp(const stack::Probe& probe, const Deadline& deadline);
ProbeResult probe_openai(const stack::Probe& probe, const Deadline& deadline);
ProbeResult probe_redis(const stack::Probe& probe, const Deadline& deadline);
ProbeResult probe_neo4j(const stack::Probe& probe, const Deadline& deadline);

ProbeResult ready(std::string summary);
ProbeResult failed(ProbeFailure failure, std::string summary);

// The probe failure for a connection or request error from net/.
ProbeFailure failure_of(const Error& error);

// A request that must finish before the deadline (connect included).
net::HttpRequest request_within(std::string method, std::string url, const Deadline& deadline);

// The start of an HTTP body, on one line, for a summary: ` ("Service Unavailable")` or "".
std::string body_excerpt(std::string_view body);

}  // namespace edgecrew::probe::detail
