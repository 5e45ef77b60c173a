// userns_mode: each rule of Podman's --userns grammar with a value it takes and one it refuses,
// the diagnostics exactly as printed, the canonical form and the spec hash.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using test::load_text;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string with_userns(const std::string& mode) {
  return "services:\n  a:\n    image: x\n    userns_mode: \"" + mode + "\"\n";
}

// The service's Userns, from a value that must load without a diagnostic.
Userns userns_of(const std::string& mode) {
  auto r = load_text(with_userns(mode));
  EXPECT_THAT(formatted(r.diagnostics), IsEmpty()) << mode;
  if (!r.stack || !r.stack->services[0].userns) {
    ADD_FAILURE() << mode << ": no userns";
    return {};
  }
  return *r.stack->services[0].userns;
}

// The one error a value gets, as printed.
std::vector<std::string> errors_of(const std::string& mode) {
  auto r = load_text(with_userns(mode));
  EXPECT_FALSE(r.stack.has_value()) << mode;
  return formatted(r.diagnostics);
}

TEST(Userns, UnsetIsTheEnginesDefault) {
  auto r = load_text("services:\n  a:\n    image: x\n");
  ASSERT_TRUE(r.stack);
  EXPECT_FALSE(r.stack->services[0].userns.has_value());
}

TEST(Userns, HostAndEmptyAreHost) {
  EXPECT_EQ(userns_of("host").kind, UsernsKind::host);
  EXPECT_EQ(userns_of("").kind, UsernsKind::host);  // Podman reads "" as host
  EXPECT_EQ(to_string(userns_of("")), "host");
}

TEST(Userns, KeepIdWithAndWithoutIds) {
  Userns plain = userns_of("keep-id");
  EXPECT_EQ(plain.kind, UsernsKind::keep_id);
  EXPECT_FALSE(plain.uid);
  EXPECT_FALSE(plain.gid);
  Userns ids = userns_of("keep-id:uid=1000,gid=100");
  EXPECT_EQ(ids.uid, 1000u);
  EXPECT_EQ(ids.gid, 100u);
  EXPECT_EQ(to_string(ids), "keep-id:uid=1000,gid=100");
  EXPECT_EQ(userns_of("keep-id:gid=4294967295").gid, 4294967295u);
  EXPECT_EQ(to_string(userns_of("keep-id:gid=5,uid=7")), "keep-id:uid=7,gid=5");
}

TEST(Userns, KeepIdRefusesWhatPodmanRefuses) {
  EXPECT_THAT(errors_of("keep-id:uid=x"),
              ElementsAre("compose.yaml:4:18: userns_mode \"keep-id:uid=x\" of service \"a\": "
                          "keep-id uid \"x\" is not a number (an id from 0 to 4294967295)"));
  EXPECT_THAT(errors_of("keep-id:uid=4294967296"),
              ElementsAre(::testing::HasSubstr("keep-id uid \"4294967296\" is not a number")));
  EXPECT_THAT(errors_of("keep-id:uid=-1"),
              ElementsAre(::testing::HasSubstr("keep-id uid \"-1\" is not a number")));
  // Podman 4.3's keep-id knows uid and gid only (size= came later).
  EXPECT_THAT(errors_of("keep-id:size=10"),
              ElementsAre("compose.yaml:4:18: userns_mode \"keep-id:size=10\" of service \"a\": "
                          "keep-id takes no option \"size\" (Podman's keep-id takes uid=N and "
                          "gid=N)"));
  EXPECT_THAT(errors_of("keep-id:uid"),
              ElementsAre("compose.yaml:4:18: userns_mode \"keep-id:uid\" of service \"a\": "
                          "option \"uid\" has no value (write options as KEY=VALUE, separated by "
                          "commas)"));
  EXPECT_THAT(errors_of("keep-id:"), ElementsAre(::testing::HasSubstr("option \"\" has no value")));
}

TEST(Userns, AutoWithSizeAndMappings) {
  Userns plain = userns_of("auto");
  EXPECT_EQ(plain.kind, UsernsKind::automatic);
  EXPECT_FALSE(plain.size);
  Userns u = userns_of("auto:size=65536,uidmapping=0:100000:10:10:200000:5,gidmapping=0:1:1");
  EXPECT_EQ(u.size, 65536u);
  ASSERT_EQ(u.uid_mappings.size(), 2u);
  EXPECT_EQ(u.uid_mappings[1].container_id, 10u);
  EXPECT_EQ(u.uid_mappings[1].host_id, 200000u);
  EXPECT_EQ(u.uid_mappings[1].size, 5u);
  ASSERT_EQ(u.gid_mappings.size(), 1u);
  EXPECT_EQ(to_string(u),
            "auto:size=65536,uidmapping=0:100000:10,uidmapping=10:200000:5,gidmapping=0:1:1");
  // Repeated mappings add up, as in Podman.
  EXPECT_EQ(userns_of("auto:uidmapping=0:1:1,uidmapping=1:2:1").uid_mappings.size(), 2u);
}

