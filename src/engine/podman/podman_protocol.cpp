#include "engine/podman/podman_protocol.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "util/strings.h"

namespace edgecrew::engine::podman {

namespace {

constexpr std::size_t k_frame_header_bytes = 8;
// Go's zero time.Time: what Podman writes for a container that never started.
constexpr int k_go_zero_year = 1;

}  // namespace

Result<std::vector<StreamFrame>> demultiplex(std::string_view body) {
  std::vector<StreamFrame> frames;
  std::size_t at = 0;
  while (at < body.size()) {
    if (body.size() - at < k_frame_header_bytes) {
      return Error{ErrorKind::io,
                   fmt::format("the stream ends inside a frame header at byte {}", at)};
    }
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(body[at + i]); };
    const std::uint32_t size = (std::uint32_t{byte(4)} << 24) | (std::uint32_t{byte(5)} << 16) |
                               (std::uint32_t{byte(6)} << 8) | std::uint32_t{byte(7)};
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) {
      return Error{ErrorKind::io,
                   fmt::format("not a multiplexed stream: bad frame header at byte {}", at)};
    }
    const int stream = byte(0) == 2 ? 2 : 1;
    at += k_frame_header_bytes;
    if (body.size() - at < size) {
      return Error{ErrorKind::io, fmt::format("the stream ends inside a frame of {} bytes", size)};
    }
    frames.push_back({stream, std::string(body.substr(at, size))});
    at += size;
  }
  return frames;
}

Result<bool> FrameDecoder::feed(std::string_view piece,
                                const std::function<bool(StreamFrame)>& on_frame) {
  m_buffer.append(piece);
  std::size_t at = 0;
  bool go_on = true;
  while (go_on && m_buffer.size() - at >= k_frame_header_bytes) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(m_buffer[at + i]); };
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) {
      return Error{ErrorKind::io, "not a multiplexed stream: bad frame header"};
    }
    const std::uint32_t size = (std::uint32_t{byte(4)} << 24) | (std::uint32_t{byte(5)} << 16) |
                               (std::uint32_t{byte(6)} << 8) | std::uint32_t{byte(7)};
    if (m_buffer.size() - at - k_frame_header_bytes < size) break;  // the rest comes later
    StreamFrame frame{byte(0) == 2 ? 2 : 1, m_buffer.substr(at + k_frame_header_bytes, size)};
    at += k_frame_header_bytes + size;
    go_on = on_frame(std::move(frame));
  }
  m_buffer.erase(0, at);
  return go_on;
}

bool container_is_gone(const net::HttpResponse& response) {
  if (response.status == 404) return true;
  if (response.status != 500) return false;
  const std::string body = to_lower(response.body.substr(0, 2'000));
  for (std::string_view words :
       {"no such container", "does not exist in database", "no container with name or id"}) {
    if (body.find(words) != std::string::npos) return true;
  }
  return false;
}

bool network_in_use(const net::HttpResponse& response) {
  if (response.status == 409) return true;
  if (response.status != 500) return false;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  return !body.is_discarded() && body.is_object() &&
         json_string(body, "cause") == "network is being used";
}

Error api_error(const net::HttpResponse& response, const std::string& what) {
  ErrorKind kind = ErrorKind::io;
  if (container_is_gone(response)) kind = ErrorKind::not_found;
  if (response.status == 401 || response.status == 403) kind = ErrorKind::permission_denied;
  if (response.status == 400 || response.status == 409) kind = ErrorKind::invalid_input;
  std::string detail;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object()) {
    const std::string cause = json_string(body, "cause");
    const std::string message = json_string(body, "message");
    detail = message;
    // libpod's message usually ends with the cause already; say it once.
    if (!cause.empty() && message.find(cause) == std::string::npos) {
      detail = detail.empty() ? cause : fmt::format("{} ({})", message, cause);
    }
  }
  if (detail.empty()) detail = trim_body(response.body.substr(0, 300));
  return Error{kind, fmt::format("{}: Podman answered HTTP {}: {}", what, response.status, detail)};
}

Result<nlohmann::json> parse_body(const net::HttpResponse& response, const std::string& what) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) {
    return Error{ErrorKind::io, fmt::format("{}: Podman answered with something that is not JSON: "
                                            "{:.200}",
                                            what, response.body)};
  }
  return parsed;
}

std::string query_escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string json_string(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::int64_t json_int(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  // Out of range (a float like 1e73, an unsigned above 2^63): the nearest value that fits.
  constexpr auto k_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto k_min = std::numeric_limits<std::int64_t>::min();
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (std::isnan(d)) return 0;
    if (d >= 9223372036854775808.0) return k_max;
    if (d < -9223372036854775808.0) return k_min;
    return static_cast<std::int64_t>(d);
  }
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(k_max) ? k_max : static_cast<std::int64_t>(u);
  }
  return it->get<std::int64_t>();
}

