// openai (vLLM): GET <root>/health must answer 200, then GET <url>/models must list the
// configured model among data[].id, the names the server answers to (--served-model-name).

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "net/url.h"
#include "probe/probe_kinds.h"

namespace edgecrew::probe::detail {

namespace {

std::string without_trailing_slashes(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// vLLM serves /health beside /v1, not under it.
std::string root_of(const std::string& base) {
  return base.ends_with("/v1") ? base.substr(0, base.size() - 3) : base;
}

std::string quoted_list(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "\"" : ", \"") + name + "\"";
  return out;
}

}  // namespace

ProbeResult probe_openai(const stack::Probe& probe, const Deadline& deadline) {
  std::string base = without_trailing_slashes(probe.url);
  std::string label = "openai " + net::mask_url_password(base);

  std::string health_url = root_of(base) + "/health";
  auto health = net::http_request(request_within("GET", health_url, deadline));
  if (!health) {
    return failed(failure_of(health.error()), fmt::format("{}: {}", label, health.error().message));
  }
  if (health->status != 200) {
    return failed(ProbeFailure::http_status,
                  fmt::format("{}: {} answered HTTP {}, expected 200{}", label,
                              net::mask_url_password(health_url), health->status,
                              body_excerpt(health->body)));
  }

  std::string models_url = base + "/models";
  auto request = request_within("GET", models_url, deadline);
  request.headers.emplace_back("Accept", "application/json");
  auto models = net::http_request(request);
  if (!models) {
    return failed(failure_of(models.error()), fmt::format("{}: {}", label, models.error().message));
  }
  if (models->status == 401) {
    return failed(ProbeFailure::unauthorized,
                  fmt::format("{}: /models answered HTTP 401: the server wants an API key "
                              "(vLLM --api-key), and the probe sends none",
                              label));
  }
  if (models->status != 200) {
    return failed(ProbeFailure::http_status,
                  fmt::format("{}: /models answered HTTP {}, expected 200{}", label, models->status,
                              body_excerpt(models->body)));
  }

  auto doc = nlohmann::json::parse(models->body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("data") || !doc["data"].is_array()) {
    return failed(ProbeFailure::protocol,
                  fmt::format("{}: /models is not an OpenAI model list (no \"data\" array){}",
                              label, body_excerpt(models->body)));
  }
  std::vector<std::string> served;
  for (const auto& entry : doc["data"]) {
    if (entry.is_object() && entry.contains("id") && entry["id"].is_string()) {
      served.push_back(entry["id"].get<std::string>());
    }
  }
  if (probe.model.empty()) return ready(fmt::format("{}: serves {}", label, quoted_list(served)));
  if (std::find(served.begin(), served.end(), probe.model) == served.end()) {
    return failed(ProbeFailure::model_missing,
                  fmt::format("{}: model \"{}\" is not served; the server serves {} (the "
                              "probe's model, VLLM_MODEL, must be one of these names)",
                              label, probe.model, quoted_list(served)));
  }
  return ready(fmt::format("{}: serves \"{}\"", label, probe.model));
}

}  // namespace edgecrew::probe::detail
