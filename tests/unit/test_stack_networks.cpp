// Compose's networks: the top-level section and a service's networks, each rule with a valid and
// an invalid case; what the Podman engine is asked for (the network create body, the networks a
// container joins); and the spec hash over network membership.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/podman/podman_mapping.h"
#include "stack/networks.h"
#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using nlohmann::ordered_json;
using test::formatted;
using test::load_ok;
using test::load_text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> errors(const std::string& yaml) {
  return formatted(load_text(yaml).diagnostics, Severity::error);
}

constexpr const char* k_two_networks =
    "services:\n"
    "  api:\n"
    "    image: x\n"
    "    networks:\n"
    "      front:\n"
    "        aliases: [gateway, api]\n"
    "      back:\n"
    "        ipv4_address: 10.5.0.7\n"
    "  db:\n"
    "    image: y\n"
    "    networks: [back]\n"
    "  solo:\n"
    "    image: z\n"
    "networks:\n"
    "  front:\n"
    "    labels: {team: web}\n"
    "  back:\n"
    "    internal: true\n"
    "    driver: bridge\n"
    "    driver_opts: {mtu: \"1400\"}\n"
    "    ipam:\n"
    "      config:\n"
    "        - subnet: 10.5.0.0/24\n"
    "          gateway: 10.5.0.1\n"
    "  shared:\n"
    "    external: true\n"
    "    name: corp-net\n";

TEST(StackNetworks, DeclaredNetworksAndWhatEachServiceJoins) {
  Stack st = load_ok(k_two_networks);
  ASSERT_EQ(st.networks.size(), 4u);  // front, back, shared and the default solo uses
  EXPECT_EQ(st.networks.at("front").name, "app_front");
  EXPECT_EQ(st.networks.at("front").labels.at("team"), "web");
  const Network& back = st.networks.at("back");
  EXPECT_TRUE(back.internal);
  EXPECT_EQ(back.driver_opts.at("mtu"), "1400");
  ASSERT_EQ(back.ipam.size(), 1u);
  EXPECT_EQ(back.ipam[0].subnet, "10.5.0.0/24");
  EXPECT_EQ(back.ipam[0].gateway, "10.5.0.1");
  EXPECT_TRUE(st.networks.at("shared").external);
  EXPECT_EQ(st.networks.at("shared").name, "corp-net");
  EXPECT_EQ(st.networks.at("default").name, "app_default");

  const Service* api = st.find("api");
  ASSERT_EQ(api->networks.size(), 2u);  // sorted by key
  EXPECT_EQ(api->networks[0].key, "back");
  EXPECT_EQ(api->networks[0].ipv4_address, "10.5.0.7");
  EXPECT_EQ(api->networks[1].key, "front");
  EXPECT_THAT(api->networks[1].aliases, ElementsAre("gateway", "api"));
  ASSERT_EQ(st.find("db")->networks.size(), 1u);
  EXPECT_EQ(st.find("db")->networks[0].key, "back");
  ASSERT_EQ(st.find("solo")->networks.size(), 1u);
  EXPECT_EQ(st.find("solo")->networks[0].key, "default");
}

// `config` prints the top-level networks as docker compose config does: by key, with the name
// the engine uses, and the default network when a service joins it.
TEST(StackNetworks, ConfigPrintsTheNetworksWithTheirEngineNames) {
  auto printed = stack_to_json(load_ok(k_two_networks))["networks"];
  EXPECT_EQ(printed.dump(), ordered_json::parse(R"({
    "back": {"name": "app_back", "driver": "bridge", "driver_opts": {"mtu": "1400"},
             "ipam": {"config": [{"subnet": "10.5.0.0/24", "gateway": "10.5.0.1"}]},
             "internal": true},
    "default": {"name": "app_default"},
    "front": {"name": "app_front", "labels": {"team": "web"}},
    "shared": {"name": "corp-net", "external": true}
  })")
                                .dump());
  EXPECT_FALSE(stack_to_json(load_ok("services:\n  a:\n    image: x\n    network_mode: host\n"))
                   .contains("networks"));
}

TEST(StackNetworks, NoDefaultNetworkWhenNoServiceUsesIt) {
  Stack st = load_ok(
      "services:\n  a:\n    image: x\n    networks: [n]\n  h:\n    image: x\n"
      "    network_mode: host\nnetworks:\n  n: {}\n");
  EXPECT_FALSE(st.networks.contains("default"));
  EXPECT_THAT(st.find("h")->networks, IsEmpty());
}