bool json_bool(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

nlohmann::json json_object(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object()) return nlohmann::json::object();
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return nlohmann::json::object();
  return *it;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  if (tm.tm_year <= k_go_zero_year) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::size_t at = 19;
  std::chrono::nanoseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    std::int64_t scale = 100'000'000;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
      fraction += std::chrono::nanoseconds((text[at] - '0') * scale);
      scale /= 10;
    }
  }
  std::chrono::seconds offset{0};
  if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(text.c_str() + at + 1, "%2d:%2d", &hours, &minutes) != 2) return std::nullopt;
    offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
    if (text[at] == '-') offset = -offset;
  } else if (at >= text.size() || text[at] != 'Z') {
    return std::nullopt;
  }
  const std::time_t utc = ::timegm(&tm);
  return std::chrono::system_clock::from_time_t(utc) - offset +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

std::string trim_body(std::string_view text) {
  return trim(text);
}

std::optional<PullMessage> parse_pull_message(std::string_view line) {
  const nlohmann::json item = nlohmann::json::parse(line, nullptr, false);
  if (item.is_discarded() || !item.is_object()) return std::nullopt;
  PullMessage message;
  message.error = json_string(item, "error");
  if (message.error.empty())
    message.error = json_string(json_object(item, "errorDetail"), "message");
  message.error = trim_body(message.error);
  message.progress.layer = json_string(item, "id");
  message.progress.status = trim_body(json_string(item, "status"));
  // Podman's libpod pull writes {"stream": "..."} lines instead: the same place for a display.
  if (message.progress.status.empty())
    message.progress.status = trim_body(json_string(item, "stream"));
  const nlohmann::json detail = json_object(item, "progressDetail");
  message.progress.current = json_int(detail, "current");
  message.progress.total = json_int(detail, "total");
  return message;
}

bool LineSplitter::feed(std::string_view piece,
                        const std::function<bool(std::string_view line)>& on_line) {
  m_buffer.append(piece);
  std::size_t begin = 0;
  bool more = true;
  for (std::size_t nl; more && (nl = m_buffer.find('\n', begin)) != std::string::npos;
       begin = nl + 1) {
    more = on_line(std::string_view(m_buffer).substr(begin, nl - begin));
  }
  m_buffer.erase(0, begin);
  return more;
}

PullReference split_reference(std::string_view reference) {
  // A digest follows '@'; a tag follows the last ':' after the last '/' (a ':' before it
  // belongs to the registry's port).
  if (auto at = reference.find('@'); at != std::string_view::npos) {
    return {std::string(reference.substr(0, at)), std::string(reference.substr(at + 1))};
  }
  const std::size_t slash = reference.rfind('/');
  const std::size_t colon = reference.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    return {std::string(reference.substr(0, colon)), std::string(reference.substr(colon + 1))};
  }
  return {std::string(reference), "latest"};
}

std::string build_query(const stack::Build& build, const std::string& tag,
                        const std::string& dockerfile) {
  // layers=true: libpod's REST build keeps no intermediate layers unless asked (`podman build`
  // and compose's builds do), and without them every rebuild makes a new image id, so `up --build`
  // would recreate services whose context did not change.
  std::string q =
      "dockerfile=" + query_escape(dockerfile) + "&t=" + query_escape(tag) + "&rm=true&layers=true";
  if (!build.args.empty()) {
    q += "&buildargs=" + query_escape(nlohmann::json(build.args).dump());
  }
  if (!build.labels.empty()) {
    q += "&labels=" + query_escape(nlohmann::json(build.labels).dump());
  }
  if (!build.target.empty()) q += "&target=" + query_escape(build.target);
  if (!build.network.empty()) q += "&networkmode=" + query_escape(build.network);
  if (build.no_cache) q += "&nocache=true";
  if (build.pull) q += "&pullpolicy=always";
  return q;
}

void BuildLog::line(std::string_view text, const LineSink& on_line) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.starts_with("STEP ") || text.starts_with("Step ")) {
    m_step = std::string(text);
    m_step_output.clear();
  } else if (!m_step.empty()) {
    if (m_step_output.size() == k_kept) m_step_output.erase(m_step_output.begin());
    m_step_output.emplace_back(text);
  }
  if (on_line) on_line(text);
}

void BuildLog::feed(std::string_view json_line, const LineSink& on_line) {
  const nlohmann::json item = nlohmann::json::parse(json_line, nullptr, false);
  if (item.is_discarded() || !item.is_object()) return;
  std::string error = json_string(item, "error");
  if (error.empty()) error = json_string(json_object(item, "errorDetail"), "message");
  if (!error.empty() && m_error.empty()) m_error = trim_body(error);
  m_partial += json_string(item, "stream");
  std::size_t begin = 0;
  for (std::size_t nl; (nl = m_partial.find('\n', begin)) != std::string::npos; begin = nl + 1) {
    line(std::string_view(m_partial).substr(begin, nl - begin), on_line);
  }
  m_partial.erase(0, begin);
}

void BuildLog::finish(const LineSink& on_line) {
  if (!m_partial.empty()) line(m_partial, on_line);
  m_partial.clear();
}

}  // namespace edgecrew::engine::podman
