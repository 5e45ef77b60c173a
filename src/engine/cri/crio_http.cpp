#include "engine/cri/crio_http.h"

#include <nlohmann/json.hpp>

#include "net/http_client.h"

namespace edgecrew::engine::cri {

namespace {

// The body of a 200 answer to GET `path`; nullopt when the peer is not CRI-O (it answers with
// something else than HTTP/1.x 200, or drops the connection after it was made).
Result<std::optional<std::string>> crio_get(const std::string& socket, const std::string& path,
                                            std::chrono::milliseconds timeout) {
  net::HttpRequest request;
  request.url = "http://crio" + path;
  request.unix_socket = socket;
  request.connect_timeout = timeout;
  request.timeout = timeout;
  auto response = net::http_request(request);
  if (!response) {
    const ErrorKind kind = response.error().kind;
    if (kind == ErrorKind::unavailable || kind == ErrorKind::permission_denied ||
        kind == ErrorKind::not_found) {
      return response.error();
    }
    return std::optional<std::string>();  // connected, but no HTTP/1.x: a gRPC-only runtime
  }
  if (response->status != 200) return std::optional<std::string>();
  return std::optional<std::string>(std::move(response->body));
}

}  // namespace

Result<std::optional<CrioInfo>> crio_info(const std::string& socket,
                                          std::chrono::milliseconds timeout) {
  auto body = crio_get(socket, "/info", timeout);
  if (!body) return body.error();
  if (!*body) return std::optional<CrioInfo>();
  auto doc = nlohmann::json::parse(**body, nullptr, false);
  if (!doc.is_object()) return std::optional<CrioInfo>();
  auto text = [&doc](const char* key) {
    auto found = doc.find(key);
    return found != doc.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  CrioInfo info{text("storage_driver"), text("storage_root"), text("cgroup_driver"), **body};
  return std::optional<CrioInfo>(std::move(info));
}

Result<std::optional<std::string>> crio_config(const std::string& socket,
                                               std::chrono::milliseconds timeout) {
  return crio_get(socket, "/config", timeout);
}

}  // namespace edgecrew::engine::cri
