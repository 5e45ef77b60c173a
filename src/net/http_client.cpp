#include "net/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>

#include "net/base64.h"
#include "net/url.h"
#include "util/clock.h"

namespace edgecrew::net {

namespace {

// curl_global_init is not thread-safe; a function-local static runs it exactly once even when
// the first requests come from several threads at once. curl_global_cleanup is never called:
// requests may run until the process exits.
CURLcode curl_initialized() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  return code;
}

struct CurlFree {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// Where the body goes as it arrives: false stops the transfer.
using BodySink = std::function<bool(std::string_view)>;

struct Transfer {
  BodySink sink;
  HttpResponse* response = nullptr;
  bool answered = false;  // a status line arrived: the connection was made
  int status = 0;         // of the last status line
  const std::function<bool()>* cancelled = nullptr;  // streaming: asked about once a second
};

// "HTTP/1.1 200 OK" → 200; 0 when the line has no code.
int status_of(std::string_view line) {
  auto space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  int code = 0;
  for (std::size_t i = space + 1; i < line.size() && i < space + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    code = code * 10 + (line[i] - '0');
  }
  return code;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  // Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
  return transfer->cancelled != nullptr && *transfer->cancelled && (*transfer->cancelled)() ? 1 : 0;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  // Returning less than n makes curl stop with CURLE_WRITE_ERROR.
  return transfer->sink(std::string_view(data, n)) ? n : 0;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // Each response starts with a status line; only the last one's headers are kept
    // (a "100 Continue" comes before the real answer).
    transfer->answered = true;
    transfer->status = status_of(line);
    transfer->response->headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    transfer->response->headers.emplace_back(trimmed(line.substr(0, colon)),
                                             trimmed(line.substr(colon + 1)));
  }
  return size * count;
}

// What a message names as the peer: the unix socket, or host:port.
std::string peer_of(const HttpRequest& request) {
  if (!request.unix_socket.empty()) return "unix socket " + request.unix_socket;
  auto url = parse_url(request.url);
  if (!url) return mask_url_password(request.url);
  std::uint16_t port = url->port.value_or(url->scheme == "https" ? 443 : 80);
  return host_port(url->host, port);
}

Error transfer_error(CURL* handle, CURLcode code, const Transfer& transfer,
                     const HttpRequest& request, const char* detail, const Deadline& clock) {
  std::string target = fmt::format("{} {}", request.method, mask_url_password(request.url));
  std::string peer = peer_of(request);
  long os_errno = 0;
  curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
  std::string why = detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t connect_us = 0;
      curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connect_us);
      bool connected = connect_us > 0 || transfer.answered;
      if (!connected) {
        return Error{ErrorKind::timeout, fmt::format("timed out after {} ms connecting to {} ({})",
                                                     clock.elapsed().count(), peer, target)};
      }
      return Error{ErrorKind::timeout,
                   fmt::format("timed out after {} ms waiting for the response to {} from {}",
                               clock.elapsed().count(), target, peer)};
    }
    case CURLE_COULDNT_CONNECT:
      switch (os_errno) {
        case ECONNREFUSED:
          return Error{
              ErrorKind::unavailable,
              fmt::format("connection refused by {}: nothing listens there ({})", peer, target)};
        case ENOENT:
          return Error{ErrorKind::unavailable, fmt::format("no {} ({})", peer, target)};
        case EACCES:
        case EPERM:
          return Error{ErrorKind::permission_denied,
                       fmt::format("permission denied connecting to {} ({})", peer, target)};
        case ENETUNREACH:
        case EHOSTUNREACH:
          return Error{ErrorKind::not_found,
                       fmt::format("{} is unreachable: {} ({})", peer,
                                   std::strerror(static_cast<int>(os_errno)), target)};
        default:
          return Error{ErrorKind::io,
                       fmt::format("cannot connect to {}: {} ({})", peer, why, target)};
      }
    case CURLE_COULDNT_RESOLVE_HOST:
      return Error{ErrorKind::not_found, fmt::format("{}: {}", target, why)};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error{ErrorKind::invalid_input, fmt::format("{}: {}", target, why)};
    default:
      return Error{ErrorKind::io, fmt::format("{} ({}): {}", target, peer, why)};
  }
}

