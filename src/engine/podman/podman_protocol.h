#pragma once
// Wire details of the libpod API that the engine parses: Docker's multiplexed stream, error
// bodies, query escaping, tolerant JSON field access and RFC 3339 times. Pure, unit-tested.

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "net/http_client.h"
#include "util/result.h"

namespace edgecrew::engine::podman {

// One frame of Docker's multiplexed stream (exec and logs without a TTY).
struct StreamFrame {
  int stream = 1;  // 0 stdin, 1 stdout, 2 stderr
  std::string data;
};

// Splits a body of [stream, 0, 0, 0, size (big-endian 32 bits)] headers and payloads; an Error
// (io) when it ends inside a frame.
Result<std::vector<StreamFrame>> demultiplex(std::string_view body);

// demultiplex for a body that arrives in pieces (logs -f): feed each piece; complete frames go
// to `on_frame` (false stops: feed returns false too). An Error (io) on a bad header.
class FrameDecoder {
 public:
  Result<bool> feed(std::string_view piece, const std::function<bool(StreamFrame)>& on_frame);
  // Bytes of an unfinished frame are waiting: the stream ended inside one.
  bool mid_frame() const { return !m_buffer.empty(); }

 private:
  std::string m_buffer;
};

// An Error for a libpod error response: 404 (or a missing container, see below) → not_found,
// 401/403 → permission_denied, 400/409 → invalid_input, else io; the text names `what` and
// libpod's cause and message.
Error api_error(const net::HttpResponse& response, const std::string& what);

// The response's body as JSON; an Error (io) naming `what` when it is not JSON.
Result<nlohmann::json> parse_body(const net::HttpResponse& response, const std::string& what);

// The response says the container does not exist: HTTP 404, or the HTTP 500 Podman 4.3 answers
// for a container removed meanwhile ("no such container", "does not exist in database", "no
// container with name or ID"). Stop and remove take it as done.
bool container_is_gone(const net::HttpResponse& response);

// The response refuses to remove a network because containers use it: Podman 4.3 answers HTTP 500
// with the cause "network is being used" (Docker's API, 409 "has active endpoints").
bool network_in_use(const net::HttpResponse& response);

// Percent-encodes everything but RFC 3986's unreserved characters (path elements, query values).
std::string query_escape(std::string_view text);

// A member of an object, or "" / 0 / false / {} when it is missing, null or of another type:
// Podman leaves out empty fields and writes null for empty maps.
std::string json_string(const nlohmann::json& object, const std::string& key);
std::int64_t json_int(const nlohmann::json& object, const std::string& key);
bool json_bool(const nlohmann::json& object, const std::string& key);
nlohmann::json json_object(const nlohmann::json& object, const std::string& key);

// "2026-11-28T21:40:42.123456789Z" or "...+01:00"; nullopt for Go's zero time (never started) or
// text that is not such a time.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// `text` without surrounding whitespace and newlines.
std::string trim_body(std::string_view text);

// One line of the Docker-compatible pull stream (`POST /images/create`), a JSON object:
// {"status":"Downloading","progressDetail":{"current":N,"total":M},"id":"f03ae8663092"}, or
// {"error":"...","errorDetail":{"message":"..."}} when the pull failed (the HTTP status is 200 by
// then). nullopt for a line that is not a JSON object.
struct PullMessage {
  PullProgress progress;
  std::string error;  // "" unless the pull failed
};
std::optional<PullMessage> parse_pull_message(std::string_view line);

// Cuts a streamed body into lines as its pieces arrive: complete lines go to `on_line` (false
// stops: feed returns false too); the unfinished rest waits for the next piece.
class LineSplitter {
 public:
  bool feed(std::string_view piece, const std::function<bool(std::string_view line)>& on_line);
  // What remains after the stream ended without a final newline.
  const std::string& rest() const { return m_buffer; }

 private:
  std::string m_buffer;
};

// A Docker image reference cut where the compat pull API wants it: `name` without tag or digest,
// and `tag_or_digest` ("1", "sha256:..."); "latest" when the reference names neither, because
// an empty tag asks Docker's API for every tag of the repository.
struct PullReference {
  std::string name;
  std::string tag_or_digest;
};
PullReference split_reference(std::string_view reference);

// The query of libpod's POST /build for `build`, tagged `tag`, its Containerfile at `dockerfile`
// in the context's archive: dockerfile, t, buildargs and labels (JSON objects), target,
// networkmode, nocache, pullpolicy=always for pull, and rm (the steps' containers removed, even
// when the build fails).
std::string build_query(const stack::Build& build, const std::string& tag,
                        const std::string& dockerfile);

// The stream of libpod's POST /build: JSON objects, {"stream": "..."} with the output in pieces
// that need not end at a line, {"error": "..."} when the build failed (the HTTP status is 200 by
// then), {"aux": ...}. Complete output lines go to `on_line`; the step running and what it printed
// are kept for the error.
class BuildLog {
 public:
  using LineSink = std::function<void(std::string_view line)>;
  void feed(std::string_view json_line, const LineSink& on_line);
  // The stream ended: an unfinished last line goes out.
  void finish(const LineSink& on_line);

  const std::string& error() const { return m_error; }
  const std::string& step() const { return m_step; }  // "STEP 3/4: RUN make"
  // The step's last lines (at most k_kept).
  const std::vector<std::string>& step_output() const { return m_step_output; }
  static constexpr std::size_t k_kept = 40;

 private:
  void line(std::string_view text, const LineSink& on_line);
  std::string m_partial;
  std::string m_error;
  std::string m_step;
  std::vector<std::string> m_step_output;
};

}  // namespace edgecrew::engine::podman
