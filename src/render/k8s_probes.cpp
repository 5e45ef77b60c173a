#include "render/k8s_probes.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "util/strings.h"

namespace edgecrew::render::k8s {

namespace {

using json = nlohmann::ordered_json;
using stack::Probe;

// After the startup probe has passed.
constexpr int k_readiness_period_seconds = 5;
constexpr int k_readiness_failures = 3;
constexpr int k_liveness_period_seconds = 10;
constexpr int k_liveness_failures = 6;
constexpr int k_native_timeout_seconds = 5;

struct Url {
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/";
};

std::uint16_t default_port(const std::string& scheme) {
  static const std::map<std::string, std::uint16_t> ports = {
      {"http", 80},      {"https", 443},     {"redis", 6379},    {"rediss", 6379},
      {"bolt", 7687},    {"bolt+s", 7687},   {"bolt+ssc", 7687}, {"neo4j", 7687},
      {"neo4j+s", 7687}, {"neo4j+ssc", 7687}};
  auto it = ports.find(scheme);
  return it == ports.end() ? 0 : it->second;
}

// scheme://[user[:password]@]host[:port][/path]; the loader checked the scheme.
Url parse_url(std::string_view text) {
  Url url;
  std::size_t colon_slashes = text.find("://");
  if (colon_slashes == std::string_view::npos) return url;
  url.scheme = to_lower(text.substr(0, colon_slashes));
  std::string_view rest = text.substr(colon_slashes + 3);
  std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && rest[slash] != '#') {
    url.path = std::string(rest.substr(slash, rest.find('#', slash) - slash));
    if (url.path.front() == '?') url.path.insert(0, "/");
  }
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::size_t port_colon = authority.rfind(':');
  if (port_colon != std::string_view::npos &&
      authority.find(']', port_colon) == std::string_view::npos) {
    std::string_view digits = authority.substr(port_colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && end == digits.data() + digits.size() && value <= 65535) {
      url.port = static_cast<std::uint16_t>(value);
    }
    authority = authority.substr(0, port_colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  url.host = std::string(authority);
  if (url.port == 0) url.port = default_port(url.scheme);
  return url;
}

bool host_network(const stack::Service& s) {
  return s.network_mode == stack::NetworkMode::host;
}

// On the host network the kubelet reaches the container where edgecrew's probe does: at the
// probe's host (a service bound to 127.0.0.1 is reachable only there); elsewhere at the pod IP.
void add_host(json& handler, const stack::Service& s, const std::string& host) {
  if (host_network(s) && !host.empty()) handler["host"] = host;
}

json http_get(const stack::Service& s, const Url& url, std::string path,
              const ServiceSecrets& secrets, std::vector<std::string>& notes) {
  // The kubelet sends no credentials; a token in the query would only put it in the manifest.
  if (secrets.holds_secret(path)) {
    path = path.substr(0, path.find('?'));
    notes.emplace_back("the probe URL's query holds a secret and is left out of the probe");
  }
  json h = {{"path", path}, {"port", container_port_for(s, url.port)}};
  add_host(h, s, url.host);
  if (url.scheme == "https") h["scheme"] = "HTTPS";
  return json{{"httpGet", std::move(h)}};
}

json tcp_socket(const stack::Service& s, const std::string& host, std::uint16_t port) {
  json h = {{"port", container_port_for(s, port)}};
  add_host(h, s, host);
  return json{{"tcpSocket", std::move(h)}};
}

json native_handler(const stack::Service& s, const Probe& p, const ServiceSecrets& secrets,
                    std::vector<std::string>& notes) {
  switch (p.kind) {
    case Probe::Kind::http: {
      Url url = parse_url(p.url);
      return http_get(s, url, url.path, secrets, notes);
    }
    case Probe::Kind::openai:
      // vLLM's /health answers once the model is loaded; /v1/models needs no probe of its own.
      return http_get(s, parse_url(p.url), "/health", secrets, notes);
    case Probe::Kind::tcp:
      return tcp_socket(s, p.host, p.port);
    case Probe::Kind::redis: {
      // AUTH + PING would need the password in the manifest; the port open is what is left.
      Url url = parse_url(p.url);
      return tcp_socket(s, url.host, url.port);
    }
    case Probe::Kind::neo4j:
      if (!p.bolt.empty()) {
        Url url = parse_url(p.bolt);
        return tcp_socket(s, url.host, url.port);
      }
      return http_get(s, parse_url(p.http), parse_url(p.http).path, secrets, notes);
  }
  return nullptr;
}

int seconds(stack::Duration d) {
  return std::max(1, static_cast<int>((d.count() + 999) / 1000));
}

json timed(json handler, int period, int timeout, int failures) {
  handler["periodSeconds"] = period;
  handler["timeoutSeconds"] = timeout;
  handler["failureThreshold"] = failures;
  return handler;
}

// CMD → the arguments; CMD-SHELL → /bin/sh -c; a secret inside goes through the shell as ${VAR}.
json exec_handler(const stack::Healthcheck& h, const ServiceSecrets& secrets,
                  std::vector<std::string>& notes) {
  std::vector<std::string> command;
  if (h.shell) {
    command = {std::string(stack::k_healthcheck_shell), "-c", secrets.for_shell(h.argv.front())};
  } else if (std::any_of(h.argv.begin(), h.argv.end(),
                         [&](const auto& a) { return secrets.holds_secret(a); })) {
    std::vector<std::string> words;
    for (const auto& a : h.argv) words.push_back(secrets.shell_word(a));
    command = {std::string(stack::k_healthcheck_shell), "-c", "exec " + join(words, " ")};
  } else {
    command = h.argv;
  }
  if (std::any_of(h.argv.begin(), h.argv.end(),
                  [&](const auto& t) { return secrets.holds_secret(t); })) {
    notes.emplace_back(
        "the healthcheck reads its secrets from the container's environment through /bin/sh");
  }
  return json{{"exec", {{"command", std::move(command)}}}};
}

}  // namespace

const stack::Healthcheck* exec_healthcheck(const stack::Service& service) {
  if (service.probe || !service.healthcheck || service.healthcheck->disabled()) return nullptr;
  return &*service.healthcheck;
}

std::uint16_t container_port_for(const stack::Service& service, std::uint16_t host_port) {
  if (host_network(service)) return host_port;
  for (const auto& p : service.ports) {
    if (p.published && p.host_port == host_port) return p.container_port;
  }
  return host_port;
}

std::vector<std::uint16_t> probe_ports(const stack::Service& service) {
  std::vector<std::uint16_t> ports;
  if (!service.probe) return ports;
  const Probe& p = *service.probe;
  auto add = [&](std::uint16_t host_port) {
    std::uint16_t port = container_port_for(service, host_port);
    if (port != 0 && std::find(ports.begin(), ports.end(), port) == ports.end())
      ports.push_back(port);
  };
  switch (p.kind) {
    case Probe::Kind::http:
    case Probe::Kind::openai:
    case Probe::Kind::redis:
      add(parse_url(p.url).port);
      break;
    case Probe::Kind::tcp:
      add(p.port);
      break;
    case Probe::Kind::neo4j:
      if (!p.http.empty()) add(parse_url(p.http).port);
      if (!p.bolt.empty()) add(parse_url(p.bolt).port);
      break;
  }
  return ports;
}

ContainerProbes container_probes(const stack::Service& service, const ServiceSecrets& secrets,
                                 std::vector<std::string>& notes) {
  ContainerProbes out;
  if (service.probe) {
    json handler = native_handler(service, *service.probe, secrets, notes);
    int startup_failures =
        service.probe->kind == Probe::Kind::openai ? k_model_startup_failures : k_startup_failures;
    out.startup =
        timed(handler, k_startup_period_seconds, k_native_timeout_seconds, startup_failures);
    out.readiness =
        timed(handler, k_readiness_period_seconds, k_native_timeout_seconds, k_readiness_failures);
    out.liveness =
        timed(handler, k_liveness_period_seconds, k_native_timeout_seconds, k_liveness_failures);
    return out;
  }
  const stack::Healthcheck* h = exec_healthcheck(service);
  if (h == nullptr) return out;
  json handler = exec_handler(*h, secrets, notes);
  int timeout = seconds(h->timeout);
  out.startup = timed(handler, k_startup_period_seconds, timeout, k_startup_failures);
  json checked = handler;
  if (h->start_period.count() > 0) checked["initialDelaySeconds"] = seconds(h->start_period);
  out.readiness = timed(checked, seconds(h->interval), timeout, std::max(1, h->retries));
  out.liveness = out.readiness;
  return out;
}

}  // namespace edgecrew::render::k8s
