#include "stack/ports.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>

#include "util/strings.h"

namespace edgecrew::stack {

namespace {

struct PortRange {
  std::uint32_t low = 0;
  std::uint32_t high = 0;
  std::uint32_t size() const { return high - low + 1; }
};

// Either a range or what was wrong with the text.
struct RangeParse {
  std::optional<PortRange> range;
  std::string error;
};

std::optional<std::string> parse_port(std::string_view text, bool allow_zero, std::uint32_t& port) {
  unsigned long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::invalid_argument || ptr != end || text.empty()) {
    return fmt::format("invalid port \"{}\"", text);
  }
  if (ec == std::errc::result_out_of_range || value > 65535 || (value == 0 && !allow_zero)) {
    return fmt::format("port \"{}\" is out of range 1-65535", text);
  }
  port = static_cast<std::uint32_t>(value);
  return std::nullopt;
}

// Port 0 is accepted on the host side only, alone, as Docker's way of asking for an ephemeral port.
RangeParse parse_range(std::string_view text, bool allow_zero) {
  RangeParse out;
  auto dash = text.find('-');
  PortRange range;
  if (dash == std::string_view::npos) {
    if (auto error = parse_port(text, allow_zero, range.low)) {
      out.error = *error;
      return out;
    }
    range.high = range.low;
    out.range = range;
    return out;
  }
  std::string_view low = text.substr(0, dash);
  std::string_view high = text.substr(dash + 1);
  if (low.empty() || high.empty()) {
    out.error = fmt::format("invalid port range \"{}\"", text);
    return out;
  }
  if (auto error = parse_port(low, false, range.low)) {
    out.error = *error;
    return out;
  }
  if (auto error = parse_port(high, false, range.high)) {
    out.error = *error;
    return out;
  }
  if (range.low > range.high) {
    out.error = fmt::format("invalid port range \"{}\" (start is above end)", text);
    return out;
  }
  out.range = range;
  return out;
}

bool valid_ip(const std::string& ip) {
  unsigned char buffer[16];
  int family = ip.find(':') == std::string::npos ? AF_INET : AF_INET6;
  return inet_pton(family, ip.c_str(), buffer) == 1;
}

PortParse failure(std::string message) {
  PortParse out;
  out.error = std::move(message);
  return out;
}

}  // namespace

PortParse parse_port_spec(std::string_view text) {
  if (text.empty()) return failure("empty port specification");

  std::string protocol = "tcp";
  std::string_view rest = text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    rest = text.substr(0, slash);
    std::string_view proto = text.substr(slash + 1);
    // Docker reads "8000/" as tcp.
    if (!proto.empty()) {
      protocol = to_lower(proto);
      if (protocol != "tcp" && protocol != "udp" && protocol != "sctp") {
        return failure(fmt::format("invalid protocol \"{}\" (expected tcp, udp or sctp)", proto));
      }
    }
  }

  std::string host_ip;
  std::string host_port;
  std::string container_port;
  bool published = false;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return failure(fmt::format("missing \"]\" after host IP in \"{}\"", text));
    }
    host_ip = std::string(rest.substr(1, close - 1));
    if (host_ip.empty() || !valid_ip(host_ip)) {
      return failure(fmt::format("invalid host IP \"{}\"", host_ip));
    }
    std::string_view after = rest.substr(close + 1);
    auto colon = after.find(':', 1);
    if (after.empty() || after.front() != ':' || colon == std::string_view::npos ||
        after.find(':', colon + 1) != std::string_view::npos) {
      return failure(fmt::format(
          "expected \"[IP]:HOST:CONTAINER\" in \"{}\" (HOST may be empty for an ephemeral port)",
          text));
    }
    host_port = std::string(after.substr(1, colon - 1));
    container_port = std::string(after.substr(colon + 1));
    published = true;
  } else {
    auto parts = split(rest, ':');
    std::size_t n = parts.size();
    container_port = parts.back();
    if (n >= 2) {
      host_port = parts[n - 2];
      published = true;
    }
    if (n >= 3) {
      // An unbracketed IPv6 address keeps its colons: everything before the last two parts.
      host_ip = join(std::vector<std::string>(parts.begin(), parts.end() - 2), ":");
      if (!host_ip.empty() && !valid_ip(host_ip)) {
        return failure(fmt::format("invalid host IP \"{}\"", host_ip));
      }
    }
  }

  if (container_port.empty()) {
    return failure(fmt::format("missing container port in \"{}\"", text));
  }
  auto container = parse_range(container_port, false);
  if (!container.range) return failure(container.error);
  PortRange host_range;
  if (!host_port.empty()) {
    auto host = parse_range(host_port, true);
    if (!host.range) return failure(host.error);
    host_range = *host.range;
    if (host_range.size() != container.range->size()) {
      return failure("host range and container range differ in length");
    }
  }

  PortParse out;
  for (std::uint32_t i = 0; i < container.range->size(); ++i) {
    PortMapping mapping;
    mapping.host_ip = host_ip;
    mapping.host_port = host_port.empty() ? 0 : static_cast<std::uint16_t>(host_range.low + i);
    mapping.container_port = static_cast<std::uint16_t>(container.range->low + i);
    mapping.protocol = protocol;
    mapping.published = published;
    out.mappings.push_back(std::move(mapping));
  }
  return out;
}

}  // namespace edgecrew::stack