TEST(Userns, AutoRefusesWhatPodmanRefuses) {
  EXPECT_THAT(errors_of("auto:size=big"),
              ElementsAre("compose.yaml:4:18: userns_mode \"auto:size=big\" of service \"a\": "
                          "auto size \"big\" is not a positive number (the number of ids in the "
                          "namespace, e.g. size=65536; leave it out to let Podman estimate it "
                          "from the image)"));
  EXPECT_THAT(errors_of("auto:size=0"),
              ElementsAre(::testing::HasSubstr("auto size \"0\" is not a positive number")));
  EXPECT_THAT(errors_of("auto:uidmapping=0:1"),
              ElementsAre("compose.yaml:4:18: userns_mode \"auto:uidmapping=0:1\" of service "
                          "\"a\": auto uidmapping \"0:1\" is not CONTAINER:HOST:SIZE (three "
                          "numbers, e.g. uidmapping=0:100000:65536)"));
  EXPECT_THAT(errors_of("auto:gidmapping=a:b:c"),
              ElementsAre(::testing::HasSubstr("auto gidmapping \"a:b:c\" is not")));
  EXPECT_THAT(errors_of("auto:uid=1"),
              ElementsAre("compose.yaml:4:18: userns_mode \"auto:uid=1\" of service \"a\": auto "
                          "takes no option \"uid\" (Podman's auto takes size=N, uidmapping=C:H:N "
                          "and gidmapping=C:H:N)"));
  EXPECT_THAT(errors_of("auto:"), ElementsAre(::testing::HasSubstr("option \"\" has no value")));
}

TEST(Userns, Nomap) {
  EXPECT_EQ(userns_of("nomap").kind, UsernsKind::nomap);
  EXPECT_THAT(errors_of("nomap:x"),
              ElementsAre("compose.yaml:4:18: unknown userns_mode \"nomap:x\" of service \"a\" "
                          "(use host, auto[:size=N,uidmapping=C:H:N,gidmapping=C:H:N], "
                          "keep-id[:uid=N,gid=N], nomap or ns:/PATH)"));
}

TEST(Userns, NsTakesAnAbsolutePath) {
  Userns u = userns_of("ns:/proc/1/ns/user");
  EXPECT_EQ(u.kind, UsernsKind::path);
  EXPECT_EQ(u.path, "/proc/1/ns/user");
  EXPECT_EQ(to_string(u), "ns:/proc/1/ns/user");
  EXPECT_THAT(errors_of("ns:"),
              ElementsAre("compose.yaml:4:18: userns_mode \"ns:\" of service \"a\": ns: needs an "
                          "absolute path (the path of a user namespace on the engine's host, e.g. "
                          "ns:/proc/1234/ns/user)"));
  EXPECT_THAT(errors_of("ns:proc/1/ns/user"),
              ElementsAre(::testing::HasSubstr("ns: needs an absolute path")));
}

TEST(Userns, ModesEdgecrewDoesNotRun) {
  EXPECT_THAT(errors_of("private"),
              ElementsAre("compose.yaml:4:18: userns_mode \"private\" of service \"a\" is not "
                          "supported (use auto for a private user namespace)"));
  EXPECT_THAT(errors_of("container:db"),
              ElementsAre(::testing::HasSubstr("each service has its own user namespace")));
  EXPECT_THAT(errors_of("pod"), ElementsAre(::testing::HasSubstr("is not supported")));
  EXPECT_THAT(errors_of("keepid"), ElementsAre(::testing::HasSubstr("unknown userns_mode")));
  EXPECT_THAT(errors_of("HOST"), ElementsAre(::testing::HasSubstr("unknown userns_mode")));
}

TEST(Userns, NotAStringIsATypeError) {
  auto r = load_text("services:\n  a:\n    image: x\n    userns_mode: [host]\n");
  EXPECT_FALSE(r.stack);
  EXPECT_THAT(formatted(r.diagnostics), ElementsAre(::testing::HasSubstr("compose.yaml:4:18")));
}

TEST(Userns, IsInTheNormalizedStackAndTheSpecHash) {
  auto base = load_text(with_userns("host"));
  auto keep = load_text(with_userns("keep-id"));
  auto keep_uid = load_text(with_userns("keep-id:uid=1"));
  auto none = load_text("services:\n  a:\n    image: x\n");
  ASSERT_TRUE(base.stack && keep.stack && keep_uid.stack && none.stack);
  EXPECT_EQ(stack_to_json(*keep_uid.stack)["services"]["a"]["userns_mode"], "keep-id:uid=1");
  std::set<std::string> hashes;
  for (const auto* r : {&base, &keep, &keep_uid, &none}) {
    hashes.insert(spec_hash(r->stack->services[0], *r->stack));
  }
  EXPECT_EQ(hashes.size(), 4u);
}

}  // namespace
}  // namespace edgecrew::stack
