// neo4j: over HTTP, the discovery document at / must be Neo4j's (JSON with a bolt_* key) and
// "RETURN 1" through the transactional endpoint must succeed with the probe's credentials; over
// Bolt, the handshake must agree on a version. Both must pass when both endpoints are set. Auth
// failures are told apart from "not up": a refused password and a rate limit each have their own
// failure.

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "net/tcp.h"
#include "net/url.h"
#include "probe/bolt_handshake.h"
#include "probe/probe_kinds.h"

namespace edgecrew::probe::detail {

namespace {

// Neo4j 4 and 5 create this database; the transactional endpoint is per database.
constexpr std::string_view k_database = "neo4j";
constexpr std::string_view k_unauthorized = "Neo.ClientError.Security.Unauthorized";
constexpr std::string_view k_rate_limited = "Neo.ClientError.Security.AuthenticationRateLimit";
constexpr std::uint16_t k_bolt_default_port = 7687;
// The user Neo4j creates (NEO4J_AUTH=neo4j/PASSWORD), when the probe names none.
constexpr std::string_view k_default_user = "neo4j";

std::string without_trailing_slashes(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  return url;
}

struct Neo4jError {
  std::string code;
  std::string message;
};

// The first entry of the "errors" array Neo4j puts in every transactional response.
std::optional<Neo4jError> first_error(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array() ||
      doc["errors"].empty()) {
    return std::nullopt;
  }
  const auto& e = doc["errors"].front();
  Neo4jError out;
  if (e.is_object() && e.contains("code") && e["code"].is_string()) out.code = e["code"];
  if (e.is_object() && e.contains("message") && e["message"].is_string()) {
    out.message = e["message"];
  }
  return out;
}

// GET / with Accept: application/json answers the discovery document (a browser gets a redirect
// to /browser/ instead).
std::optional<ProbeResult> check_discovery(const std::string& base, const std::string& label,
                                           const Deadline& deadline,
                                           std::vector<std::string>& details) {
  auto request = request_within("GET", base + "/", deadline);
  request.headers.emplace_back("Accept", "application/json");
  auto response = net::http_request(request);
  if (!response) {
    return failed(failure_of(response.error()),
                  fmt::format("{}: {}", label, response.error().message));
  }
  if (response->status != 200) {
    return failed(ProbeFailure::http_status,
                  fmt::format("{}: the discovery document (GET /) answered HTTP {}, expected 200{}",
                              label, response->status, body_excerpt(response->body)));
  }
  auto doc = nlohmann::json::parse(response->body, nullptr, false);
  bool has_bolt = false;
  if (doc.is_object()) {
    for (const auto& [key, value] : doc.items()) has_bolt = has_bolt || key.starts_with("bolt");
  }
  if (!has_bolt) {
    return failed(ProbeFailure::protocol,
                  fmt::format("{}: GET / is not Neo4j's discovery document (no bolt_* key){}",
                              label, body_excerpt(response->body)));
  }
  if (doc.contains("neo4j_version") && doc["neo4j_version"].is_string()) {
    std::string about = "Neo4j " + doc["neo4j_version"].get<std::string>();
    if (doc.contains("neo4j_edition") && doc["neo4j_edition"].is_string()) {
      about += " " + doc["neo4j_edition"].get<std::string>();
    }
    details.push_back(about);
  }
  return std::nullopt;
}

std::optional<ProbeResult> check_transaction(const stack::Probe& probe, const std::string& base,
                                             const std::string& label, const Deadline& deadline,
                                             std::vector<std::string>& details) {
  std::string user = probe.user.empty() ? std::string(k_default_user) : probe.user;
  auto request =
      request_within("POST", fmt::format("{}/db/{}/tx/commit", base, k_database), deadline);
  request.headers = {{"Content-Type", "application/json"},
                     {"Accept", "application/json;charset=UTF-8"},
                     net::basic_auth_header(user, probe.password)};
  request.body = R"({"statements":[{"statement":"RETURN 1"}]})";
  auto response = net::http_request(request);
  if (!response) {
    return failed(failure_of(response.error()),
                  fmt::format("{}: {}", label, response.error().message));
  }
  auto doc = nlohmann::json::parse(response->body, nullptr, false);
  auto error = first_error(doc);
  std::string said = error ? fmt::format(" ({}: {})", error->code, error->message) : std::string();
  if (error && error->code == k_rate_limited) {
    return failed(ProbeFailure::rate_limited,
                  fmt::format("{}: too many failed logins{}; back off for a few seconds before "
                              "the next attempt, and check the password if it persists",
                              label, said));
  }
  bool security_error = error && error->code.starts_with("Neo.ClientError.Security.");
  if (response->status == 401 || response->status == 403 || security_error) {
    std::string why = (!error || error->code == k_unauthorized)
                          ? "the probe's password does not match the database's (NEO4J_AUTH "
                            "sets it only when the data volume is first created)"
                          : "the user may not run queries";
    return failed(ProbeFailure::unauthorized,
                  fmt::format("{}: user \"{}\" was refused{}: {}", label, user, said, why));
  }
  if (response->status != 200) {
    return failed(
        ProbeFailure::http_status,
        fmt::format("{}: POST /db/{}/tx/commit answered HTTP {}, expected 200{}", label, k_database,
                    response->status, error ? said : body_excerpt(response->body)));
  }
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) {
    return failed(ProbeFailure::protocol,
                  fmt::format("{}: the transaction answer has no \"errors\" array{}", label,
                              body_excerpt(response->body)));
  }
  if (error) {
    return failed(ProbeFailure::protocol, fmt::format("{}: RETURN 1 failed{}", label, said));
  }
  details.emplace_back("RETURN 1 ok");
  return std::nullopt;
}

