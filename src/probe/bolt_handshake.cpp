#include "probe/bolt_handshake.h"

#include <fmt/format.h>

#include <algorithm>

namespace edgecrew::probe {

namespace {

struct Proposal {
  std::uint8_t range;
  std::uint8_t minor;
  std::uint8_t major;
};

// Neo4j 5 speaks Bolt 5.x, Neo4j 4.4 speaks 4.4 (and 4.3, 4.2), 4.1 and 3.5 the older ones.
constexpr std::array<Proposal, 4> k_proposals{Proposal{8, 8, 5}, Proposal{2, 4, 4},
                                              Proposal{0, 1, 4}, Proposal{0, 0, 3}};

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{}{:02X}", out.empty() ? "" : " ", c);
  return out;
}

}  // namespace

std::string bolt_handshake_request() {
  std::string out(k_bolt_magic.begin(), k_bolt_magic.end());
  for (const auto& p : k_proposals) {
    out += '\0';
    out += static_cast<char>(p.range);
    out += static_cast<char>(p.minor);
    out += static_cast<char>(p.major);
  }
  return out;
}

Result<BoltVersion> parse_bolt_reply(std::string_view reply) {
  if (reply.size() != k_bolt_reply_size) {
    return Error{ErrorKind::io, fmt::format("a Bolt handshake answer is {} bytes, got {}",
                                            k_bolt_reply_size, reply.size())};
  }
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(reply[i]); };
  if (byte(0) == 0 && byte(1) == 0 && byte(2) == 0 && byte(3) == 0) {
    return Error{ErrorKind::io,
                 "the server agreed to none of the Bolt versions proposed (5.0-5.8, 4.2-4.4, "
                 "4.1, 3.0): answered 00 00 00 00"};
  }
  if (byte(0) != 0 || byte(1) != 0 || byte(3) < 3) {
    bool printable = std::all_of(reply.begin(), reply.end(),
                                 [](unsigned char c) { return c >= 0x20 && c < 0x7F; });
    return Error{ErrorKind::io,
                 fmt::format("not a Bolt server: it answered the handshake with {}{}", hex(reply),
                             printable ? fmt::format(" (\"{}\")", reply) : "")};
  }
  return BoltVersion{byte(3), byte(2)};
}

}  // namespace edgecrew::probe
