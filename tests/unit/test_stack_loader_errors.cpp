// Every problem the stack loader reports, with the exact text `edgecrew` prints for it
// (FILE:LINE:COL: message (hint)), and that a stack with any error is not returned.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "host_tree.h"
#include "stack/compose_loader.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using test::load_text;
using test::options_for_tests;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Loads `text` (as /srv/app/compose.yaml) and expects exactly `want`, errors and warnings in the
// order reported; the stack is returned exactly when there is no error.
LoadResult expect_diagnostics(const std::string& text, const std::vector<std::string>& want,
                              const LoadOptions& options = options_for_tests()) {
  LoadResult r = load_text(text, options);
  EXPECT_THAT(formatted(r.diagnostics), ElementsAreArray(want)) << text;
  EXPECT_EQ(r.stack.has_value(), !r.diagnostics.has_errors());
  return r;
}

TEST(LoaderErrors, UnknownServiceKeySuggestsTheKnownOne) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    imagee: nginx\n",
      {"compose.yaml:3:5: unknown key \"imagee\" in service \"a\" (did you mean \"image\"?)",
       "compose.yaml:2:3: service \"a\" has no image (add image: NAME:TAG, or build: with the "
       "directory to build it from)"});
  // Far from every key: no suggestion.
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    frobnicate: 1\n",
      {"compose.yaml:4:5: unknown key \"frobnicate\" in service \"a\""});
  // Nested mappings too.
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"true\"]\n"
      "      intervall: 5s\n",
      {"compose.yaml:6:7: unknown key \"intervall\" in healthcheck (did you mean \"interval\"?)"});
}

TEST(LoaderErrors, UnknownTopLevelKey) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "volume:\n"
      "  data: {}\n"
      "foo: 1\n",
      {"compose.yaml:4:1: unknown key \"volume\" in the stack file (did you mean \"volumes\"?)",
       "compose.yaml:6:1: unknown key \"foo\" in the stack file"});
}

TEST(LoaderErrors, UnknownKeysInTopLevelVolumesAndExtension) {
  expect_diagnostics(
      "x-edgecrew:\n"
      "  engine: docker\n"
      "  cri-endpoint: /run/x.sock\n"
      "services:\n"
      "  a: {image: x}\n"
      "volumes:\n"
      "  data: {drivr: local}\n",
      {"compose.yaml:3:3: unknown key \"cri-endpoint\" in x-edgecrew (did you mean "
       "\"cri_endpoint\"?)",
       "compose.yaml:2:11: unknown engine \"docker\" (use podman or cri)",
       "compose.yaml:7:10: unknown key \"drivr\" in volume \"data\" (did you mean \"driver\"?)"});
}

TEST(LoaderErrors, WrongTypes) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: [nginx]\n"
      "    environment: 5\n"
      "    ports: \"80:80\"\n"
      "    init: maybe\n"
      "    command: {a: b}\n"
      "    profiles: [[x]]\n"
      "    volumes: data:/d\n"
      "    depends_on: 3\n"
      "    devices: {a: b}\n"
      "    labels: [[a]]\n",
      {"compose.yaml:3:12: \"image\" of service \"a\" must be a string, not a list",
       "compose.yaml:5:12: ports must be a list, not a string",
       "compose.yaml:6:11: \"init\" of service \"a\" must be true or false",
       "compose.yaml:7:14: \"command\" of service \"a\" must be a list of strings, not a mapping",
       "compose.yaml:8:16: \"profiles\" of service \"a\" entry must be a string, not a list",
       "compose.yaml:9:14: volumes must be a list, not a string",
       "compose.yaml:10:17: depends_on must be a mapping, not a string",
       "compose.yaml:11:14: devices must be a list, not a mapping",
       "compose.yaml:12:13: \"labels\" of service \"a\" must be a mapping or a list of KEY=VALUE "
       "strings, not a list",
       // environment is decoded last, after env_file, which it overrides.
       "compose.yaml:4:18: environment of service \"a\" must be a mapping or a list of KEY=VALUE "
       "strings, not a string"});
  expect_diagnostics("services: [a]\n",
                     {"compose.yaml:1:11: services must be a mapping, not a list"});
  expect_diagnostics("- a\n- b\n",
                     {"compose.yaml:1:1: a stack file must be a mapping with a services key"});
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    depends_on: [{b: c}]\n"
      "    environment:\n"
      "      A: [1]\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        tcp:\n"
      "          port: http\n",
      {"compose.yaml:4:18: depends_on entry must be a string, not a mapping",
       "compose.yaml:10:17: probe tcp port must be a whole number",
       "compose.yaml:10:17: probe tcp needs a port from 1 to 65535",
       "compose.yaml:6:10: environment of service \"a\" \"A\" must be a string, not a list"});
}

TEST(LoaderErrors, EmptyService) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "  b: {image: x}\n",
      {"compose.yaml:2:3: service \"a\" is empty (give it an image)"});
}

TEST(LoaderErrors, DependsOnAMissingService) {
  expect_diagnostics(
      "services:\n"
      "  db:\n"
      "    image: x\n"
      "  a:\n"
      "    image: x\n"
      "    depends_on: [dbb, zzz]\n",
      {"compose.yaml:6:18: service \"a\" depends on \"dbb\", which is not defined (did you mean "
       "\"db\"?)",
       "compose.yaml:6:23: service \"a\" depends on \"zzz\", which is not defined (services are: "
       "a, db)"});
}

