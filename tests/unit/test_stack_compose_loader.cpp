// The Compose loader on a fixture that uses every supported key, and on small inline stacks for the
// forms one fixture cannot hold at once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "stack/compose_loader.h"
#include "stack/model.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

namespace fs = std::filesystem;
using test::formatted;
using test::load_text;
using test::options_for_tests;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using namespace std::chrono_literals;

const std::string k_fixture_dir = test::k_data_dir + "/compose/all_keys";

// The fixture, loaded once per test with the variables it needs.
class AllKeysFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    LoadOptions options;
    options.environment = {{"TAG", "1.2"},
                           {"PASSED", "passed-through"},
                           {"NEO4J_PASSWORD", "neo4j-secret-pw"},
                           {"REDIS_PASSWORD", "redis-secret-pw"}};
    options.env_files = {{k_fixture_dir + "/vars.env", true}};
    options.defaults = {{"TAG", "from-defaults"},
                        {"REGISTRY", "defaults.example.com"},
                        {"ONLY_DEFAULT", "default-value"}};
    options.fallback_project_name = "unused";
    options.home = k_fixture_dir + "/home";
    Diagnostics read_diags;
    auto sources = read_sources({k_fixture_dir + "/compose.yaml"}, "/", read_diags);
    ASSERT_FALSE(read_diags.has_errors());
    ASSERT_EQ(sources.size(), 1u);
    m_file = sources.front().name;
    m_result = load_stack(sources, options);
    ASSERT_TRUE(m_result.stack.has_value())
        << ::testing::PrintToString(formatted(m_result.diagnostics));
  }

  const Stack& stack() const { return *m_result.stack; }
  const Service& service(const std::string& name) const {
    const Service* s = stack().find(name);
    EXPECT_NE(s, nullptr) << name;
    static const Service none;
    return s ? *s : none;
  }

  std::string m_file;
  LoadResult m_result;
};

TEST_F(AllKeysFixture, StackLevel) {
  EXPECT_EQ(stack().name, "fixture");
  EXPECT_THAT(stack().files, ElementsAre(m_file));
  EXPECT_EQ(stack().project_dir, k_fixture_dir);
  EXPECT_EQ(stack().engine, "podman");
  EXPECT_EQ(stack().cri_endpoint, "unix:///run/containerd/containerd.sock");
  std::vector<std::string> names;
  for (const auto& s : stack().services) names.push_back(s.name);
  // Sorted by name, whatever the file order; x-* keys are no services.
  EXPECT_THAT(names, ElementsAre("api", "cache", "db", "llm", "migrate", "web"));
  // Substituted values of secret-named variables are remembered for masking.
  EXPECT_THAT(stack().secret_values, ElementsAre("neo4j-secret-pw", "redis-secret-pw"));
}

TEST_F(AllKeysFixture, OnlyTheIgnoredKeyWarns) {
  // Bind sources exist, x-* keys are skipped: the only messages are the ignored keys, each once.
  EXPECT_THAT(
      formatted(m_result.diagnostics),
      ElementsAre(m_file + ":111:5: warning: \"container_name\" of service \"api\" is ignored by "
                           "edgecrew (edgecrew names containers <project>-<service>)",
                  m_file + ":46:9: warning: \"mode\" of port entry is ignored by edgecrew (the "
                           "port is published on the host (swarm's ingress mode does not apply))",
                  m_file + ":63:9: warning: \"tmpfs\" of volume entry is ignored by edgecrew (the "
                           "tmpfs gets the engine's default size and mode)"));
}

TEST_F(AllKeysFixture, InterpolationPrecedence) {
  // TAG: environment > env file > defaults; REGISTRY: env file > defaults; ONLY_DEFAULT: defaults.
  EXPECT_EQ(service("api").image, "registry.example.com/acme/api:1.2");
  EXPECT_EQ(service("api").environment.at("FROM_DEFAULT"), "default-value");
}

