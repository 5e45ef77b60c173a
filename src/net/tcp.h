#pragma once
// TCP connections with deadlines, for the TCP and Bolt probes and for handing a connected socket
// to hiredis.
//
// Error kinds, shared with the HTTP client: timeout (nothing answered in time; the message says
// what was awaited and for how long), unavailable (connection refused: nothing listens there),
// not_found (the name does not resolve, or there is no route to the host), io (anything else,
// such as the peer closing the connection early).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/unique_fd.h"
#include "util/clock.h"
#include "util/result.h"

namespace edgecrew::net {

inline constexpr std::chrono::milliseconds k_default_connect_timeout{2000};

// Tries each address the name resolves to (IPv6 and IPv4) within one budget. The socket comes
// back in blocking mode with close-on-exec set. Name resolution itself is not bounded by the
// timeout (getaddrinfo has none); use numeric addresses where that matters.
Result<UniqueFd> tcp_connect(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout = k_default_connect_timeout);

// Sends all of `data` before the deadline; `what` names it in errors ("the Bolt handshake").
Status send_all(int fd, std::string_view data, const Deadline& deadline, std::string_view what);

// Reads exactly `size` bytes before the deadline; `what` names them in errors.
Result<std::string> recv_exact(int fd, std::size_t size, const Deadline& deadline,
                               std::string_view what);

}  // namespace edgecrew::net