TEST(LoaderErrors, DependsOnUnknownCondition) {
  expect_diagnostics(
      "services:\n"
      "  db:\n"
      "    image: x\n"
      "  a:\n"
      "    image: x\n"
      "    depends_on:\n"
      "      db:\n"
      "        condition: service_healty\n"
      "        required: maybe\n",
      {"compose.yaml:8:20: unknown depends_on condition \"service_healty\" (did you mean "
       "\"service_healthy\"?)",
       "compose.yaml:9:19: required must be true or false"});
}

TEST(LoaderErrors, DependencyCycleIsPrinted) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    depends_on: [b]\n"
      "  b:\n"
      "    image: x\n"
      "    depends_on:\n"
      "      a:\n"
      "        condition: service_started\n",
      {"compose.yaml:8:7: dependency cycle: a -> b -> a (remove one of these depends_on "
       "entries)"});
  // A longer cycle, entered from a service outside it, is printed from where it closes, once.
  expect_diagnostics(
      "services:\n"
      "  a: {image: x, depends_on: [c]}\n"
      "  b: {image: x, depends_on: [d]}\n"
      "  c: {image: x, depends_on: [d]}\n"
      "  d: {image: x, depends_on: [e]}\n"
      "  e: {image: x, depends_on: [c]}\n"
      "  f: {image: x, depends_on: [f]}\n",
      {"compose.yaml:7:30: service \"f\" depends on itself",
       "compose.yaml:6:30: dependency cycle: c -> d -> e -> c (remove one of these depends_on "
       "entries)"});
}

TEST(LoaderErrors, HealthyConditionNeedsAHealthcheckOrProbe) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    depends_on:\n"
      "      b:\n"
      "        condition: service_healthy\n"
      "      c:\n"
      "        condition: service_healthy\n"
      "      d:\n"
      "        condition: service_healthy\n"
      "  b:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      disable: true\n"
      "  c:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"true\"]\n"
      "  d:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        tcp: {port: 1}\n",
      {"compose.yaml:5:7: service \"a\" waits for \"b\" to be healthy, but \"b\" has no "
       "healthcheck and no x-edgecrew probe (give \"b\" a healthcheck or an x-edgecrew probe, or "
       "use condition: service_started)"});
}

TEST(LoaderErrors, DuplicatePublishedHostPorts) {
  auto r = expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    ports:\n"
      "      - \"8080:80\"\n"
      "      - \"53:53/udp\"\n"
      "      - 127.0.0.1:9000:9000\n"
      "  b:\n"
      "    image: x\n"
      "    ports:\n"
      "      - 127.0.0.1:8080:80\n"
      "      - \"53:53/tcp\"\n"
      "      - 10.0.0.1:9000:9000\n"
      "      - 0.0.0.0:9000:9001\n"
      "      - \"7000-7002:7000-7002\"\n"
      "      - \"3000\"\n"
      "      - \"3000\"\n"
      "  c:\n"
      "    image: x\n"
      "    network_mode: host\n"
      "    ports: [\"8080:80\", \"7001:1\"]\n"
      "  d:\n"
      "    image: x\n"
      "    ports: [\"7001:1\"]\n",
      {// the wildcard of "a" covers 127.0.0.1
       "compose.yaml:11:9: host port 8080/tcp of service \"b\" is already published by service "
       "\"a\" (line 5) (publish it on another host port)",
       // 53/tcp does not collide with 53/udp, nor two different addresses; 0.0.0.0 is wildcard
       "compose.yaml:14:9: host port 9000/tcp of service \"b\" is already published by service "
       "\"a\" (line 7) (publish it on another host port)",
       "compose.yaml:21:13: warning: ports of service \"c\" are ignored with network_mode: host "
       "(on the host network the service listens on the host's ports directly)",
       // one port inside a range; container-only ports publish nothing
       "compose.yaml:24:13: host port 7001/tcp of service \"d\" is already published by service "
       "\"b\" (line 15) (publish it on another host port)"});
  EXPECT_EQ(r.diagnostics.error_count(), 3u);
}