TEST_F(AllKeysFixture, CommandAndEntrypoint) {
  const auto& api = service("api");
  ASSERT_TRUE(api.command.has_value());
  EXPECT_THAT(*api.command, ElementsAre("python", "-m", "api", "--name", "a b", "c d", "e f"));
  ASSERT_TRUE(api.entrypoint.has_value());
  EXPECT_THAT(*api.entrypoint, ElementsAre("/usr/bin/tini", "--"));
  ASSERT_TRUE(service("migrate").command.has_value());
  EXPECT_THAT(*service("migrate").command, ElementsAre("migrate", "--all", "a b"));
  EXPECT_FALSE(service("migrate").entrypoint.has_value());
  EXPECT_FALSE(service("cache").command.has_value());
}

TEST_F(AllKeysFixture, EnvironmentMapWithEnvFile) {
  // common.env first, then `environment` overrides it; the optional missing file is fine; a KEY
  // without value takes the variable's value, or is dropped when it is unset.
  EXPECT_THAT(
      service("api").environment,
      UnorderedElementsAre(Pair("FROM_FILE", "from-environment"), Pair("COMMON", "common 1.2"),
                           Pair("LOG_LEVEL", "debug"), Pair("PASSED", "passed-through"),
                           Pair("FROM_DEFAULT", "default-value")));
}

TEST_F(AllKeysFixture, EnvironmentList) {
  EXPECT_THAT(service("db").environment,
              UnorderedElementsAre(Pair("NEO4J_AUTH", "neo4j/neo4j-secret-pw"),
                                   Pair("PASSED", "passed-through")));
}

TEST_F(AllKeysFixture, AnchorsAndMergeKeys) {
  // Keys written in the service win over merged ones, whole (labels are not merged key by key).
  EXPECT_THAT(service("api").labels, UnorderedElementsAre(Pair("tier", "api")));
  EXPECT_EQ(service("api").restart, RestartPolicy::on_failure);
  EXPECT_EQ(service("api").restart_max_attempts, 3);
  EXPECT_THAT(service("db").labels,
              UnorderedElementsAre(Pair("team", "ml"), Pair("tier", "backend")));
  EXPECT_EQ(service("db").restart, RestartPolicy::always);
  EXPECT_EQ(service("db").restart_max_attempts, 0);
}

TEST_F(AllKeysFixture, NetworkModes) {
  EXPECT_EQ(service("api").network_mode, NetworkMode::bridge);
  EXPECT_EQ(service("cache").network_mode, NetworkMode::host);
  EXPECT_EQ(service("migrate").network_mode, NetworkMode::none);
  EXPECT_EQ(service("llm").network_mode, NetworkMode::bridge);  // "default"
  EXPECT_EQ(service("web").network_mode, NetworkMode::bridge);  // unset
}

TEST_F(AllKeysFixture, Ports) {
  const auto& ports = service("api").ports;
  ASSERT_EQ(ports.size(), 6u);
  auto expect = [&](std::size_t i, const char* ip, int host, int container, const char* proto,
                    bool published, int line) {
    SCOPED_TRACE(i);
    EXPECT_EQ(ports[i].host_ip, ip);
    EXPECT_EQ(ports[i].host_port, host);
    EXPECT_EQ(ports[i].container_port, container);
    EXPECT_EQ(ports[i].protocol, proto);
    EXPECT_EQ(ports[i].published, published);
    EXPECT_EQ(ports[i].where.line, line);
    EXPECT_EQ(ports[i].where.column, 9);
    EXPECT_EQ(ports[i].where.file, m_file);
  };
  expect(0, "", 8080, 80, "tcp", true, 38);
  expect(1, "127.0.0.1", 9000, 7000, "udp", true, 39);  // a range: one mapping per port
  expect(2, "127.0.0.1", 9001, 7001, "udp", true, 39);
  expect(3, "", 0, 3000, "tcp", false, 40);
  expect(4, "::1", 0, 5000, "tcp", true, 41);         // ephemeral host port
  expect(5, "10.0.0.1", 8443, 443, "tcp", true, 42);  // long syntax
}

