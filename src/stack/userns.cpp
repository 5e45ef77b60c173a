// userns_mode: the grammar Podman's --userns accepts (Podman 4.3): host, auto[:OPTIONS],
// keep-id[:OPTIONS], nomap, ns:PATH. Options are comma-separated KEY=VALUE; numbers are unsigned
// 32-bit decimals. A value Podman would refuse at create time is refused here, with its position.

#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "stack/service_decoder.h"
#include "util/strings.h"

namespace edgecrew::stack {

namespace {

constexpr std::string_view k_modes_hint =
    "use host, auto[:size=N,uidmapping=C:H:N,gidmapping=C:H:N], keep-id[:uid=N,gid=N], nomap or "
    "ns:/PATH";

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() ||
      value > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

// CONTAINER:HOST:SIZE, repeated (containers/storage reads any multiple of three numbers).
std::optional<std::vector<IdMapping>> parse_mappings(std::string_view text) {
  auto parts = split(text, ':');
  if (parts.empty() || parts.size() % 3 != 0) return std::nullopt;
  std::vector<IdMapping> out;
  for (std::size_t i = 0; i < parts.size(); i += 3) {
    auto container_id = parse_u32(parts[i]);
    auto host_id = parse_u32(parts[i + 1]);
    auto size = parse_u32(parts[i + 2]);
    if (!container_id || !host_id || !size) return std::nullopt;
    out.push_back({*container_id, *host_id, *size});
  }
  return out;
}

struct OptionError {
  std::string message;
  std::string hint;
};

// One KEY=VALUE option of keep-id or auto; an error when Podman would refuse it.
std::optional<OptionError> apply_option(const std::string& option, Userns& u) {
  const auto eq = option.find('=');
  if (eq == std::string::npos) {
    return OptionError{fmt::format("option \"{}\" has no value", option),
                       "write options as KEY=VALUE, separated by commas"};
  }
  const std::string key = option.substr(0, eq);
  const std::string value = option.substr(eq + 1);
  if (u.kind == UsernsKind::keep_id) {
    if (key != "uid" && key != "gid") {
      return OptionError{fmt::format("keep-id takes no option \"{}\"", key),
                         "Podman's keep-id takes uid=N and gid=N"};
    }
    auto id = parse_u32(value);
    if (!id) {
      return OptionError{fmt::format("keep-id {} \"{}\" is not a number", key, value),
                         "an id from 0 to 4294967295"};
    }
    (key == "uid" ? u.uid : u.gid) = *id;
    return std::nullopt;
  }
  if (key == "size") {
    auto size = parse_u32(value);
    if (!size || *size == 0) {
      return OptionError{fmt::format("auto size \"{}\" is not a positive number", value),
                         "the number of ids in the namespace, e.g. size=65536; leave it out to "
                         "let Podman estimate it from the image"};
    }
    u.size = *size;
    return std::nullopt;
  }
  if (key == "uidmapping" || key == "gidmapping") {
    auto mappings = parse_mappings(value);
    if (!mappings) {
      return OptionError{fmt::format("auto {} \"{}\" is not CONTAINER:HOST:SIZE", key, value),
                         "three numbers, e.g. uidmapping=0:100000:65536"};
    }
    auto& list = key == "uidmapping" ? u.uid_mappings : u.gid_mappings;
    list.insert(list.end(), mappings->begin(), mappings->end());
    return std::nullopt;
  }
  return OptionError{fmt::format("auto takes no option \"{}\"", key),
                     "Podman's auto takes size=N, uidmapping=C:H:N and gidmapping=C:H:N"};
}

}  // namespace

void decode_userns(const Node& n, Service& s, Decoder& d) {
  auto text = d.string(n, fmt::format("userns_mode of service \"{}\"", s.name));
  if (!text) return;
  const std::string& mode = *text;
  const std::string what = fmt::format("userns_mode \"{}\" of service \"{}\"", mode, s.name);
  Userns u;
  u.where = n.where;
  const auto colon = mode.find(':');
  const std::string head = mode.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : mode.substr(colon + 1);
  // Podman reads "" as host.
  if (mode.empty() || mode == "host") {
    u.kind = UsernsKind::host;
  } else if (mode == "nomap") {
    u.kind = UsernsKind::nomap;
  } else if (head == "ns") {
    if (!rest.starts_with("/")) {
      d.diags().error(n.where, fmt::format("{}: ns: needs an absolute path", what),
                      "the path of a user namespace on the engine's host, e.g. "
                      "ns:/proc/1234/ns/user");
      return;
    }
    u.kind = UsernsKind::path;
    u.path = rest;
  } else if (head == "auto" || head == "keep-id") {
    u.kind = head == "auto" ? UsernsKind::automatic : UsernsKind::keep_id;
    if (colon != std::string::npos) {
      // "auto:" is refused too: Podman reads an empty option.
      for (const auto& option : split(rest, ',')) {
        if (auto error = apply_option(option, u)) {
          d.diags().error(n.where, fmt::format("{}: {}", what, error->message), error->hint);
          return;
        }
      }
    }
  } else if (head == "private" || head == "container" || head == "pod") {
    d.diags().error(n.where, fmt::format("{} is not supported", what),
                    head == "private" ? "use auto for a private user namespace"
                                      : "each service has its own user namespace; use auto, or "
                                        "ns:PATH to join one");
    return;
  } else {
    d.diags().error(n.where, fmt::format("unknown {}", what), std::string(k_modes_hint));
    return;
  }
  s.userns = std::move(u);
}

}  // namespace edgecrew::stack