TEST(LoaderErrors, ShortNeo4jPasswordIsReportedWithoutThePassword) {
  LoadOptions options = options_for_tests();
  options.environment = {{"PW", "tiny"}};
  auto r = expect_diagnostics(
      "services:\n"
      "  n:\n"
      "    image: neo4j\n"
      "    environment:\n"
      "      NEO4J_AUTH: neo4j/short\n"
      "  m:\n"
      "    image: neo4j\n"
      "    environment:\n"
      "      - NEO4J_AUTH=neo4j/${PW}\n"
      "  o:\n"
      "    image: neo4j\n"
      "    environment:\n"
      "      NEO4J_AUTH: neo4jpassword\n"
      "  p:\n"
      "    image: neo4j\n"
      "    environment:\n"
      "      - \"NEO4J_AUTH=neo4j/12345678\"\n"
      "  q:\n"
      "    image: neo4j\n"
      "    environment: {NEO4J_AUTH: none}\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        neo4j:\n"
      "          bolt: bolt://127.0.0.1:7687\n"
      "          password: seven77\n",
      {"compose.yaml:5:19: the Neo4j password in NEO4J_AUTH of service \"n\" has 5 characters; "
       "Neo4j 5 requires at least 8 (set a longer NEO4J_PASSWORD; edgecrew init generates one)",
       "compose.yaml:9:20: the Neo4j password in NEO4J_AUTH of service \"m\" has 4 characters; "
       "Neo4j 5 requires at least 8 (set a longer NEO4J_PASSWORD; edgecrew init generates one)",
       "compose.yaml:13:19: NEO4J_AUTH must be USER/PASSWORD or none (for example NEO4J_AUTH: "
       "neo4j/${NEO4J_PASSWORD})",
       "compose.yaml:23:9: probe neo4j password of service \"q\" has 7 characters; Neo4j 5 "
       "requires at least 8"},
      options);
  for (const auto& line : formatted(r.diagnostics)) {
    EXPECT_THAT(line, Not(HasSubstr("short")));
    EXPECT_THAT(line, Not(HasSubstr("tiny")));
    EXPECT_THAT(line, Not(HasSubstr("neo4jpassword")));
    EXPECT_THAT(line, Not(HasSubstr("seven77")));
  }
}

TEST(LoaderErrors, MalformedCdiNamesAndDevices) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    devices:\n"
      "      - nvidia.com/gpu=\n"
      "      - 9nvidia.com/gpu=0\n"
      "      - nvidia.com/g+pu=0\n"
      "      - nvidia.com/gpu\n"
      "      - /dev/x:/dev/y:rwx\n"
      "      - /dev/a:/dev/b:rw:extra\n",
      {"compose.yaml:5:9: invalid device name \"\" in CDI name \"nvidia.com/gpu=\": it is empty (a "
       "CDI name looks like nvidia.com/gpu=all)",
       "compose.yaml:6:9: invalid vendor \"9nvidia.com\" in CDI name \"9nvidia.com/gpu=0\": it "
       "must "
       "start with a letter (a CDI name looks like nvidia.com/gpu=all)",
       "compose.yaml:7:9: invalid class \"g+pu\" in CDI name \"nvidia.com/g+pu=0\": character '+' "
       "is not allowed (a CDI name looks like nvidia.com/gpu=all)",
       "compose.yaml:8:9: device \"nvidia.com/gpu\" is neither a host path nor a CDI name (write "
       "/dev/PATH, or a CDI name like nvidia.com/gpu=all)",
       "compose.yaml:9:9: device permissions \"rwx\" are not valid (use a combination of r, w and "
       "m)",
       "compose.yaml:10:9: cannot read device \"/dev/a:/dev/b:rw:extra\" (write "
       "HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]])"});
}

TEST(LoaderErrors, GpuReservations) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    deploy:\n"
      "      resources:\n"
      "        reservations:\n"
      "          devices:\n"
      "            - count: 0\n"
      "              capabilities: [gpu]\n"
      "            - count: 1\n"
      "              device_ids: [\"0\"]\n"
      "              capabilities: [gpu]\n"
      "            - driver: amd\n"
      "              capabilities: [gpu]\n"
      "            - count: all\n"
      "            - capabilities: [compute]\n",
      {"compose.yaml:8:22: device count must be \"all\" or at least 1",
       "compose.yaml:10:22: count and device_ids cannot both be set (keep device_ids to pick GPUs, "
       "or count to take any)",
       "compose.yaml:13:23: GPU driver \"amd\" is not supported (use driver: nvidia, or name the "
       "device by CDI name under devices:)",
       "compose.yaml:15:15: a reservations device needs capabilities (capabilities: [gpu])",
       "compose.yaml:16:15: warning: a reservations device without the \"gpu\" capability is "
       "ignored (capabilities: [gpu])"});
}

TEST(LoaderErrors, MissingBindSourceIsOnlyAWarning) {
  auto r = expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    volumes:\n"
      "      - ./missing:/m\n"
      "      - type: bind\n"
      "        source: /nonexistent/abs\n"
      "        target: /n\n"
      "        bind:\n"
      "          create_host_path: false\n",
      {"compose.yaml:5:9: warning: bind source /srv/app/missing of service \"a\" does not exist "
       "(create it first; an engine may create it empty, owned by root)",
       "compose.yaml:6:9: warning: bind source /nonexistent/abs of service \"a\" does not exist "
       "(create it first; the container will not start without it)"});
  ASSERT_TRUE(r.stack.has_value());
  EXPECT_EQ(r.stack->services.at(0).mounts.size(), 2u);
}

TEST(LoaderErrors, UndeclaredNamedVolume) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    volumes:\n"
      "      - data:/d\n"
      "      - type: volume\n"
      "        source: cache\n"
      "        target: /c\n"
      "      - /anonymous\n"
      "volumes:\n"
      "  other: {}\n",
      {"compose.yaml:5:9: service \"a\" mounts volume \"data\", which is not declared under the "
       "top-level volumes (add \"volumes: {data: {}}\" at the top level, or start the source with "
       "/ or ./ for a host path)",
       "compose.yaml:6:9: service \"a\" mounts volume \"cache\", which is not declared under the "
       "top-level volumes (add \"volumes: {cache: {}}\" at the top level, or start the source with "
       "/ or ./ for a host path)"});
}