// Runs the request, handing the body to transfer.sink; `response` gets the status and headers.
// `stream`: the overall timeout does not apply (a follow may stay idle), cancellation does, and a
// sink that returns false ends the transfer without an error.
Result<HttpResponse> perform(const HttpRequest& request, HttpResponse& response, Transfer& transfer,
                             bool stream, const bool& too_large) {
  if (CURLcode init = curl_initialized(); init != CURLE_OK) {
    return Error{ErrorKind::internal,
                 fmt::format("cannot initialise libcurl: {}", curl_easy_strerror(init))};
  }
  std::unique_ptr<CURL, CurlFree> handle(curl_easy_init());
  if (!handle) return Error{ErrorKind::internal, "cannot create a libcurl handle"};
  CURL* h = handle.get();

  transfer.response = &response;
  std::unique_ptr<curl_slist, CurlFree> headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) {
      (void)headers.release();
      headers.reset(grown);
    }
  };
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
  // No "Expect: 100-continue": curl would wait up to a second for it before sending a large body.
  add_header("Expect:");

  char error_detail[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Only HTTP: a file:// or other URL from a stack file must not reach another protocol.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  // No signals (curl would use SIGALRM for DNS timeouts): requests run on many threads.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  // Probes and the engine socket are local: an http_proxy in the environment must not reroute
  // them.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  if (!request.unix_socket.empty()) {
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  if (!stream) {
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  } else {
    // No overall limit, but the caller may end an idle stream: curl calls this about once a
    // second while nothing arrives.
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_detail);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    // POSTFIELDS sends the body (and makes the request a POST unless CUSTOMREQUEST says other).
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  Deadline clock(request.timeout);
  CURLcode code = curl_easy_perform(h);
  if (code == CURLE_WRITE_ERROR && too_large) {
    return Error{ErrorKind::io,
                 fmt::format("{} {}: the response is larger than {} bytes", request.method,
                             mask_url_password(request.url), request.max_response_bytes)};
  }
  bool stopped_by_caller =
      stream && (code == CURLE_ABORTED_BY_CALLBACK || (code == CURLE_WRITE_ERROR && !too_large));
  if (code != CURLE_OK && !stopped_by_caller)
    return transfer_error(h, code, transfer, request, error_detail, clock);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return &value;
    }
  }
  return nullptr;
}

Result<HttpResponse> http_request(const HttpRequest& request) {
  HttpResponse response;
  bool too_large = false;
  Transfer transfer;
  transfer.sink = [&](std::string_view chunk) {
    if (response.body.size() + chunk.size() > request.max_response_bytes) {
      too_large = true;
      return false;
    }
    response.body.append(chunk);
    return true;
  };
  return perform(request, response, transfer, false, too_large);
}

Result<HttpResponse> http_stream(const HttpRequest& request, const HttpChunkSink& sink,
                                 const std::function<bool()>& cancelled) {
  HttpResponse response;
  bool too_large = false;
  Transfer transfer;
  transfer.cancelled = &cancelled;
  transfer.sink = [&](std::string_view chunk) {
    // An error answer is kept whole for its message; a success streams to the caller.
    if (transfer.status >= 200 && transfer.status < 300) return sink(chunk);
    if (response.body.size() + chunk.size() > request.max_response_bytes) {
      too_large = true;
      return false;
    }
    response.body.append(chunk);
    return true;
  };
  return perform(request, response, transfer, true, too_large);
}

std::pair<std::string, std::string> basic_auth_header(std::string_view user,
                                                      std::string_view password) {
  std::string credentials = std::string(user) + ":" + std::string(password);
  return {"Authorization", "Basic " + base64_encode(credentials)};
}

}  // namespace edgecrew::net