TEST_F(AllKeysFixture, Volumes) {
  const auto& m = service("api").mounts;
  ASSERT_EQ(m.size(), 7u);
  struct Want {
    MountType type;
    std::string source;
    std::string target;
    bool read_only;
    bool create_host_path;
  };
  std::vector<Want> want = {
      {MountType::volume, "data", "/var/lib/data", false, true},
      {MountType::bind, k_fixture_dir + "/config", "/etc/app", true, true},
      {MountType::bind, k_fixture_dir + "/home/models", "/models", false, true},
      {MountType::volume, "", "/cache", false, true},  // anonymous
      {MountType::volume, "logs", "/logs", true, true},
      {MountType::bind, k_fixture_dir + "/config", "/etc/other", false, false},
      {MountType::tmpfs, "", "/tmp", false, true},
  };
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(m[i].type, want[i].type);
    EXPECT_EQ(m[i].source, want[i].source);
    EXPECT_EQ(m[i].target, want[i].target);
    EXPECT_EQ(m[i].read_only, want[i].read_only);
    EXPECT_EQ(m[i].create_host_path, want[i].create_host_path);
  }
}

TEST_F(AllKeysFixture, TopLevelVolumes) {
  const auto& v = stack().volumes;
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v.at("data").name, "fixture_data");
  EXPECT_FALSE(v.at("data").external);
  EXPECT_EQ(v.at("logs").name, "shared-logs");
  EXPECT_EQ(v.at("ext").name, "ext");
  EXPECT_TRUE(v.at("ext").external);
  EXPECT_EQ(v.at("fancy").name, "fixture_fancy");
  EXPECT_EQ(v.at("fancy").driver, "local");
  EXPECT_THAT(v.at("fancy").driver_opts, ElementsAre(Pair("type", "none")));
  EXPECT_THAT(v.at("fancy").labels, ElementsAre(Pair("com.example.owner", "1")));
  EXPECT_EQ(v.at("fancy").key, "fancy");
}

TEST_F(AllKeysFixture, Devices) {
  const auto& d = service("api").devices;
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].cdi_name, "");
  EXPECT_EQ(d[0].host_path, "/dev/fuse");
  EXPECT_EQ(d[0].container_path, "/dev/fuse");  // defaults to the host path
  EXPECT_EQ(d[0].permissions, "rwm");
  EXPECT_EQ(d[1].host_path, "/dev/snd");
  EXPECT_EQ(d[1].container_path, "/dev/sound");
  EXPECT_EQ(d[1].permissions, "r");
  EXPECT_EQ(d[2].cdi_name, "nvidia.com/gpu=0");
  EXPECT_EQ(d[2].host_path, "");
  EXPECT_EQ(d[3].host_path, "/dev/dri");
  EXPECT_EQ(d[3].container_path, "/dev/dri2");
  EXPECT_EQ(d[3].permissions, "rw");
}

TEST_F(AllKeysFixture, DeployResources) {
  const auto& r = service("api").resources;
  EXPECT_EQ(r.cpus, 2.5);
  EXPECT_EQ(r.memory_bytes, 4LL << 30);
  EXPECT_EQ(r.memory_reservation_bytes, 512LL << 20);
  ASSERT_EQ(r.gpus.size(), 3u);
  EXPECT_EQ(r.gpus[0].driver, "nvidia");
  EXPECT_EQ(r.gpus[0].count, 2);
  EXPECT_THAT(r.gpus[0].capabilities, ElementsAre("gpu"));
  EXPECT_EQ(r.gpus[1].driver, "");
  EXPECT_FALSE(r.gpus[1].count.has_value());
  EXPECT_THAT(r.gpus[1].device_ids, ElementsAre("3", "GPU-abc"));
  EXPECT_THAT(r.gpus[1].capabilities, ElementsAre("gpu", "utility"));
  EXPECT_EQ(r.gpus[2].count, -1);  // neither count nor device_ids: all
  // devices first, then the reservations in order, each name once.
  EXPECT_THAT(cdi_devices(service("api")),
              ElementsAre("nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=3",
                          "nvidia.com/gpu=GPU-abc", "nvidia.com/gpu=all"));
  EXPECT_THAT(cdi_devices(service("web")), IsEmpty());
}

TEST_F(AllKeysFixture, ServiceLevelResources) {
  const auto& r = service("llm").resources;
  EXPECT_EQ(r.cpus, 1.5);
  EXPECT_EQ(r.memory_bytes, 2LL << 30);
  EXPECT_EQ(r.memory_reservation_bytes, 1LL << 30);
  EXPECT_TRUE(r.gpus.empty());
}