TEST(LoaderErrors, VolumeSyntax) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    volumes:\n"
      "      - data:/d:rox\n"
      "      - data:d\n"
      "      - a:/b:ro:d\n"
      "      - type: npipe\n"
      "        target: /p\n"
      "      - type: bind\n"
      "        target: /q\n"
      "      - type: volume\n"
      "        source: data\n"
      "volumes:\n"
      "  data:\n",
      {"compose.yaml:5:9: unknown volume option \"rox\" in \"data:/d:rox\" (use ro or rw)",
       "compose.yaml:6:9: volume target \"d\" is not an absolute path (the path inside the "
       "container starts with /)",
       "compose.yaml:7:9: cannot read volume \"a:/b:ro:d\" (write SOURCE:TARGET[:ro], or use the "
       "long syntax)",
       "compose.yaml:8:15: volume type \"npipe\" is not supported (use volume, bind or tmpfs)",
       "compose.yaml:10:9: a bind volume needs a source (source: /path/on/host)",
       "compose.yaml:12:9: volume entry needs an absolute target (target: /path/in/container)"});
}

TEST(LoaderErrors, PortSyntax) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    ports:\n"
      "      - \"99999:80\"\n"
      "      - 80/sctpx\n"
      "      - published: 80\n"
      "      - target: 80\n"
      "        published: 70000\n",
      {"compose.yaml:5:9: port \"99999\" is out of range 1-65535 (write "
       "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])",
       "compose.yaml:6:9: invalid protocol \"sctpx\" (expected tcp, udp or sctp) (write "
       "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])",
       "compose.yaml:7:9: port entry needs a target (target: CONTAINER_PORT)",
       "compose.yaml:8:9: port \"70000\" is out of range 1-65535"});
}

TEST(LoaderErrors, UnsetVariablePointsAtTheDollar) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: nginx:${TAG}\n"
      "    command: [\"run\", \"--x=${X:?needs X}\"]\n"
      "    user: ${U?}\n"
      "    working_dir: $WD\n"
      "    hostname: ${H:-${INNER}}\n",
      {"compose.yaml:3:18: variable \"TAG\" is not set (set it in the environment or in .env, or "
       "give a default: ${TAG:-value})",
       "compose.yaml:4:27: variable \"X\" is required: needs X (set it in the environment or in "
       ".env)",
       "compose.yaml:5:11: variable \"U\" is required (set it in the environment or in .env)",
       "compose.yaml:6:18: variable \"WD\" is not set (set it in the environment or in .env, or "
       "give a default: ${WD:-value})",
       "compose.yaml:7:20: variable \"INNER\" is not set (set it in the environment or in .env, or "
       "give a default: ${INNER:-value})"});
}

TEST(LoaderErrors, InterpolationSyntax) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: 'x:${TAG'\n"
      "    user: ${1X}\n"
      "    hostname: ${H:x}\n",
      {"compose.yaml:3:15: unterminated \"${\" (close it with \"}\", or write \"$$\" for a literal "
       "\"$\")",
       "compose.yaml:4:11: invalid variable name \"1X\" (a name starts with a letter or \"_\" and "
       "has only letters, digits and \"_\"; write \"$$\" for a literal \"$\")",
       "compose.yaml:5:15: expected \"-\", \"?\" or \"+\" after \"${H:\" (use ${H:-default}, "
       "${H:?message} or ${H:+alternative})"});
}

TEST(LoaderErrors, YamlSyntaxErrorHasLineAndColumn) {
  auto r = expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    ports: [80\n",
      {"compose.yaml:5:1: YAML syntax error: end of sequence flow not found (check the indentation "
       "and quoting on this line and the one above)"});
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: nginx: latest\n",
      {"compose.yaml:3:17: YAML syntax error: illegal map value (check the indentation and quoting "
       "on this line and the one above)"});
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "   bad: y\n",
      {"compose.yaml:4:4: YAML syntax error: end of map not found (check the indentation and "
       "quoting on this line and the one above)"});
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    <<: *base\n",
      {"compose.yaml:3:9: YAML syntax error: the referenced anchor is not defined (check the "
       "indentation and quoting on this line and the one above)"});
}

// yaml-cpp 0.7 never returns from a file where a document starts at a ',' (found by the compose
// fuzzer: 1 GB in 7 s); the loader finds it first and says where.
TEST(LoaderErrors, AStrayCommaIsAnErrorNotAHang) {
  const std::string what =
      ": YAML syntax error: did not find expected node content (',' outside a flow collection "
      "[...] or {...}) (remove it, or put the list it belongs to in [ ])";
  expect_diagnostics(",\n", {"compose.yaml:1:1" + what});
  expect_diagnostics("  ,    - redis-server\n", {"compose.yaml:1:3" + what});
  expect_diagnostics("[a], - b\n", {"compose.yaml:1:4" + what});
  expect_diagnostics("services: {a: {image: x}}\n---\n,\n", {"compose.yaml:3:1" + what});
  // Inside a document yaml-cpp says what is wrong itself.
  expect_diagnostics("services:\n  a:\n    image: x\n  ,    - redis-server\n",
                     {"compose.yaml:4:3: YAML syntax error: end of map not found (check the "
                      "indentation and quoting on this line and the one above)"});
  // Commas and brackets where they belong are not touched.
  expect_diagnostics("services:\n  a: {image: x, command: [\"a,b\", \"]\"]}\n", {});
}

