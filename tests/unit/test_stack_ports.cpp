#include <gtest/gtest.h>

#include "stack/ports.h"

namespace edgecrew::stack {
namespace {

PortMapping single(std::string_view text) {
  auto parsed = parse_port_spec(text);
  EXPECT_TRUE(parsed.error.empty()) << text << ": " << parsed.error;
  EXPECT_EQ(parsed.mappings.size(), 1u) << text;
  return parsed.mappings.empty() ? PortMapping{} : parsed.mappings.front();
}

std::string error_of(std::string_view text) {
  auto parsed = parse_port_spec(text);
  EXPECT_TRUE(parsed.mappings.empty()) << text;
  return parsed.error;
}

TEST(ParsePortSpec, ContainerPortOnlyIsNotPublished) {
  auto m = single("8000");
  EXPECT_EQ(m.container_port, 8000);
  EXPECT_EQ(m.host_port, 0);
  EXPECT_EQ(m.host_ip, "");
  EXPECT_EQ(m.protocol, "tcp");
  EXPECT_FALSE(m.published);
}

TEST(ParsePortSpec, HostAndContainer) {
  auto m = single("8080:80");
  EXPECT_EQ(m.host_port, 8080);
  EXPECT_EQ(m.container_port, 80);
  EXPECT_EQ(m.host_ip, "");
  EXPECT_TRUE(m.published);
}

TEST(ParsePortSpec, HostIp) {
  auto m = single("127.0.0.1:8000:9000");
  EXPECT_EQ(m.host_ip, "127.0.0.1");
  EXPECT_EQ(m.host_port, 8000);
  EXPECT_EQ(m.container_port, 9000);
  EXPECT_TRUE(m.published);
}

TEST(ParsePortSpec, EphemeralHostPort) {
  auto m = single("127.0.0.1::8000");
  EXPECT_EQ(m.host_ip, "127.0.0.1");
  EXPECT_EQ(m.host_port, 0);
  EXPECT_EQ(m.container_port, 8000);
  EXPECT_TRUE(m.published);

  // Docker's spellings of an ephemeral port without an address.
  auto empty_host = single(":8000");
  EXPECT_TRUE(empty_host.published);
  EXPECT_EQ(empty_host.host_port, 0);
  auto zero_host = single("0:8000");
  EXPECT_TRUE(zero_host.published);
  EXPECT_EQ(zero_host.host_port, 0);
}

TEST(ParsePortSpec, Ipv6HostIp) {
  auto m = single("[::1]:8000:9000");
  EXPECT_EQ(m.host_ip, "::1");
  EXPECT_EQ(m.host_port, 8000);
  EXPECT_EQ(m.container_port, 9000);
  EXPECT_TRUE(m.published);

  auto ephemeral = single("[fe80::1:2]::53/udp");
  EXPECT_EQ(ephemeral.host_ip, "fe80::1:2");
  EXPECT_EQ(ephemeral.host_port, 0);
  EXPECT_EQ(ephemeral.container_port, 53);
  EXPECT_EQ(ephemeral.protocol, "udp");

  // Docker also takes an unbracketed IPv6 address: everything before the last two parts.
  auto bare = single("::1:8000:9000");
  EXPECT_EQ(bare.host_ip, "::1");
  EXPECT_EQ(bare.host_port, 8000);
}

TEST(ParsePortSpec, Protocols) {
  EXPECT_EQ(single("8000:8000/udp").protocol, "udp");
  EXPECT_EQ(single("8000/sctp").protocol, "sctp");
  EXPECT_EQ(single("8000/tcp").protocol, "tcp");
  EXPECT_EQ(single("8000:8000/UDP").protocol, "udp");
  EXPECT_EQ(single("8000/").protocol, "tcp");
  EXPECT_EQ(error_of("8000:8000/tcpx"), "invalid protocol \"tcpx\" (expected tcp, udp or sctp)");
  EXPECT_EQ(error_of("8000/udp/tcp"), "invalid protocol \"udp/tcp\" (expected tcp, udp or sctp)");
}

TEST(ParsePortSpec, RangesExpand) {
  auto parsed = parse_port_spec("8000-8002:9000-9002");
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  ASSERT_EQ(parsed.mappings.size(), 3u);
  for (std::uint16_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed.mappings[i].host_port, 8000 + i);
    EXPECT_EQ(parsed.mappings[i].container_port, 9000 + i);
    EXPECT_TRUE(parsed.mappings[i].published);
  }
}

TEST(ParsePortSpec, ContainerRangeOnly) {
  auto parsed = parse_port_spec("8000-8002");
  ASSERT_EQ(parsed.mappings.size(), 3u);
  EXPECT_EQ(parsed.mappings[2].container_port, 8002);
  EXPECT_EQ(parsed.mappings[2].host_port, 0);
  EXPECT_FALSE(parsed.mappings[2].published);
}

TEST(ParsePortSpec, RangeWithIpAndProtocol) {
  auto parsed = parse_port_spec("127.0.0.1:8000-8001:7000-7001/udp");
  ASSERT_EQ(parsed.mappings.size(), 2u);
  EXPECT_EQ(parsed.mappings[1].host_ip, "127.0.0.1");
  EXPECT_EQ(parsed.mappings[1].host_port, 8001);
  EXPECT_EQ(parsed.mappings[1].container_port, 7001);
  EXPECT_EQ(parsed.mappings[1].protocol, "udp");
}

TEST(ParsePortSpec, EphemeralHostWithContainerRange) {
  auto parsed = parse_port_spec("127.0.0.1::5000-5001");
  ASSERT_EQ(parsed.mappings.size(), 2u);
  EXPECT_EQ(parsed.mappings[1].host_port, 0);
  EXPECT_EQ(parsed.mappings[1].container_port, 5001);
  EXPECT_TRUE(parsed.mappings[1].published);
}

TEST(ParsePortSpec, SinglePortRange) {
  auto m = single("8000-8000:9000");
  EXPECT_EQ(m.host_port, 8000);
  EXPECT_EQ(m.container_port, 9000);
}

TEST(ParsePortSpec, RangeLengthsMustMatch) {
  EXPECT_EQ(error_of("8000-8002:9000"), "host range and container range differ in length");
  EXPECT_EQ(error_of("8000:9000-9002"), "host range and container range differ in length");
  EXPECT_EQ(error_of("8000-8002:9000-9001"), "host range and container range differ in length");
}

TEST(ParsePortSpec, BadRanges) {
  EXPECT_EQ(error_of("8002-8000"), "invalid port range \"8002-8000\" (start is above end)");
  EXPECT_EQ(error_of("8000-"), "invalid port range \"8000-\"");
  EXPECT_EQ(error_of("-8000"), "invalid port range \"-8000\"");
  EXPECT_EQ(error_of("1-2-3"), "invalid port \"2-3\"");
  EXPECT_EQ(error_of("0-5:0-5"), "port \"0\" is out of range 1-65535");
}

TEST(ParsePortSpec, OutOfRange) {
  EXPECT_EQ(error_of("70000"), "port \"70000\" is out of range 1-65535");
  EXPECT_EQ(error_of("8000:65536"), "port \"65536\" is out of range 1-65535");
  EXPECT_EQ(error_of("99999999999999999999999:80"),
            "port \"99999999999999999999999\" is out of range 1-65535");
  EXPECT_EQ(error_of("0"), "port \"0\" is out of range 1-65535");
  EXPECT_EQ(error_of("8000:0"), "port \"0\" is out of range 1-65535");
  EXPECT_EQ(single("65535:65535").host_port, 65535);
  EXPECT_EQ(single("1").container_port, 1);
}

TEST(ParsePortSpec, NotNumbers) {
  EXPECT_EQ(error_of("http"), "invalid port \"http\"");
  EXPECT_EQ(error_of("80a"), "invalid port \"80a\"");
  EXPECT_EQ(error_of("+80"), "invalid port \"+80\"");
  EXPECT_EQ(error_of(" 80"), "invalid port \" 80\"");
  EXPECT_EQ(error_of("127.0.0.1:80"), "invalid port \"127.0.0.1\"");
}

TEST(ParsePortSpec, MissingParts) {
  EXPECT_EQ(error_of(""), "empty port specification");
  EXPECT_EQ(error_of("8000:"), "missing container port in \"8000:\"");
  EXPECT_EQ(error_of("/udp"), "missing container port in \"/udp\"");
  EXPECT_FALSE(error_of("[::1]:8000").empty());
  EXPECT_FALSE(error_of("[::1]8000:8000").empty());
  EXPECT_FALSE(error_of("[::1]:1:2:3").empty());
  EXPECT_EQ(error_of("[::1:8000:8000"), "missing \"]\" after host IP in \"[::1:8000:8000\"");
}

TEST(ParsePortSpec, InvalidHostIp) {
  EXPECT_EQ(error_of("1.2.3:8000:8000"), "invalid host IP \"1.2.3\"");
  EXPECT_EQ(error_of("256.0.0.1:8000:8000"), "invalid host IP \"256.0.0.1\"");
  EXPECT_EQ(error_of("localhost:8000:8000"), "invalid host IP \"localhost\"");
  EXPECT_EQ(error_of("[::g]:8000:8000"), "invalid host IP \"::g\"");
  EXPECT_EQ(error_of("[]:8000:8000"), "invalid host IP \"\"");
  EXPECT_EQ(error_of("1:2:3:4"), "invalid host IP \"1:2\"");
}

TEST(ParsePortSpec, LeavesLocationForTheCaller) {
  auto m = single("8000");
  EXPECT_EQ(m.where.file, "");
  EXPECT_EQ(m.where.line, 0);
}

}  // namespace
}  // namespace edgecrew::stack