TEST_F(AllKeysFixture, DependsOn) {
  const auto& deps = service("api").depends_on;
  ASSERT_EQ(deps.size(), 3u);
  EXPECT_EQ(deps[0].service, "db");
  EXPECT_EQ(deps[0].condition, DependencyCondition::service_healthy);
  EXPECT_TRUE(deps[0].required);
  EXPECT_FALSE(deps[0].restart);
  EXPECT_EQ(deps[1].service, "cache");
  EXPECT_EQ(deps[1].condition, DependencyCondition::service_started);
  EXPECT_FALSE(deps[1].required);
  EXPECT_EQ(deps[2].service, "migrate");
  EXPECT_EQ(deps[2].condition, DependencyCondition::service_completed_successfully);
  EXPECT_TRUE(deps[2].restart);
  EXPECT_EQ(deps[2].where.line, 92);

  const auto& list = service("web").depends_on;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].service, "api");
  EXPECT_EQ(list[1].service, "cache");
  for (const auto& d : list) {
    EXPECT_EQ(d.condition, DependencyCondition::service_started);
    EXPECT_TRUE(d.required);
    EXPECT_FALSE(d.restart);
  }
}

TEST_F(AllKeysFixture, Healthchecks) {
  ASSERT_TRUE(service("api").healthcheck.has_value());
  const auto& h = *service("api").healthcheck;
  EXPECT_THAT(stack::compose_test(h), ElementsAre("CMD", "curl", "-f", "http://localhost/health"));
  EXPECT_EQ(h.interval, 90s);
  EXPECT_EQ(h.timeout, 500ms);
  EXPECT_EQ(h.start_period, 1h);
  EXPECT_EQ(h.start_interval, 2s);
  EXPECT_EQ(h.retries, 5);
  EXPECT_FALSE(h.disabled());

  // A string test runs in a shell; unset timings keep their defaults.
  ASSERT_TRUE(service("db").healthcheck.has_value());
  const auto& db = *service("db").healthcheck;
  EXPECT_THAT(stack::compose_test(db),
              ElementsAre("CMD-SHELL", "wget -q -O /dev/null http://localhost:7474"));
  EXPECT_EQ(db.interval, 10s);
  EXPECT_EQ(db.timeout, 30s);
  EXPECT_EQ(db.start_period, 0s);
  EXPECT_EQ(db.start_interval, 5s);
  EXPECT_EQ(db.retries, 3);

  EXPECT_THAT(stack::compose_test(*service("cache").healthcheck),
              ElementsAre("CMD-SHELL", "redis-cli ping | grep -q PONG"));
  EXPECT_THAT(stack::compose_test(*service("migrate").healthcheck), ElementsAre("NONE"));
  EXPECT_TRUE(service("migrate").healthcheck->disabled());
  ASSERT_TRUE(service("llm").healthcheck.has_value());
  EXPECT_TRUE(service("llm").healthcheck->disabled());
  EXPECT_FALSE(service("web").healthcheck.has_value());
}

TEST_F(AllKeysFixture, RestartPolicies) {
  EXPECT_EQ(service("cache").restart, RestartPolicy::unless_stopped);
  EXPECT_EQ(service("migrate").restart, RestartPolicy::no);
  EXPECT_EQ(service("web").restart, RestartPolicy::no);
}

TEST_F(AllKeysFixture, ScalarServiceKeys) {
  const auto& api = service("api");
  EXPECT_EQ(api.user, "1000:1000");
  EXPECT_EQ(api.working_dir, "/app");
  EXPECT_EQ(api.stop_signal, "SIGINT");
  EXPECT_EQ(api.stop_grace_period, 60s);
  EXPECT_EQ(api.ipc, IpcMode::shareable);
  EXPECT_EQ(api.shm_size, 256LL << 20);
  EXPECT_EQ(api.hostname, "api-host");
  EXPECT_EQ(api.init, true);
  EXPECT_EQ(api.runtime, "runc");
  // Unset keys keep the model's defaults.
  const auto& web = service("web");
  EXPECT_EQ(web.user, "");
  EXPECT_EQ(web.stop_grace_period, 10s);
  EXPECT_FALSE(web.init.has_value());
  EXPECT_FALSE(web.shm_size.has_value());
  EXPECT_EQ(web.runtime, "");
}

