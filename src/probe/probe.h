#pragma once
// Readiness measured natively from outside the container: one attempt (run_probe) and waiting
// for the first success (poll_probe). A failed probe is data, not an error: its failure kind
// tells the caller whether waiting can help, and its summary is one line a person reads, with no
// password in it.

#include <chrono>
#include <functional>
#include <string>

#include "stack/model.h"

namespace edgecrew::probe {

// One attempt's budget when the caller has none of its own (Compose healthchecks bring theirs).
inline constexpr std::chrono::milliseconds k_default_probe_timeout{5000};

enum class ProbeFailure {
  none,
  refused,         // nothing listens at the address (yet)
  timeout,         // nothing answered in time; the summary says what was awaited
  unreachable,     // the name does not resolve or no route to the host
  http_status,     // an HTTP status other than the one expected
  protocol,        // an answer, but not the expected one (garbage, a server error, no Bolt version)
  auth_required,   // Redis NOAUTH: the server wants a password, the URL has none
  wrong_password,  // Redis WRONGPASS / invalid password
  no_password_configured,  // Redis: AUTH sent, but the server has no password
  unauthorized,            // Neo4j (or vLLM's --api-key): the credentials were refused
  rate_limited,            // Neo4j AuthenticationRateLimit: back off before the next attempt
  model_missing,           // OpenAI API: the configured model is not among those served
  exec_failed,             // a healthcheck command through the engine failed
  misconfigured,           // the probe itself cannot be used (a bad URL, rediss://)
};

const char* to_string(ProbeFailure failure);

// Failures that another attempt will not change (a wrong password, a model that is not served):
// waiting for readiness stops at the first one.
bool is_permanent(ProbeFailure failure);

struct ProbeResult {
  bool ready = false;
  ProbeFailure failure = ProbeFailure::none;
  std::string summary;  // "redis 127.0.0.1:6379: PONG"
  std::chrono::milliseconds took{0};
};

// One attempt, all of it (connects, requests, handshakes) within `timeout`. Never throws.
ProbeResult run_probe(const stack::Probe& probe,
                      std::chrono::milliseconds timeout = k_default_probe_timeout);

}  // namespace edgecrew::probe
