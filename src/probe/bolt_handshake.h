#pragma once
// The Bolt handshake, the first bytes of every Bolt connection: the client sends a 4-byte magic
// preamble and four 4-byte version proposals, the server answers the one version it agrees to,
// or four zero bytes when none suits it.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace edgecrew::probe {

inline constexpr std::array<std::uint8_t, 4> k_bolt_magic{0x60, 0x60, 0xB0, 0x17};
inline constexpr std::size_t k_bolt_handshake_size = 20;  // magic + 4 proposals
inline constexpr std::size_t k_bolt_reply_size = 4;

struct BoltVersion {
  int major = 0;
  int minor = 0;
};

// The 20 bytes to send: the magic, then 5.8 down to 5.0, 4.4 down to 4.2, 4.1 and 3.0.
// Each proposal is big-endian [0, range, minor, major]: "minor down to minor - range" (a range
// is understood by servers from Bolt 4.3 on; older ones read the exact version).
std::string bolt_handshake_request();

// The server's 4-byte answer: [0, 0, minor, major]. Errors (kind io): all zero (no common
// version), or bytes that are not a Bolt answer (an HTTP server on that port).
Result<BoltVersion> parse_bolt_reply(std::string_view reply);

}  // namespace edgecrew::probe