TEST_F(AllKeysFixture, Profiles) {
  EXPECT_THAT(service("migrate").profiles, ElementsAre("tools"));
  EXPECT_THAT(service("llm").profiles, ElementsAre("gpu", "ui"));
  auto names = [](const std::vector<const Service*>& services) {
    std::vector<std::string> out;
    for (const auto* s : services) out.push_back(s->name);
    return out;
  };
  EXPECT_THAT(names(enabled_services(stack(), {})), ElementsAre("api", "cache", "db"));
  EXPECT_THAT(names(enabled_services(stack(), {"ui"})),
              ElementsAre("api", "cache", "db", "llm", "web"));
  EXPECT_THAT(names(enabled_services(stack(), {"gpu"})), ElementsAre("api", "cache", "db", "llm"));
  EXPECT_THAT(names(enabled_services(stack(), {"*"})),
              ElementsAre("api", "cache", "db", "llm", "migrate", "web"));
  EXPECT_THAT(names(enabled_services(stack(), {}, {"migrate"})),
              ElementsAre("api", "cache", "db", "migrate"));
}

TEST_F(AllKeysFixture, ExtensionRuntimeAndProbes) {
  EXPECT_EQ(service("llm").runtime, "nvidia");

  ASSERT_TRUE(service("db").probe.has_value());
  const Probe& neo4j = *service("db").probe;
  EXPECT_EQ(neo4j.kind, Probe::Kind::neo4j);
  EXPECT_EQ(neo4j.bolt, "bolt://127.0.0.1:7687");
  EXPECT_EQ(neo4j.http, "");
  EXPECT_EQ(neo4j.user, "neo4j");  // default
  EXPECT_EQ(neo4j.password, "neo4j-secret-pw");

  ASSERT_TRUE(service("cache").probe.has_value());
  EXPECT_EQ(service("cache").probe->kind, Probe::Kind::redis);
  EXPECT_EQ(service("cache").probe->url, "redis://:redis-secret-pw@127.0.0.1:6379/0");

  ASSERT_TRUE(service("migrate").probe.has_value());
  const Probe& tcp = *service("migrate").probe;
  EXPECT_EQ(tcp.kind, Probe::Kind::tcp);
  EXPECT_EQ(tcp.host, "127.0.0.1");  // default
  EXPECT_EQ(tcp.port, 5432);

  ASSERT_TRUE(service("llm").probe.has_value());
  const Probe& openai = *service("llm").probe;
  EXPECT_EQ(openai.kind, Probe::Kind::openai);
  EXPECT_EQ(openai.url, "http://127.0.0.1:8000/v1");  // trailing "/" dropped
  EXPECT_EQ(openai.model, "tiny");

  ASSERT_TRUE(service("web").probe.has_value());
  EXPECT_EQ(service("web").probe->kind, Probe::Kind::http);
  EXPECT_EQ(service("web").probe->url, "https://127.0.0.1/");
  EXPECT_EQ(service("web").probe->status, 204);

  EXPECT_FALSE(service("api").probe.has_value());
}

// --- Inline stacks -------------------------------------------------------------------------------

const Stack& must_load(const LoadResult& r) {
  EXPECT_TRUE(r.stack.has_value()) << ::testing::PrintToString(formatted(r.diagnostics));
  static const Stack empty;
  return r.stack ? *r.stack : empty;
}

TEST(ComposeLoader, HttpProbeDefaultsAndTcpHost) {
  auto r = load_text(R"(
services:
  a:
    image: x
    x-edgecrew:
      probe:
        http:
          url: http://127.0.0.1:1/
  b:
    image: x
    x-edgecrew:
      probe:
        tcp:
          host: 10.1.2.3
          port: "6379"
)");
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_EQ(s.services[0].probe->status, 200);
  EXPECT_EQ(s.services[1].probe->host, "10.1.2.3");
  EXPECT_EQ(s.services[1].probe->port, 6379);
}

