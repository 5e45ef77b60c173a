// Stack files given with several -f: the later file overrides the earlier one as in Compose, and
// messages about what the later file wrote point into the later file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "stack/compose_loader.h"
#include "stack/merge.h"
#include "stack/yaml_tree.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using test::options_for_tests;
using ::testing::ElementsAre;
using ::testing::Pair;

const std::string k_merge_dir = test::k_data_dir + "/compose/merge";

class MergeFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    Diagnostics diags;
    // Named relative to the working directory, as edgecrew prints them.
    m_a = "a.yaml";
    m_b = "b.yaml";
    auto sources =
        read_sources({k_merge_dir + "/a.yaml", k_merge_dir + "/b.yaml"}, k_merge_dir, diags);
    ASSERT_EQ(sources.size(), 2u);
    m_result = load_stack(sources, options_for_tests());
    ASSERT_TRUE(m_result.stack.has_value())
        << ::testing::PrintToString(formatted(m_result.diagnostics));
    m_api = m_result.stack->find("api");
    ASSERT_NE(m_api, nullptr);
  }

  std::string m_a;
  std::string m_b;
  LoadResult m_result;
  const Service* m_api = nullptr;
};

TEST_F(MergeFiles, StackKeepsBothFilesAndTheFirstDirectory) {
  EXPECT_THAT(m_result.stack->files, ElementsAre(m_a, m_b));
  EXPECT_EQ(m_result.stack->project_dir, k_merge_dir);
  EXPECT_EQ(m_result.stack->name, "merged");
  EXPECT_THAT(formatted(m_result.diagnostics), ::testing::IsEmpty());
}

TEST_F(MergeFiles, ScalarsAreReplaced) {
  EXPECT_EQ(m_api->image, "acme/api:2");
  EXPECT_EQ(m_api->user, "2000");
  EXPECT_EQ(m_api->restart, RestartPolicy::always);  // only in a.yaml
}

TEST_F(MergeFiles, EnvironmentAndLabelsMergeByKeyAcrossForms) {
  // a.yaml: environment as a mapping, labels as a list; b.yaml the other way round.
  EXPECT_THAT(m_api->environment,
              ElementsAre(Pair("A", "from-a"), Pair("B", "from-b"), Pair("C", "from-b")));
  EXPECT_THAT(m_api->labels, ElementsAre(Pair("com.example.a", "1"), Pair("com.example.b", "2"),
                                         Pair("com.example.c", "2")));
}

TEST_F(MergeFiles, CommandIsReplacedNotAppended) {
  ASSERT_TRUE(m_api->command.has_value());
  EXPECT_THAT(*m_api->command, ElementsAre("serve", "--debug"));
  ASSERT_TRUE(m_api->healthcheck.has_value());
  // healthcheck merges key by key, but its test is a command: replaced.
  EXPECT_THAT(stack::compose_test(*m_api->healthcheck), ElementsAre("CMD", "check", "b"));
  EXPECT_EQ(m_api->healthcheck->retries, 7);
  EXPECT_EQ(m_api->healthcheck->interval, std::chrono::seconds(5));
  EXPECT_THAT(m_api->profiles, ElementsAre("three"));
}

TEST_F(MergeFiles, PortsAndDevicesAppendWithoutRepeats) {
  std::vector<std::string> ports;
  for (const auto& p : m_api->ports) {
    ports.push_back(std::to_string(p.host_port) + ":" + std::to_string(p.container_port) + "@" +
                    p.where.file.substr(p.where.file.rfind('/') + 1) + ":" +
                    std::to_string(p.where.line));
  }
  // The repeated "9090:90" is b.yaml's now.
  EXPECT_THAT(ports, ElementsAre("8080:80@a.yaml:14", "9090:90@b.yaml:13", "7070:70@b.yaml:14"));
  ASSERT_EQ(m_api->devices.size(), 2u);
  EXPECT_EQ(m_api->devices[0].host_path, "/dev/fuse");
  EXPECT_EQ(m_api->devices[1].host_path, "/dev/snd");
}

TEST_F(MergeFiles, VolumesMergeByTarget) {
  ASSERT_EQ(m_api->mounts.size(), 3u);
  EXPECT_EQ(m_api->mounts[0].source, "other");  // replaced in place: same target /data
  EXPECT_EQ(m_api->mounts[0].target, "/data");
  EXPECT_EQ(m_api->mounts[0].where.file, m_b);
  EXPECT_EQ(m_api->mounts[0].where.line, 16);
  EXPECT_EQ(m_api->mounts[1].source, "logs");
  EXPECT_EQ(m_api->mounts[1].where.file, m_a);
  EXPECT_EQ(m_api->mounts[2].source, "cache");
  EXPECT_EQ(m_result.stack->volumes.size(), 4u);
}