TEST(LoaderErrors, DuplicateKeysAndBadMergeKeys) {
  expect_diagnostics(
      "x-base: &base [1, 2]\n"
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    image: y\n"
      "  b:\n"
      "    <<: *base\n"
      "    image: x\n"
      "  c:\n"
      "    <<: not-a-mapping\n"
      "    image: x\n",
      {"compose.yaml:5:5: duplicate key \"image\" (a key may appear once in a mapping)",
       "compose.yaml:1:16: a merge key (<<) takes a mapping or a list of mappings",
       "compose.yaml:1:19: a merge key (<<) takes a mapping or a list of mappings",
       "compose.yaml:10:9: a merge key (<<) takes a mapping or a list of mappings"});
}

TEST(LoaderErrors, InvalidServiceNames) {
  expect_diagnostics(
      "services:\n"
      "  -bad: {image: x}\n"
      "  \"my app\": {image: x}\n"
      "  ok.name_1-x: {image: x}\n",
      {"compose.yaml:2:3: service name \"-bad\" is not valid (use letters, digits, '.', '-' and "
       "'_', starting with a letter or digit)",
       "compose.yaml:3:3: service name \"my app\" is not valid (use letters, digits, '.', '-' and "
       "'_', starting with a letter or digit)"});
}

TEST(LoaderErrors, RejectedKeys) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    pid: host\n"
      "    privileged: true\n"
      "    volumes_from: [b]\n"
      "secrets:\n"
      "  s: {file: ./s}\n",
      {// the position of the value, as for every top-level key
       "compose.yaml:7:1: \"secrets\" of the stack file is not supported (pass secrets through "
       "environment variables from .env, or mount the file with a bind volume)",
       "compose.yaml:4:5: \"pid\" of service \"a\" is not supported (sharing a PID namespace is "
       "not supported)",
       "compose.yaml:5:5: \"privileged\" of service \"a\" is not supported (give the container "
       "what it needs with devices: host paths or CDI names)",
       "compose.yaml:6:5: \"volumes_from\" of service \"a\" is not supported (mount the same "
       "named volume in both services)"});
}

TEST(LoaderErrors, StackWithoutServices) {
  const std::string hint = " (add a services: mapping with at least one service)";
  expect_diagnostics("name: x\n", {"compose.yaml:1:1: the stack defines no services" + hint});
  expect_diagnostics("name: x\nservices: {}\n",
                     {"compose.yaml:1:1: the stack defines no services" + hint});
  expect_diagnostics("name: x\nservices:\n",
                     {"compose.yaml:1:1: the stack defines no services" + hint});
  expect_diagnostics("", {"compose.yaml:1:1: the stack defines no services" + hint});
  auto none = load_stack({}, options_for_tests());
  EXPECT_THAT(formatted(none.diagnostics), ElementsAre("no stack file to load"));
  EXPECT_FALSE(none.stack.has_value());
}

TEST(LoaderErrors, BadDurationsSizesAndNumbers) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    stop_grace_period: 10 seconds\n"
      "    shm_size: 1q\n"
      "    mem_limit: lots\n"
      "    healthcheck:\n"
      "      test: [\"CMD\", \"true\"]\n"
      "      interval: 5x\n"
      "      retries: -1\n"
      "    deploy:\n"
      "      resources:\n"
      "        limits:\n"
      "          cpus: many\n",
      {"compose.yaml:4:24: \"stop_grace_period\" of service \"a\" must be a duration, not \"10 "
       "seconds\" (write it like 30s, 1m30s or 500ms)",
       "compose.yaml:5:15: \"shm_size\" of service \"a\" must be a size, not \"1q\" (write it like "
       "512m, 1g or a number of bytes)",
       "compose.yaml:6:16: \"mem_limit\" of service \"a\" must be a size, not \"lots\" (write it "
       "like 512m, 1g or a number of bytes)",
       "compose.yaml:9:17: healthcheck interval must be a duration, not \"5x\" (write it like 30s, "
       "1m30s or 500ms)",
       "compose.yaml:10:16: healthcheck retries must not be negative",
       "compose.yaml:14:17: limits cpus must be a number"});
}

TEST(LoaderErrors, NumbersMustBeFinite) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    cpus: nan\n"
      "  b:\n"
      "    image: x\n"
      "    cpus: inf\n"
      "  c:\n"
      "    image: x\n"
      "    cpus: 1.5x\n",
      {"compose.yaml:4:11: \"cpus\" of service \"a\" must be a number",
       "compose.yaml:7:11: \"cpus\" of service \"b\" must be a number",
       "compose.yaml:10:11: \"cpus\" of service \"c\" must be a number"});
}