TEST(ComposeLoader, EnvFileAsString) {
  LoadOptions options = options_for_tests();
  options.environment = {{"TAG", "t"}};
  auto r = load_text("services:\n  a:\n    image: x\n    env_file: common.env\n", options,
                     "compose.yaml", k_fixture_dir);
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_THAT(s.services[0].environment,
              UnorderedElementsAre(Pair("FROM_FILE", "from-file"), Pair("COMMON", "common t")));
}

TEST(ComposeLoader, EnvFileMissingButRequiredIsAnError) {
  auto r = load_text("services:\n  a:\n    image: x\n    env_file:\n      - path: nope.env\n",
                     options_for_tests(), "compose.yaml", "/nonexistent-dir");
  EXPECT_FALSE(r.stack.has_value());
  EXPECT_THAT(formatted(r.diagnostics, Severity::error),
              ElementsAre("compose.yaml:5:15: env_file /nonexistent-dir/nope.env cannot be read "
                          "(cannot read /nonexistent-dir/nope.env: No such file or directory)"));
}

TEST(ComposeLoader, NetworkModes) {
  auto r = load_text(R"(
services:
  a: {image: x, network_mode: host}
  b: {image: x, network_mode: bridge}
  c: {image: x, network_mode: none}
  d: {image: x, network_mode: default}
)");
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 4u);
  EXPECT_EQ(s.services[0].network_mode, NetworkMode::host);
  EXPECT_EQ(s.services[1].network_mode, NetworkMode::bridge);
  EXPECT_EQ(s.services[2].network_mode, NetworkMode::none);
  EXPECT_EQ(s.services[3].network_mode, NetworkMode::bridge);
}

TEST(ComposeLoader, EveryRestartPolicy) {
  struct Case {
    const char* text;
    RestartPolicy policy;
    int attempts;
  };
  for (const Case& c :
       {Case{"\"no\"", RestartPolicy::no, 0}, Case{"no", RestartPolicy::no, 0},
        Case{"always", RestartPolicy::always, 0}, Case{"on-failure", RestartPolicy::on_failure, 0},
        Case{"on-failure:3", RestartPolicy::on_failure, 3},
        Case{"unless-stopped", RestartPolicy::unless_stopped, 0}}) {
    SCOPED_TRACE(c.text);
    auto r = load_text(std::string("services:\n  a:\n    image: x\n    restart: ") + c.text + "\n");
    const auto& s = must_load(r);
    ASSERT_EQ(s.services.size(), 1u);
    EXPECT_EQ(s.services[0].restart, c.policy);
    EXPECT_EQ(s.services[0].restart_max_attempts, c.attempts);
  }
}

TEST(ComposeLoader, HealthcheckForms) {
  auto r = load_text(R"(
services:
  a:
    image: x
    healthcheck:
      test: ["CMD-SHELL", "exit 0"]
      retries: 0
  b:
    image: x
    healthcheck:
      test: ["CMD", "true"]
      disable: true
)");
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 2u);
  EXPECT_THAT(stack::compose_test(*s.services[0].healthcheck), ElementsAre("CMD-SHELL", "exit 0"));
  EXPECT_EQ(s.services[0].healthcheck->retries, 0);
  // disable wins over a test.
  EXPECT_THAT(stack::compose_test(*s.services[1].healthcheck), ElementsAre("NONE"));
}

TEST(ComposeLoader, EnvironmentValuesAreStrings) {
  auto r = load_text(R"(
services:
  a:
    image: x
    environment:
      NUMBER: 42
      FLAG: true
      QUOTED: "007"
      EMPTY: ""
      EQUALS: a=b
    labels:
      - com.example.x=1
      - com.example.y
)");
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_THAT(
      s.services[0].environment,
      UnorderedElementsAre(Pair("NUMBER", "42"), Pair("FLAG", "true"), Pair("QUOTED", "007"),
                           Pair("EMPTY", ""), Pair("EQUALS", "a=b")));
  // A label without value and without a variable of that name is dropped.
  EXPECT_THAT(s.services[0].labels, ElementsAre(Pair("com.example.x", "1")));
}