std::optional<ProbeResult> check_bolt(const std::string& bolt, const std::string& label,
                                      const Deadline& deadline, std::vector<std::string>& details) {
  auto url = net::parse_url(bolt);
  if (!url)
    return failed(ProbeFailure::misconfigured, fmt::format("{}: {}", label, url.error().message));
  if (url->scheme.find('+') != std::string::npos) {
    return failed(ProbeFailure::misconfigured,
                  fmt::format("{}: TLS ({}://) is not supported by the Bolt probe; probe the "
                              "plain port with bolt://",
                              label, url->scheme));
  }
  if (url->scheme != "bolt" && url->scheme != "neo4j") {
    return failed(ProbeFailure::misconfigured,
                  fmt::format("{}: expected a bolt:// or neo4j:// URL", label));
  }
  std::string address = net::host_port(url->host, url->port.value_or(k_bolt_default_port));
  auto fd =
      net::tcp_connect(url->host, url->port.value_or(k_bolt_default_port), deadline.remaining());
  if (!fd) return failed(failure_of(fd.error()), fmt::format("{}: {}", label, fd.error().message));
  auto sent = net::send_all(fd->get(), bolt_handshake_request(), deadline,
                            "the Bolt handshake to " + address);
  if (!sent) {
    return failed(failure_of(sent.error()), fmt::format("{}: {}", label, sent.error().message));
  }
  auto reply = net::recv_exact(fd->get(), k_bolt_reply_size, deadline,
                               "the Bolt handshake answer from " + address);
  if (!reply) {
    return failed(failure_of(reply.error()), fmt::format("{}: {}", label, reply.error().message));
  }
  auto version = parse_bolt_reply(*reply);
  if (!version) {
    return failed(ProbeFailure::protocol,
                  fmt::format("{}: {}: {}", label, address, version.error().message));
  }
  details.push_back(fmt::format("bolt {}.{}", version->major, version->minor));
  return std::nullopt;
}

}  // namespace

ProbeResult probe_neo4j(const stack::Probe& probe, const Deadline& deadline) {
  std::string base = without_trailing_slashes(probe.http);
  std::vector<std::string> endpoints;
  if (!base.empty()) endpoints.push_back(net::mask_url_password(base));
  if (!probe.bolt.empty()) endpoints.push_back(net::mask_url_password(probe.bolt));
  std::string label = "neo4j";
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    label += (i == 0 ? " " : " + ") + endpoints[i];
  }
  if (endpoints.empty()) {
    return failed(ProbeFailure::misconfigured, label + ": the probe needs an http or bolt URL");
  }

  std::vector<std::string> details;
  if (!base.empty()) {
    if (auto failure = check_discovery(base, label, deadline, details)) return *failure;
    if (auto failure = check_transaction(probe, base, label, deadline, details)) return *failure;
  }
  if (!probe.bolt.empty()) {
    if (auto failure = check_bolt(probe.bolt, label, deadline, details)) return *failure;
  }
  std::string about;
  for (const auto& d : details) about += (about.empty() ? "" : ", ") + d;
  return ready(fmt::format("{}: ready ({})", label, about));
}

}  // namespace edgecrew::probe::detail