TEST(LoaderErrors, BadHealthchecks) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"FOO\", \"x\"]\n"
      "  b:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"CMD-SHELL\", \"a\", \"b\"]\n"
      "  c:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      test: [\"CMD\"]\n"
      "  d:\n"
      "    image: x\n"
      "    healthcheck:\n"
      "      interval: 5s\n",
      {"compose.yaml:5:13: healthcheck test must start with CMD, CMD-SHELL or NONE (for example "
       "[\"CMD\", \"redis-cli\", \"ping\"])",
       "compose.yaml:9:13: healthcheck test CMD-SHELL takes exactly one command string",
       "compose.yaml:13:13: healthcheck test CMD needs a command after it",
       "compose.yaml:17:7: healthcheck has no test (add test: [\"CMD\", ...] or disable: true)"});
}

TEST(LoaderErrors, BadRestartPolicy) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    restart: sometimes\n"
      "  b:\n"
      "    image: x\n"
      "    restart: on-failure:x\n",
      {"compose.yaml:4:14: unknown restart policy \"sometimes\" (use no, always, on-failure[:N] or "
       "unless-stopped)",
       "compose.yaml:7:14: unknown restart policy \"on-failure:x\" (use no, always, on-failure[:N] "
       "or unless-stopped)"});
}

TEST(LoaderErrors, UnsupportedModes) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    network_mode: service:db\n"
      "    ipc: container:x\n"
      "    command: echo \"hi\n",
      {"compose.yaml:4:19: network_mode \"service:db\" is not supported (use host, bridge or none)",
       "compose.yaml:5:10: ipc \"container:x\" is not supported (use host, private or shareable)",
       "compose.yaml:6:14: \"command\" of service \"a\" has an unterminated quote (close the "
       "quote, or write the command as a list)"});
}

TEST(LoaderErrors, Probes) {
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        openai:\n"
      "          url: http://127.0.0.1:8000/\n"
      "  b:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        http: {url: http://x/}\n"
      "        tcp: {port: 1}\n"
      "  c:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        htp: {url: http://x/}\n"
      "  d:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        http: {url: 127.0.0.1:8080}\n"
      "  e:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        redis: {}\n"
      "  f:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        neo4j: {user: x}\n"
      "  g:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        tcp: {port: 70000}\n"
      "      runtim: nvidia\n",
      {"compose.yaml:7:16: probe openai url \"http://127.0.0.1:8000\" must end with /v1 (the "
       "OpenAI-compatible API is served under /v1)",
       "compose.yaml:12:9: x-edgecrew probe takes exactly one of http, tcp, redis, neo4j, openai",
       "compose.yaml:18:9: unknown key \"htp\" in x-edgecrew probe (did you mean \"http\"?)",
       "compose.yaml:23:21: probe http url \"127.0.0.1:8080\" must start with http:// or https://",
       "compose.yaml:28:16: probe redis needs url (for example url: "
       "redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0)",
       "compose.yaml:33:16: probe neo4j needs http, bolt or both (http: http://127.0.0.1:7474, "
       "bolt: bolt://127.0.0.1:7687)",
       "compose.yaml:39:7: unknown key \"runtim\" in x-edgecrew (did you mean \"runtime\"?)",
       "compose.yaml:38:21: probe tcp needs a port from 1 to 65535"});
}

TEST(LoaderErrors, ProbeUrlErrorsHideThePassword) {
  LoadOptions options = options_for_tests();
  options.environment = {{"REDIS_PASSWORD", "hunter2pw"}};
  auto r = expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        redis: {url: \"http://:${REDIS_PASSWORD}@127.0.0.1:6379\"}\n"
      "  b:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        openai: {url: \"http://u:hunter2pw@127.0.0.1:8000\"}\n",
      {"compose.yaml:6:22: probe redis url \"http://:********@127.0.0.1:6379\" must start with "
       "redis:// or rediss://",
       "compose.yaml:11:23: probe openai url \"http://u:********@127.0.0.1:8000\" must end with "
       "/v1 (the OpenAI-compatible API is served under /v1)"},
      options);
  for (const auto& line : formatted(r.diagnostics)) EXPECT_THAT(line, Not(HasSubstr("hunter2")));
}

TEST(LoaderErrors, TcpProbePortRange) {
  expect_diagnostics(
      "services:\n"
      "  g:\n"
      "    image: x\n"
      "    x-edgecrew:\n"
      "      probe:\n"
      "        tcp: {port: 70000}\n",
      {"compose.yaml:6:21: probe tcp needs a port from 1 to 65535"});
}

TEST(LoaderErrors, EnvFiles) {
  LoadOptions options = options_for_tests();
  options.env_files = {{"/nonexistent-dir/.env", false}, {"/nonexistent-dir/required.env", true}};
  expect_diagnostics(
      "services:\n"
      "  a:\n"
      "    image: x\n"
      "    env_file:\n"
      "      - required: false\n",
      {"/nonexistent-dir/required.env: cannot read env file (cannot read "
       "/nonexistent-dir/required.env: No such file or directory)",
       "compose.yaml:5:9: env_file entry has no path"},
      options);
}