TEST(ComposeLoader, EveryInterpolationForm) {
  LoadOptions options = options_for_tests();
  options.environment = {{"SET", "v"}, {"EMPTY", ""}, {"INNER", "in"}};
  auto r = load_text(R"(
services:
  a:
    image: x
    environment:
      PLAIN: $SET
      BRACED: ${SET}
      GLUED: pre${SET}post
      DEFAULT_COLON: ${EMPTY:-d1}
      DEFAULT_NO_COLON: ${EMPTY-d2}
      DEFAULT_UNSET: ${UNSET:-d3}
      DEFAULT_UNSET_NO_COLON: ${UNSET-d4}
      ALT_COLON: ${SET:+alt}
      ALT_EMPTY_COLON: ${EMPTY:+alt}
      ALT_EMPTY_NO_COLON: ${EMPTY+alt}
      ALT_UNSET: ${UNSET+alt}
      NESTED: ${UNSET:-${INNER:-x}-tail}
      REQUIRED_SET: ${SET:?must be set}
      REQUIRED_EMPTY_NO_COLON: ${EMPTY?must be set}
      DOLLAR: $$SET and $$
      LONE: cost $5 and a $ b
)",
                     options);
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_THAT(
      s.services[0].environment,
      UnorderedElementsAre(
          Pair("PLAIN", "v"), Pair("BRACED", "v"), Pair("GLUED", "prevpost"),
          Pair("DEFAULT_COLON", "d1"), Pair("DEFAULT_NO_COLON", ""), Pair("DEFAULT_UNSET", "d3"),
          Pair("DEFAULT_UNSET_NO_COLON", "d4"), Pair("ALT_COLON", "alt"),
          Pair("ALT_EMPTY_COLON", ""), Pair("ALT_EMPTY_NO_COLON", "alt"), Pair("ALT_UNSET", ""),
          Pair("NESTED", "in-tail"), Pair("REQUIRED_SET", "v"), Pair("REQUIRED_EMPTY_NO_COLON", ""),
          Pair("DOLLAR", "$SET and $"), Pair("LONE", "cost $5 and a $ b")));
}

TEST(ComposeLoader, InterpolationReachesEveryValueButNoKeys) {
  LoadOptions options = options_for_tests();
  options.environment = {{"PORT", "8080"}, {"DIR", "/data"}, {"N", "2"}, {"K", "k"}};
  auto r = load_text(R"(
services:
  a:
    image: x
    ports: ["${PORT}:80"]
    volumes: ["${DIR}:/d"]
    deploy:
      resources:
        reservations:
          devices:
            - count: ${N}
              capabilities: [gpu]
    labels:
      ${K}: v
)",
                     options);
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].ports.at(0).host_port, 8080);
  EXPECT_EQ(s.services[0].mounts.at(0).source, "/data");
  EXPECT_EQ(s.services[0].resources.gpus.at(0).count, 2);
  EXPECT_THAT(s.services[0].labels, ElementsAre(Pair("${K}", "v")));
}

TEST(ComposeLoader, ProjectNamePrecedence) {
  const std::string text = "name: from-file\nservices:\n  a:\n    image: x\n";
  LoadOptions options = options_for_tests();
  options.project_name = "from-p";
  options.environment = {{"COMPOSE_PROJECT_NAME", "from-env"}};
  EXPECT_EQ(must_load(load_text(text, options)).name, "from-p");
  options.project_name.clear();
  EXPECT_EQ(must_load(load_text(text, options)).name, "from-env");
  options.environment.clear();
  EXPECT_EQ(must_load(load_text(text, options)).name, "from-file");
  options.fallback_project_name = "My Project.v2!";
  EXPECT_EQ(must_load(load_text("services:\n  a:\n    image: x\n", options)).name, "myprojectv2");
  // The fallback is normalized; leading '-' and '_' go too.
  options.fallback_project_name = "_-Edge_Crew";
  EXPECT_EQ(must_load(load_text("services:\n  a:\n    image: x\n", options)).name, "edge_crew");
}

