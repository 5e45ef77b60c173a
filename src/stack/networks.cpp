#include "stack/networks.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>

namespace edgecrew::stack {

namespace {

// The drivers Podman creates networks with; Compose's swarm `overlay` has no meaning here.
const std::set<std::string> k_drivers = {"bridge", "macvlan", "ipvlan"};

std::optional<std::pair<std::string, int>> split_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return std::nullopt;
  int bits = -1;
  const char* first = cidr.data() + slash + 1;
  const char* last = cidr.data() + cidr.size();
  auto [ptr, ec] = std::from_chars(first, last, bits);
  if (ec != std::errc() || ptr != last || first == last) return std::nullopt;
  return std::make_pair(cidr.substr(0, slash), bits);
}

std::optional<std::uint32_t> ipv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

void decode_ipam(const Node& n, Network& net, const std::string& what, Decoder& d) {
  if (!d.check_section(n, "ipam of " + what, "network.ipam")) return;
  if (const Node* x = n.find("driver")) {
    auto driver = d.string(*x, "ipam driver").value_or("");
    if (!driver.empty() && driver != "default") {
      d.diags().error(x->where,
                      fmt::format("ipam driver \"{}\" of {} is not supported", driver, what),
                      "remove it: the engine assigns addresses from ipam.config's subnets");
    }
  }
  const Node* config = n.find("config");
  if (config == nullptr || config->is_null()) return;
  if (!config->is_sequence()) {
    d.type_error(*config, "ipam config of " + what, "a list of {subnet, gateway} mappings");
    return;
  }
  for (const auto& item : config->items) {
    if (!d.check_section(item, "an ipam config entry of " + what, "network.ipam.config")) continue;
    IpamPool pool;
    pool.where = item.where;
    if (const Node* x = item.find("subnet")) {
      pool.subnet = d.string(*x, "subnet").value_or("");
      if (!valid_cidr(pool.subnet)) {
        d.diags().error(x->where,
                        fmt::format("subnet \"{}\" of {} is not a CIDR", pool.subnet, what),
                        "write an address and a prefix length, as 10.5.0.0/24");
        continue;
      }
    } else {
      d.diags().error(item.where, fmt::format("an ipam config entry of {} has no subnet", what),
                      "add subnet: (10.5.0.0/24): a gateway alone gives the engine nothing to use");
      continue;
    }
    if (const Node* x = item.find("gateway")) {
      pool.gateway = d.string(*x, "gateway").value_or("");
      bool inside = pool.subnet.find(':') != std::string::npos
                        ? valid_ip(pool.gateway) && pool.gateway.find(':') != std::string::npos
                        : ipv4_in_subnet(pool.gateway, pool.subnet);
      if (!inside) {
        d.diags().error(x->where,
                        fmt::format("gateway \"{}\" of {} is not an address in subnet {}",
                                    pool.gateway, what, pool.subnet),
                        "give an address inside the subnet, or leave gateway out");
        continue;
      }
    }
    net.ipam.push_back(std::move(pool));
  }
}

}  // namespace

bool valid_ip(const std::string& address) {
  in6_addr a6{};
  return ipv4(address).has_value() || inet_pton(AF_INET6, address.c_str(), &a6) == 1;
}

bool valid_cidr(const std::string& cidr) {
  auto parts = split_cidr(cidr);
  if (!parts) return false;
  if (ipv4(parts->first)) return parts->second >= 0 && parts->second <= 32;
  in6_addr a6{};
  return inet_pton(AF_INET6, parts->first.c_str(), &a6) == 1 && parts->second >= 0 &&
         parts->second <= 128;
}

bool ipv4_in_subnet(const std::string& address, const std::string& cidr) {
  auto parts = split_cidr(cidr);
  if (!parts || parts->second < 0 || parts->second > 32) return false;
  auto net = ipv4(parts->first);
  auto addr = ipv4(address);
  if (!net || !addr) return false;
  const std::uint32_t mask = parts->second == 0 ? 0 : ~std::uint32_t{0} << (32 - parts->second);
  return (*net & mask) == (*addr & mask);
}

