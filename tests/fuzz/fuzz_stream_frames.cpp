// Fuzz target for libpod's multiplexed stream (exec and logs without a TTY) and the pull stream's
// lines, the bytes a Podman service sends back: any bytes give frames or an Error, never a crash.
// The first byte chooses the piece sizes the streaming decoder is fed in; its frames must be those
// demultiplex finds in the whole body, whatever the cuts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/podman/podman_protocol.h"

namespace podman = edgecrew::engine::podman;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 13;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto whole = podman::demultiplex(body);
  podman::FrameDecoder decoder;
  std::vector<podman::StreamFrame> streamed;
  bool failed = false;
  for (std::size_t at = 0; at < body.size() && !failed; at += step) {
    auto fed = decoder.feed(body.substr(at, step), [&](podman::StreamFrame frame) {
      streamed.push_back(std::move(frame));
      return true;
    });
    failed = !fed;
  }
  if (whole) {
    // A body demultiplex accepts is accepted in pieces too, frame for frame.
    if (failed || decoder.mid_frame() || streamed.size() != whole->size()) std::abort();
    for (std::size_t i = 0; i < streamed.size(); ++i) {
      if (streamed[i].stream != (*whole)[i].stream || streamed[i].data != (*whole)[i].data) {
        std::abort();
      }
    }
  }

  // The same bytes as the pull stream: lines of JSON objects.
  podman::LineSplitter lines;
  (void)lines.feed(body, [](std::string_view line) {
    auto message = podman::parse_pull_message(line);
    if (message) (void)message->error.size();
    return true;
  });
  (void)podman::parse_pull_message(lines.rest());
  return 0;
}