TEST(LoaderErrors, ProjectNames) {
  LoadOptions options = options_for_tests();
  options.project_name = "Bad Name";
  expect_diagnostics("services:\n  a: {image: x}\n",
                     {"-p: project name \"Bad Name\" is not valid (use lower-case letters, digits, "
                      "'-' and '_', starting with a letter or digit)"},
                     options);
  expect_diagnostics("name: My App\nservices:\n  a: {image: x}\n",
                     {"compose.yaml:1:7: project name \"My App\" is not valid (use lower-case "
                      "letters, digits, '-' and '_', starting with a letter or digit)"});
  options = options_for_tests();
  options.fallback_project_name = "...";
  expect_diagnostics("services:\n  a: {image: x}\n",
                     {"compose.yaml: no project name: the directory name \"...\" has no usable "
                      "characters (set name: in the stack file or pass -p NAME)"},
                     options);
}

TEST(LoaderErrors, EveryProblemAtOnce) {
  LoadOptions options = options_for_tests();
  options.environment = {{"NEO4J_PASSWORD", "pw"}};
  auto r = load_text(
      "services:\n"
      "  api:\n"
      "    imagee: x\n"
      "    depends_on: [dbb]\n"
      "    ports: [\"8080:80\"]\n"
      "    devices: [\"nvidia.com/gpu=\"]\n"
      "    restart: sometimes\n"
      "  db:\n"
      "    image: neo4j:${TAG}\n"
      "    ports: [\"8080:81\"]\n"
      "    environment:\n"
      "      NEO4J_AUTH: neo4j/${NEO4J_PASSWORD}\n"
      "    volumes: [data:/data, ./nope:/nope]\n"
      "    build: https://example.com/repo.git\n"
      "  x y: {image: x}\n",
      options);
  EXPECT_FALSE(r.stack.has_value());
  EXPECT_EQ(r.diagnostics.error_count(), 11u) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_THAT(
      formatted(r.diagnostics),
      ElementsAre(
          "compose.yaml:9:18: variable \"TAG\" is not set (set it in the environment or in .env, "
          "or give a default: ${TAG:-value})",
          "compose.yaml:3:5: unknown key \"imagee\" in service \"api\" (did you mean \"image\"?)",
          "compose.yaml:6:15: invalid device name \"\" in CDI name \"nvidia.com/gpu=\": it is "
          "empty (a CDI name looks like nvidia.com/gpu=all)",
          "compose.yaml:7:14: unknown restart policy \"sometimes\" (use no, always, on-failure[:N] "
          "or unless-stopped)",
          "compose.yaml:2:3: service \"api\" has no image (add image: NAME:TAG, or build: with the "
          "directory to build it from)",
          "compose.yaml:14:12: the context of build of service \"db\" is a URL "
          "(https://example.com/repo.git): edgecrew builds from a local directory only (clone or "
          "download it, and set context to that directory)",
          "compose.yaml:12:19: the Neo4j password in NEO4J_AUTH of service \"db\" has 2 "
          "characters; Neo4j 5 requires at least 8 (set a longer NEO4J_PASSWORD; edgecrew init "
          "generates one)",
          "compose.yaml:15:3: service name \"x y\" is not valid (use letters, digits, '.', '-' and "
          "'_', starting with a letter or digit)",
          "compose.yaml:4:18: service \"api\" depends on \"dbb\", which is not defined (did you "
          "mean \"db\"?)",
          "compose.yaml:10:13: host port 8080/tcp of service \"db\" is already published by "
          "service \"api\" (line 5) (publish it on another host port)",
          "compose.yaml:13:15: service \"db\" mounts volume \"data\", which is not declared under "
          "the top-level volumes (add \"volumes: {data: {}}\" at the top level, or start the "
          "source with / or ./ for a host path)",
          "compose.yaml:13:27: warning: bind source /srv/app/nope of service \"db\" does not "
          "exist (create it first; an engine may create it empty, owned by root)"));
}

// Found by fuzzing: each of these once crashed the loader or what prints its result.
TEST(LoaderErrors, BytesThatAreNotUtf8AreRefusedWithTheirPosition) {
  expect_diagnostics("services:\n  a:\n    image: ng\xffinx\n",
                     {"compose.yaml:3:14: the file is not valid UTF-8 (save it as UTF-8 text)"});
  const char with_nul[] = "services:\n  a:\n    image: x\0y\n";
  expect_diagnostics(std::string(with_nul, sizeof with_nul - 1),
                     {"compose.yaml:3:13: the file contains a NUL byte (save it as UTF-8 text)"});
  auto options = options_for_tests();
  options.environment["TAG"] = "\xc3\x28";  // a broken two-byte sequence
  expect_diagnostics("services:\n  a:\n    image: nginx:${TAG}\n",
                     {"compose.yaml:3:12: a variable substituted here has a value that is not "
                      "valid UTF-8"},
                     options);
}

TEST(LoaderErrors, AnAnchorUsedInsideItselfIsStopped) {
  expect_diagnostics(
      "x-common: &common\n"
      "  web:\n"
      "    <<: *common\n"
      "services:\n"
      "  a:\n"
      "    image: x\n",
      {"compose.yaml:2:3: the document is too large or nested too deeply (over 1000000 nodes or "
       "100 "
       "levels once aliases expand) (look for an anchor used inside itself)"});
}