TEST(StackNetworks, ADeclaredDefaultNetworkKeepsItsName) {
  Stack st =
      load_ok("services:\n  a:\n    image: x\nnetworks:\n  default:\n    name: shared-lan\n");
  EXPECT_EQ(st.networks.at("default").name, "shared-lan");
}

TEST(StackNetworks, DriverMustBeOneThePodmanEngineCreates) {
  EXPECT_THAT(errors("services:\n  a:\n    image: x\nnetworks:\n  n:\n    driver: overlay\n"),
              ElementsAre(HasSubstr("compose.yaml:6:13: network driver \"overlay\" of network "
                                    "\"n\" is not supported")));
  EXPECT_THAT(errors("services:\n  a:\n    image: x\nnetworks:\n  n:\n    driver: macvlan\n"),
              IsEmpty());
}

TEST(StackNetworks, AnExternalNetworkTakesOnlyItsName) {
  EXPECT_THAT(
      errors("services:\n  a:\n    image: x\nnetworks:\n  n:\n    external: true\n"
             "    internal: true\n"),
      ElementsAre(HasSubstr("compose.yaml:7:5: network \"n\" is external: \"internal\" cannot be "
                            "set")));
  Stack legacy = load_ok(
      "services:\n  a:\n    image: x\n    networks: [n]\nnetworks:\n  n:\n"
      "    external: true\n");
  EXPECT_EQ(legacy.networks.at("n").name, "n");  // an external network keeps its key as name
}

TEST(StackNetworks, SubnetMustBeACidrAndTheGatewayInsideIt) {
  const std::string head =
      "services:\n  a:\n    image: x\nnetworks:\n  n:\n    ipam:\n      config:\n";
  EXPECT_THAT(errors(head + "        - subnet: 10.5.0.0\n"),
              ElementsAre(HasSubstr("compose.yaml:8:19: subnet \"10.5.0.0\" of network \"n\" is "
                                    "not a CIDR")));
  EXPECT_THAT(errors(head + "        - subnet: 10.5.0.0/24\n          gateway: 10.6.0.1\n"),
              ElementsAre(HasSubstr("gateway \"10.6.0.1\" of network \"n\" is not an address in "
                                    "subnet 10.5.0.0/24")));
  EXPECT_THAT(errors(head + "        - gateway: 10.6.0.1\n"),
              ElementsAre(HasSubstr("has no subnet")));
  EXPECT_THAT(errors(head + "        - subnet: fd00:5::/64\n"), IsEmpty());
  EXPECT_THAT(errors("services:\n  a:\n    image: x\nnetworks:\n  n:\n    ipam:\n"
                     "      driver: dhcp\n"),
              ElementsAre(HasSubstr("ipam driver \"dhcp\" of network \"n\" is not supported")));
}

TEST(StackNetworks, AFixedAddressMustLieInASubnetOfItsNetwork) {
  const std::string services =
      "services:\n  a:\n    image: x\n    networks:\n      n:\n        ipv4_address: ";
  EXPECT_THAT(errors(services + "10.9.0.7\nnetworks:\n  n:\n    ipam:\n      config:\n"
                                "        - subnet: 10.5.0.0/24\n"),
              ElementsAre(HasSubstr("compose.yaml:5:7: ipv4_address 10.9.0.7 of service \"a\" is "
                                    "in no subnet of network \"n\"")));
  EXPECT_THAT(errors(services + "10.5.0.7\nnetworks:\n  n: {}\n"),
              ElementsAre(HasSubstr("a fixed address needs a subnet")));
  EXPECT_THAT(errors(services + "10.5.0.300\nnetworks:\n  n: {}\n"),
              ElementsAre(HasSubstr("ipv4_address \"10.5.0.300\" of network \"n\" of service \"a\" "
                                    "is not an IPv4 address")));
}

TEST(StackNetworks, ServiceNetworksIsAListOrAMapping) {
  EXPECT_THAT(errors("services:\n  a:\n    image: x\n    networks: front\n"),
              ElementsAre(HasSubstr("networks of service \"a\"")));
  EXPECT_THAT(errors("services:\n  a:\n    image: x\n    networks:\n      n:\n"
                     "        aliases: one\nnetworks:\n  n: {}\n"),
              ElementsAre(HasSubstr("aliases of network \"n\" of service \"a\"")));
}