TEST(ComposeLoader, ProjectNameFromEnvFile) {
  // Compose reads COMPOSE_PROJECT_NAME from .env as well as from the environment.
  LoadOptions options = options_for_tests();
  fs::path dir = fs::path(::testing::TempDir()) / "edgecrew-project-env";
  fs::create_directories(dir);
  { std::ofstream(dir / ".env") << "COMPOSE_PROJECT_NAME=from-dotenv\n"; }
  options.env_files = {{dir / ".env", false}};
  const std::string text = "name: from-file\nservices:\n  a:\n    image: x\n";
  EXPECT_EQ(must_load(load_text(text, options)).name, "from-dotenv");
  options.environment = {{"COMPOSE_PROJECT_NAME", "from-env"}};
  EXPECT_EQ(must_load(load_text(text, options)).name, "from-env");
  fs::remove_all(dir);
}

TEST(ComposeLoader, VolumeNamesUseTheProjectName) {
  LoadOptions options = options_for_tests();
  options.project_name = "proj";
  auto r =
      load_text("services:\n  a:\n    image: x\n    volumes: [v:/v]\nvolumes:\n  v: {}\n", options);
  EXPECT_EQ(must_load(r).volumes.at("v").name, "proj_v");
}

TEST(ComposeLoader, IgnoredKeysWarnButLoad) {
  auto r = load_text(R"(version: "3.8"
services:
  a:
    image: x
    tty: true
    expose: ["80"]
    x-custom: whatever
    deploy:
      replicas: 2
networks:
  default: {}
)");
  must_load(r);
  EXPECT_THAT(
      formatted(r.diagnostics),
      ElementsAre(
          "compose.yaml:1:1: warning: \"version\" of the stack file is ignored by edgecrew "
          "(obsolete, as in Compose: remove it)",
          "compose.yaml:5:5: warning: \"tty\" of service \"a\" is ignored by edgecrew (services "
          "run detached; use edgecrew exec for a shell)",
          "compose.yaml:6:5: warning: \"expose\" of service \"a\" is ignored by edgecrew (on a "
          "shared network every port is reachable anyway)",
          "compose.yaml:9:7: warning: \"replicas\" of deploy is ignored by edgecrew (edgecrew "
          "runs one container per service)"));
}

TEST(ComposeLoader, TopLevelExtensionKeysAreIgnored) {
  auto r = load_text(R"(
x-anything: {a: [1, 2]}
x-edgecrew:
  engine: cri
services:
  a: {image: x}
)");
  const auto& s = must_load(r);
  EXPECT_EQ(s.engine, "cri");
  EXPECT_THAT(formatted(r.diagnostics), IsEmpty());
}

TEST(ComposeLoader, MergeKeyListEarlierSourceWins) {
  auto r = load_text(R"(
x-a: &a {image: from-a, user: a}
x-b: &b {image: from-b, hostname: b}
services:
  s:
    <<: [*a, *b]
    user: own
)");
  const auto& s = must_load(r);
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].image, "from-a");
  EXPECT_EQ(s.services[0].user, "own");
  EXPECT_EQ(s.services[0].hostname, "b");
}

TEST(ComposeLoader, ReadSourcesNamesFilesAsTheUserWouldType) {
  Diagnostics diags;
  auto sources = read_sources({k_fixture_dir + "/compose.yaml", "compose.yaml", "../merge/a.yaml"},
                              k_fixture_dir, diags);
  ASSERT_EQ(sources.size(), 3u);
  EXPECT_EQ(sources[0].name, "compose.yaml");  // under the working directory: relative
  EXPECT_EQ(sources[1].name, "compose.yaml");
  EXPECT_EQ(sources[2].name, test::k_data_dir + "/compose/merge/a.yaml");  // outside: absolute
  EXPECT_EQ(sources[2].dir, test::k_data_dir + "/compose/merge");
}

TEST(ComposeLoader, ReadSourcesReportsAMissingFile) {
  Diagnostics diags;
  auto sources = read_sources({"/nonexistent-dir/compose.yaml"}, "/srv", diags);
  EXPECT_TRUE(sources.empty());
  EXPECT_THAT(formatted(diags),
              ElementsAre("/nonexistent-dir/compose.yaml: cannot read the stack file (cannot read "
                          "/nonexistent-dir/compose.yaml: No such file or directory)"));
}

}  // namespace
}  // namespace edgecrew::stack