TEST_F(MergeFiles, DependsOnMergesByKeyAcrossForms) {
  ASSERT_EQ(m_api->depends_on.size(), 1u);
  EXPECT_EQ(m_api->depends_on[0].service, "db");
  EXPECT_EQ(m_api->depends_on[0].condition, DependencyCondition::service_healthy);
}

TEST_F(MergeFiles, ProbeIsReplacedWhole) {
  // b.yaml changes the probe's kind; keeping both kinds would be an error.
  ASSERT_TRUE(m_api->probe.has_value());
  EXPECT_EQ(m_api->probe->kind, Probe::Kind::tcp);
  EXPECT_EQ(m_api->probe->port, 8080);
}

TEST_F(MergeFiles, NewServicesAreAdded) {
  std::vector<std::string> names;
  for (const auto& s : m_result.stack->services) names.push_back(s.name);
  EXPECT_THAT(names, ElementsAre("api", "db", "worker"));
  EXPECT_EQ(m_result.stack->find("db")->image, "postgres:15");
  EXPECT_EQ(m_result.stack->find("worker")->where.file, m_b);
}

TEST(MergeErrors, MessagesPointIntoTheFileThatWroteIt) {
  LoadOptions options = options_for_tests();
  auto r = load_stack({{"a.yaml",
                        "services:\n"
                        "  api:\n"
                        "    image: x\n"
                        "    ports: [\"8080:80\"]\n"
                        "    restart: always\n",
                        "/srv/app"},
                       {"b.yaml",
                        "services:\n"
                        "  api:\n"
                        "    imagee: y\n"
                        "    restart: sometimes\n"
                        "  web:\n"
                        "    image: z:${TAG}\n"
                        "    ports: [\"8080:81\"]\n"
                        "    depends_on: [apii]\n",
                        "/srv/app"}},
                      options);
  EXPECT_FALSE(r.stack.has_value());
  EXPECT_THAT(
      formatted(r.diagnostics),
      ElementsAre(
          "b.yaml:6:14: variable \"TAG\" is not set (set it in the environment or in .env, or give "
          "a default: ${TAG:-value})",
          // A service's keys are checked before its values are read.
          "b.yaml:3:5: unknown key \"imagee\" in service \"api\" (did you mean \"image\"?)",
          "b.yaml:4:14: unknown restart policy \"sometimes\" (use no, always, on-failure[:N] or "
          "unless-stopped)",
          "b.yaml:8:18: service \"web\" depends on \"apii\", which is not defined (did you mean "
          "\"api\"?)",
          // The port it collides with is in the other file: the message says which.
          "b.yaml:7:13: host port 8080/tcp of service \"web\" is already published by service "
          "\"api\" (a.yaml:4) (publish it on another host port)"));
}

TEST(MergeDocuments, NullOverrideKeepsTheBase) {
  Diagnostics diags;
  auto base = parse_yaml("services:\n  a: {image: x}\n", "a.yaml", diags);
  auto over = parse_yaml("", "b.yaml", diags);
  ASSERT_TRUE(base && over);
  merge_documents(*base, *over);
  ASSERT_NE(base->find("services"), nullptr);
  EXPECT_EQ(base->find("services")->find("a")->find("image")->scalar, "x");
}

TEST(ListToMapping, PositionsPointAtTheValue) {
  Diagnostics diags;
  auto doc = parse_yaml("env:\n  - A=1\n  - \"B=two\"\n  - C\n  - A=3\n", "f.yaml", diags);
  ASSERT_TRUE(doc);
  Node m = list_to_mapping(*doc->find("env"));
  ASSERT_TRUE(m.is_mapping());
  ASSERT_EQ(m.entries.size(), 3u);
  const Node* a = m.find("A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->scalar, "3");  // a later entry wins
  EXPECT_EQ(a->where.line, 5);
  EXPECT_EQ(a->where.column, 7);
  EXPECT_EQ(m.find("B")->scalar, "two");
  EXPECT_EQ(m.find("B")->where.column, 8);  // after the opening quote and "B="
  EXPECT_TRUE(m.find("C")->is_null());
}

}  // namespace
}  // namespace edgecrew::stack
