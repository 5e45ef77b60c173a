#include "probe/probe.h"

#include <fmt/format.h>

#include <algorithm>

#include "net/url.h"
#include "probe/probe_kinds.h"
#include "stack/secrets.h"

namespace edgecrew::probe {

namespace detail {

namespace {

constexpr std::size_t k_excerpt_length = 80;

}  // namespace

ProbeResult ready(std::string summary) {
  return ProbeResult{true, ProbeFailure::none, std::move(summary), {}};
}

ProbeResult failed(ProbeFailure failure, std::string summary) {
  return ProbeResult{false, failure, std::move(summary), {}};
}

ProbeFailure failure_of(const Error& error) {
  switch (error.kind) {
    case ErrorKind::unavailable:
      return ProbeFailure::refused;
    case ErrorKind::timeout:
      return ProbeFailure::timeout;
    case ErrorKind::not_found:
      return ProbeFailure::unreachable;
    case ErrorKind::invalid_input:
      return ProbeFailure::misconfigured;
    default:
      return ProbeFailure::protocol;
  }
}

net::HttpRequest request_within(std::string method, std::string url, const Deadline& deadline) {
  net::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  // curl takes 0 as "no limit": an exhausted budget still gets a (failing) millisecond.
  auto left = std::max(deadline.remaining(), std::chrono::milliseconds(1));
  request.connect_timeout = left;
  request.timeout = left;
  return request;
}

std::string body_excerpt(std::string_view body) {
  std::string line;
  for (char c : body) {
    if (c == '\n' || c == '\r') break;
    line += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    if (line.size() >= k_excerpt_length) {
      line += "...";
      break;
    }
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line.empty() ? std::string() : fmt::format(" (\"{}\")", line);
}

}  // namespace detail

namespace {

// The secrets a probe carries: its password and those in its URLs.
std::vector<std::string> probe_secrets(const stack::Probe& probe) {
  std::vector<std::string> secrets{probe.password};
  for (const auto* url : {&probe.url, &probe.http, &probe.bolt}) {
    if (auto parsed = net::parse_url(*url); parsed && parsed->has_password) {
      secrets.push_back(parsed->password);
    }
  }
  return secrets;
}

ProbeResult dispatch(const stack::Probe& probe, const Deadline& deadline) {
  switch (probe.kind) {
    case stack::Probe::Kind::http:
      return detail::probe_http(probe, deadline);
    case stack::Probe::Kind::tcp:
      return detail::probe_tcp(probe, deadline);
    case stack::Probe::Kind::openai:
      return detail::probe_openai(probe, deadline);
    case stack::Probe::Kind::redis:
      return detail::probe_redis(probe, deadline);
    case stack::Probe::Kind::neo4j:
      return detail::probe_neo4j(probe, deadline);
  }
  return detail::failed(ProbeFailure::misconfigured, "unknown probe kind");
}

}  // namespace

const char* to_string(ProbeFailure failure) {
  switch (failure) {
    case ProbeFailure::none:
      return "none";
    case ProbeFailure::refused:
      return "refused";
    case ProbeFailure::timeout:
      return "timeout";
    case ProbeFailure::unreachable:
      return "unreachable";
    case ProbeFailure::http_status:
      return "http_status";
    case ProbeFailure::protocol:
      return "protocol";
    case ProbeFailure::auth_required:
      return "auth_required";
    case ProbeFailure::wrong_password:
      return "wrong_password";
    case ProbeFailure::no_password_configured:
      return "no_password_configured";
    case ProbeFailure::unauthorized:
      return "unauthorized";
    case ProbeFailure::rate_limited:
      return "rate_limited";
    case ProbeFailure::model_missing:
      return "model_missing";
    case ProbeFailure::exec_failed:
      return "exec_failed";
    case ProbeFailure::misconfigured:
      return "misconfigured";
  }
  return "unknown";
}

bool is_permanent(ProbeFailure failure) {
  switch (failure) {
    case ProbeFailure::auth_required:
    case ProbeFailure::wrong_password:
    case ProbeFailure::no_password_configured:
    case ProbeFailure::unauthorized:
    case ProbeFailure::model_missing:
    case ProbeFailure::misconfigured:
      return true;
    default:
      return false;
  }
}

ProbeResult run_probe(const stack::Probe& probe, std::chrono::milliseconds timeout) {
  Deadline deadline(timeout);
  ProbeResult result = dispatch(probe, deadline);
  result.took = deadline.elapsed();
  // Every kind already prints URLs masked; this catches a password anywhere else (a server
  // echoing it back, a user name that is really a password).
  result.summary = stack::Redactor(probe_secrets(probe)).redact(std::move(result.summary));
  return result;
}

}  // namespace edgecrew::probe
