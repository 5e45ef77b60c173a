// Fuzz target for the Bolt handshake answer (the neo4j probe reads 4 bytes from whatever listens on
// the port): any bytes give a version or an Error, never a crash; a version is one the request
// proposed a range for (3.0 and up) and an Error's text is printable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probe/bolt_handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view reply(reinterpret_cast<const char*>(data), size);
  auto version = edgecrew::probe::parse_bolt_reply(reply);
  if (version) {
    if (size != edgecrew::probe::k_bolt_reply_size || version->major < 3) std::abort();
  } else {
    for (unsigned char c : version.error().message) {
      if (c < 0x20 || c == 0x7F) std::abort();
    }
  }
  return 0;
}