// Input that would stall or exhaust the loader is refused, with what it is and how to go on.
TEST(LoaderBounds, AnEnvFileMustBeARegularFile) {
  edgecrew::testing::HostTree tree;
  auto fifo = tree.root / "fifo.env";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::filesystem::create_directories(tree.root / "dir.env");
  for (const auto& [path, what] : std::vector<std::pair<std::string, std::string>>{
           {"/dev/zero", "is a character device"},
           {fifo.string(), "is a FIFO"},
           {(tree.root / "dir.env").string(), "is a directory"}}) {
    auto r = load_text("services:\n  a:\n    image: x\n    env_file: " + path + "\n");
    EXPECT_THAT(
        formatted(r.diagnostics, Severity::error),
        ElementsAre(AllOf(HasSubstr("compose.yaml:4:15: env_file " + path), HasSubstr(what))))
        << path;
  }
}

TEST(LoaderBounds, FilesOverTheCapAreRefusedWithTheWayToRaiseIt) {
  edgecrew::testing::HostTree tree;
  auto big = tree.root / "big.env";
  {
    std::ofstream out(big);
    for (int i = 0; i < 40000; ++i) out << "K" << i << "=" << std::string(40, 'v') << "\n";
  }  // about 1.8 MB
  ::setenv("EDGECREW_MAX_FILE_MB", "1", 1);
  auto capped = load_text("services:\n  a:\n    image: x\n    env_file: " + big.string() + "\n");
  ::setenv("EDGECREW_MAX_FILE_MB", "4", 1);
  auto raised = load_text("services:\n  a:\n    image: x\n    env_file: " + big.string() + "\n");
  ::unsetenv("EDGECREW_MAX_FILE_MB");
  EXPECT_THAT(formatted(capped.diagnostics, Severity::error),
              ElementsAre(AllOf(HasSubstr("is larger than 1048576 bytes"),
                                HasSubstr("EDGECREW_MAX_FILE_MB"))));
  ASSERT_TRUE(raised.stack) << ::testing::PrintToString(formatted(raised.diagnostics));
  EXPECT_EQ(raised.stack->services[0].environment.size(), 40000u);
}

TEST(LoaderBounds, TheStackFileItselfIsBoundedToo) {
  Diagnostics diags;
  auto sources = read_sources({"/dev/zero"}, "/", diags);
  EXPECT_TRUE(sources.empty());
  EXPECT_THAT(formatted(diags), ElementsAre(HasSubstr("is a character device")));
}

// Several YAML documents in one file merge in order, as Compose reads them; none is dropped.
TEST(LoaderErrors, ASecondYamlDocumentMergesOverTheFirst) {
  auto r = load_text(
      "services:\n  a:\n    image: x\n    environment: {A: '1'}\n---\nservices:\n  a:\n"
      "    environment: {B: '2'}\n  b:\n    image: y\n");
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  ASSERT_EQ(r.stack->services.size(), 2u);
  EXPECT_EQ(r.stack->services[0].environment.size(), 2u);
  auto bad = load_text("services:\n  a:\n    image: x\n---\n- a list\n");
  EXPECT_THAT(formatted(bad.diagnostics),
              ElementsAre(HasSubstr("compose.yaml:5:1: a stack file must be a mapping")));
}

TEST(LoaderErrors, EnvironmentNamesCannotHoldEqualsOrNul) {
  expect_diagnostics(
      "services:\n  a:\n    image: x\n    environment:\n      \"A=B\": c\n      \"N\\0UL\": d\n"
      "      OK: \"v\\0\"\n",
      {"compose.yaml:5:7: environment of service \"a\": the name \"A=B\" holds '=' (a variable "
       "name ends at the first '='; write NAME=VALUE in the list form, or NAME: VALUE)",
       "compose.yaml:6:7: environment of service \"a\" \"N\\0UL\" holds a NUL byte (a NUL byte "
       "cannot reach a process; remove the \\0)",
       "compose.yaml:7:7: environment of service \"a\" \"OK\" holds a NUL byte (a NUL byte cannot "
       "reach a process; remove the \\0)"});
  // The list form splits at the first '=': the value may hold more.
  auto r = load_text("services:\n  a:\n    image: x\n    environment: [\"A=B=c\"]\n");
  ASSERT_TRUE(r.stack);
  EXPECT_EQ(r.stack->services[0].environment.at("A"), "B=c");
}

TEST(LoaderErrors, NegativeCpusAndImpossibleGpuCounts) {
  expect_diagnostics(
      "services:\n  a:\n    image: x\n    cpus: -1\n  b:\n    image: x\n    deploy:\n"
      "      resources:\n        limits: {cpus: '-0.5'}\n        reservations:\n"
      "          devices: [{capabilities: [gpu], count: 1000000000}]\n",
      {"compose.yaml:4:11: \"cpus\" of service \"a\" is negative (-1) (give a number of CPUs such "
       "as 0.5 or 2; 0 is no limit)",
       "compose.yaml:9:24: limits cpus is negative (-0.5) (give a number of CPUs such as 0.5 or "
       "2; 0 is no limit)",
       "compose.yaml:11:50: device count 1000000000 is more GPUs than a host has (at most 1024) "
       "(use count: all for every GPU of the host)"});
}

}  // namespace
}  // namespace edgecrew::stack
