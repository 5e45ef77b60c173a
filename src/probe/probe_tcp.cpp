// tcp: a connection is accepted; nothing is sent.

#include <fmt/format.h>

#include "net/tcp.h"
#include "net/url.h"
#include "probe/probe_kinds.h"

namespace edgecrew::probe::detail {

ProbeResult probe_tcp(const stack::Probe& probe, const Deadline& deadline) {
  std::string label = "tcp " + net::host_port(probe.host, probe.port);
  if (probe.host.empty() || probe.port == 0) {
    return failed(ProbeFailure::misconfigured, label + ": the probe needs a host and a port");
  }
  auto fd = net::tcp_connect(probe.host, probe.port, deadline.remaining());
  if (!fd) return failed(failure_of(fd.error()), fmt::format("{}: {}", label, fd.error().message));
  return ready(label + ": connected");
}

}  // namespace edgecrew::probe::detail
