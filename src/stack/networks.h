#pragma once
// Compose's networks: the top-level section (which networks exist and how the engine creates
// them) and a service's `networks:` (which it joins, under which aliases, at which address).

#include <optional>
#include <string>

#include "stack/decode.h"

namespace edgecrew::stack {

// The top-level `networks:` mapping into stack.networks (stack.name is set already).
void decode_networks_section(const Node& n, Stack& stack, Decoder& d);

// A service's `networks:`, list or mapping form, into s.networks.
void decode_service_networks(const Node& n, Service& s, Decoder& d);

// After every service is decoded: a bridge service that names no network joins "default", which
// is added to stack.networks (as "<project>_default") when a service uses it; each fixed address
// is checked against its network's subnets.
void finish_networks(Stack& stack, Diagnostics& diags);

// "10.5.0.7" inside "10.5.0.0/24": false for anything that is not an IPv4 address and an IPv4
// CIDR. `valid_cidr` accepts IPv4 and IPv6 ("fd00::/64").
bool ipv4_in_subnet(const std::string& address, const std::string& cidr);
bool valid_cidr(const std::string& cidr);
bool valid_ip(const std::string& address);

}  // namespace edgecrew::stack