TEST(StackNetworks, CidrHelpers) {
  EXPECT_TRUE(ipv4_in_subnet("10.5.0.255", "10.5.0.0/24"));
  EXPECT_FALSE(ipv4_in_subnet("10.5.1.0", "10.5.0.0/24"));
  EXPECT_TRUE(ipv4_in_subnet("192.168.1.1", "0.0.0.0/0"));
  EXPECT_FALSE(ipv4_in_subnet("10.5.0.1", "10.5.0.0/33"));
  EXPECT_TRUE(valid_cidr("fd00::/64"));
  EXPECT_FALSE(valid_cidr("fd00::/129"));
  EXPECT_FALSE(valid_cidr("10.0.0.0/"));
}

TEST(StackNetworks, TheSpecHashCoversMembershipAliasesAndAddresses) {
  const std::string base = "services:\n  a:\n    image: x\n";
  auto hash = [](const std::string& yaml) {
    Stack st = load_ok(yaml);
    return spec_hash(*st.find("a"), st);
  };
  const std::string plain = hash(base);
  // The implicit default, named or not, hashes as before networks were read.
  EXPECT_EQ(hash(base + "    networks: [default]\n"), plain);
  const std::string on_n = hash(base + "    networks: [n]\nnetworks:\n  n: {}\n");
  EXPECT_NE(on_n, plain);
  EXPECT_NE(hash(base + "    networks:\n      n:\n        aliases: [b]\nnetworks:\n  n: {}\n"),
            on_n);
  EXPECT_NE(hash(base + "    networks: [n]\nnetworks:\n  n:\n    name: other\n"), on_n);
  // A network's own settings are the network's, not the container's.
  EXPECT_EQ(hash(base + "    networks: [n]\nnetworks:\n  n:\n    labels: {a: b}\n"), on_n);
}

TEST(PodmanNetworks, TheCreateBodyCarriesTheNetworksSettings) {
  Stack st = load_ok(k_two_networks);
  EXPECT_EQ(engine::podman::network_create_body(st.networks.at("back"), "app"),
            ordered_json::parse(R"({"name":"app_back","driver":"bridge","dns_enabled":true,
              "internal":true,"ipv6_enabled":false,"labels":{"io.edgecrew.project":"app"},
              "options":{"mtu":"1400"},
              "subnets":[{"subnet":"10.5.0.0/24","gateway":"10.5.0.1"}]})"));
  // The project's label wins over a user label of the same name.
  Network front = st.networks.at("front");
  front.labels["io.edgecrew.project"] = "someone-else";
  ordered_json body = engine::podman::network_create_body(front, "app");
  EXPECT_EQ(body["labels"], ordered_json::parse(R"({"io.edgecrew.project":"app","team":"web"})"));
  EXPECT_FALSE(body.contains("subnets"));
}

TEST(PodmanNetworks, AContainerJoinsItsNetworksWithAliasesAndAddresses) {
  Stack st = load_ok(k_two_networks);
  auto spec = engine::podman::map_service(*st.find("api"), st, "H");
  EXPECT_EQ(spec.body["networks"], ordered_json::parse(R"({
      "app_back": {"aliases": ["api"], "static_ips": ["10.5.0.7"]},
      "app_front": {"aliases": ["api", "gateway"]}})"));
  auto solo = engine::podman::map_service(*st.find("solo"), st, "H");
  EXPECT_EQ(solo.body["networks"], ordered_json::parse(R"({"app_default":{"aliases":["solo"]}})"));
}

TEST(PodmanNetworks, AnAnonymousVolumeGetsTheVolumeFoundForItsTarget) {
  Stack st = load_ok("services:\n  a:\n    image: x\n    volumes: [/data, /cache]\n");
  auto spec = engine::podman::map_service(*st.find("a"), st, "H", {{"/data", "abc123"}});
  EXPECT_EQ(spec.body["volumes"], ordered_json::parse(R"([
      {"Name": "abc123", "Dest": "/data", "Options": []},
      {"Name": "", "Dest": "/cache", "Options": []}])"));
}

}  // namespace
}  // namespace edgecrew::stack