void decode_networks_section(const Node& n, Stack& stack, Decoder& d) {
  if (!d.mapping(n, "networks")) return;
  for (const auto& [k, v] : n.entries) {
    Network net;
    net.key = k.scalar;
    net.where = k.where;
    std::string explicit_name;
    const std::string what = fmt::format("network \"{}\"", k.scalar);
    if (!v.is_null() && d.check_section(v, what, "network")) {
      if (const Node* x = v.find("name")) explicit_name = d.string(*x, "network name").value_or("");
      if (const Node* x = v.find("external")) {
        if (x->is_mapping()) {
          // The older `external: {name: X}`.
          net.external = true;
          if (d.check_keys(*x, "external of " + what, {"name"})) {
            if (const Node* name = x->find("name")) {
              explicit_name = d.string(*name, "external name").value_or(explicit_name);
              d.diags().warning(name->where, fmt::format("external.name of {} is deprecated", what),
                                fmt::format("write name: {} and external: true", explicit_name));
            }
          }
        } else {
          net.external = d.boolean(*x, "external").value_or(false);
        }
      }
      if (const Node* x = v.find("driver")) {
        net.driver = d.string(*x, "network driver").value_or("");
        if (!net.driver.empty() && !k_drivers.contains(net.driver)) {
          d.diags().error(
              x->where,
              fmt::format("network driver \"{}\" of {} is not supported", net.driver, what),
              "use bridge (the default), macvlan or ipvlan");
        }
      }
      if (const Node* x = v.find("driver_opts")) {
        net.driver_opts = d.key_values(*x, "driver_opts", nullptr).value_or(net.driver_opts);
      }
      if (const Node* x = v.find("labels")) {
        net.labels = d.key_values(*x, "network labels", nullptr).value_or(net.labels);
      }
      if (const Node* x = v.find("internal"))
        net.internal = d.boolean(*x, "internal").value_or(false);
      if (const Node* x = v.find("enable_ipv6")) {
        net.enable_ipv6 = d.boolean(*x, "enable_ipv6").value_or(false);
      }
      if (const Node* x = v.find("ipam"); x != nullptr && !x->is_null()) {
        decode_ipam(*x, net, what, d);
      }
      // Compose: an external network is only named; anything else would configure what exists.
      for (const auto& [key, _] : v.entries) {
        if (net.external && key.scalar != "name" && key.scalar != "external" &&
            !key.scalar.starts_with("x-")) {
          d.diags().error(key.where,
                          fmt::format("{} is external: \"{}\" cannot be set", what, key.scalar),
                          "an external network exists already; keep name: and external: true");
        }
      }
    }
    if (!explicit_name.empty()) {
      net.name = explicit_name;
    } else if (net.external) {
      net.name = net.key;
    } else {
      net.name = stack.name + "_" + net.key;
    }
    stack.networks[net.key] = std::move(net);
  }
}

void decode_service_networks(const Node& n, Service& s, Decoder& d) {
  const std::string what = fmt::format("networks of service \"{}\"", s.name);
  if (n.is_sequence()) {
    for (const auto& item : n.items) {
      auto key = d.string(item, what);
      if (!key) continue;
      s.networks.push_back({.key = *key, .aliases = {}, .ipv4_address = "", .where = item.where});
    }
  } else if (n.is_mapping()) {
    for (const auto& [k, v] : n.entries) {
      ServiceNetwork joined{.key = k.scalar, .aliases = {}, .ipv4_address = "", .where = k.where};
      const std::string entry = fmt::format("network \"{}\" of service \"{}\"", k.scalar, s.name);
      if (!v.is_null() && d.check_section(v, entry, "service_network")) {
        if (const Node* x = v.find("aliases")) {
          joined.aliases = d.string_list(*x, "aliases of " + entry).value_or(joined.aliases);
        }
        if (const Node* x = v.find("ipv4_address")) {
          joined.ipv4_address = d.string(*x, "ipv4_address").value_or("");
          if (!ipv4(joined.ipv4_address)) {
            d.diags().error(x->where,
                            fmt::format("ipv4_address \"{}\" of {} is not an IPv4 address",
                                        joined.ipv4_address, entry),
                            "write four numbers, as 10.5.0.7");
            joined.ipv4_address.clear();
          }
        }
      }
      s.networks.push_back(std::move(joined));
    }
  } else {
    d.type_error(n, what, "a list of network names or a mapping of them");
  }
  std::sort(s.networks.begin(), s.networks.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
}

void finish_networks(Stack& stack, Diagnostics& diags) {
  bool uses_default = false;
  for (Service& s : stack.services) {
    if (s.network_mode != NetworkMode::bridge) {
      s.networks.clear();
      continue;
    }
    if (s.networks.empty())
      s.networks.push_back({.key = "default", .aliases = {}, .ipv4_address = "", .where = s.where});
    for (const auto& joined : s.networks) uses_default = uses_default || joined.key == "default";
  }
  if (uses_default && !stack.networks.contains("default")) {
    Network net;
    net.key = "default";
    net.name = stack.name + "_default";
    stack.networks["default"] = std::move(net);
  }
  for (const Service& s : stack.services) {
    for (const auto& joined : s.networks) {
      auto it = stack.networks.find(joined.key);
      if (it == stack.networks.end() || joined.ipv4_address.empty() || it->second.external)
        continue;
      const auto& pools = it->second.ipam;
      bool inside = std::any_of(pools.begin(), pools.end(), [&](const IpamPool& p) {
        return ipv4_in_subnet(joined.ipv4_address, p.subnet);
      });
      if (!inside) {
        diags.error(
            joined.where,
            fmt::format("ipv4_address {} of service \"{}\" is in no subnet of network \"{}\"",
                        joined.ipv4_address, s.name, joined.key),
            pools.empty() ? fmt::format("a fixed address needs a subnet: add ipam: {{config: "
                                        "[{{subnet: ...}}]}} to network \"{}\"",
                                        joined.key)
                          : "give an address inside one of the network's ipam subnets");
      }
    }
  }
}

}  // namespace edgecrew::stack
