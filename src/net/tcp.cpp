#include "net/tcp.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "net/url.h"

namespace edgecrew::net {

namespace {

struct AddrInfoFree {
  void operator()(addrinfo* info) const { ::freeaddrinfo(info); }
};

// Waits for `events` on `fd`; 0 when the deadline passed first, -1 with errno on failure.
int wait_for(int fd, short events, const Deadline& deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(deadline.remaining().count()));
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

// The outcome of one non-blocking connect: 0 connected, ETIMEDOUT at the deadline, else errno.
int connect_one(const addrinfo& address, const Deadline& deadline, UniqueFd& out) {
  UniqueFd fd(::socket(address.ai_family, address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       address.ai_protocol));
  if (!fd.valid()) return errno;
  if (::connect(fd.get(), address.ai_addr, address.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return errno;
    int ready = wait_for(fd.get(), POLLOUT, deadline);
    if (ready < 0) return errno;
    if (ready == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    if (err != 0) return err;
  }
  // Blocking again: hiredis's blocking API expects it; send_all/recv_exact do not care.
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  out = std::move(fd);
  return 0;
}

Error timed_out(const Deadline& deadline, std::string_view what) {
  return Error{ErrorKind::timeout, fmt::format("timed out after {} ms waiting for {}",
                                               deadline.elapsed().count(), what)};
}

}  // namespace

Result<UniqueFd> tcp_connect(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout) {
  Deadline deadline(timeout);
  std::string address = host_port(host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int gai = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (gai != 0) {
    return Error{ErrorKind::not_found,
                 fmt::format("cannot resolve {}: {}", host,
                             gai == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(gai))};
  }
  std::unique_ptr<addrinfo, AddrInfoFree> addresses(found);

  int last_error = 0;
  for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    UniqueFd fd;
    int err = connect_one(*a, deadline, fd);
    if (err == 0) return fd;
    // A refusal on one address (::1) does not stop a try on the next (127.0.0.1); the deadline
    // does.
    last_error = err;
    if (err == ETIMEDOUT || deadline.expired()) {
      last_error = ETIMEDOUT;
      break;
    }
  }
  switch (last_error) {
    case ETIMEDOUT:
      return timed_out(deadline, fmt::format("a TCP connection to {}", address));
    case ECONNREFUSED:
      return Error{ErrorKind::unavailable,
                   fmt::format("connection refused by {}: nothing listens there", address)};
    case ENETUNREACH:
    case EHOSTUNREACH:
      return Error{ErrorKind::not_found,
                   fmt::format("{} is unreachable: {}", address, std::strerror(last_error))};
    default:
      return Error{ErrorKind::io,
                   fmt::format("cannot connect to {}: {}", address, std::strerror(last_error))};
  }
}

Status send_all(int fd, std::string_view data, const Deadline& deadline, std::string_view what) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    // MSG_NOSIGNAL: a peer that closed the connection is an error here, not a SIGPIPE.
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error{ErrorKind::io, fmt::format("cannot send {}: {}", what, std::strerror(errno))};
    }
    int ready = wait_for(fd, POLLOUT, deadline);
    if (ready < 0) {
      return Error{ErrorKind::io, fmt::format("cannot send {}: {}", what, std::strerror(errno))};
    }
    if (ready == 0) return timed_out(deadline, fmt::format("room to send {}", what));
  }
  return Ok{};
}

Result<std::string> recv_exact(int fd, std::size_t size, const Deadline& deadline,
                               std::string_view what) {
  std::string out(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, out.data() + got, size - got, MSG_DONTWAIT);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) {
      return Error{
          ErrorKind::io,
          fmt::format("the connection closed after {} of the {} bytes of {}", got, size, what)};
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return Error{ErrorKind::io, fmt::format("cannot read {}: {}", what, std::strerror(errno))};
    }
    int ready = wait_for(fd, POLLIN, deadline);
    if (ready < 0) {
      return Error{ErrorKind::io, fmt::format("cannot read {}: {}", what, std::strerror(errno))};
    }
    if (ready == 0) return timed_out(deadline, what);
  }
  return out;
}

}  // namespace edgecrew::net
