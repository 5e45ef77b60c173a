#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli_fixture.h"

namespace edgecrew::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CliRender : public ::testing::Test {
 protected:
  void SetUp() override {
    f.process.environment["REDIS_PASSWORD"] = "redis-secret-1";
    f.process.environment["NEO4J_PASSWORD"] = "neo4j-secret-1";
  }
  CliFixture f;
};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST_F(CliRender, CrioPrintsMaskedFilesForTheNamedService) {
  auto r = f.run({"render", "crio", "redis"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("==> redis-pod.json <==\n{\n"));
  EXPECT_THAT(r.out, HasSubstr("==> redis-ctr.json <==\n"));
  EXPECT_THAT(r.out, HasSubstr("==> README.txt <==\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("neo4j-pod.json")));
  EXPECT_THAT(r.out, Not(HasSubstr("redis-secret-1")));
  EXPECT_THAT(r.out, HasSubstr("\"value\": \"********\""));

  auto shown = f.run({"render", "crio", "--show-secrets", "redis"});
  EXPECT_THAT(shown.out, HasSubstr("\"redis-secret-1\""));
}

TEST_F(CliRender, CrioWritesFilesWithSecretsPrivate) {
  auto r = f.run({"render", "crio", "-o", "out", "--data-root", "/srv/edgecrew"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto out = f.process.cwd / "out";
  EXPECT_THAT(r.out, HasSubstr("wrote " + (out / "redis-ctr.json").string() +
                               " (holds secrets: mode 0600)\n"));
  EXPECT_EQ(mode_of(out / "redis-ctr.json"), 0600u);
  EXPECT_EQ(mode_of(out / "redis-pod.json"), 0644u);
  EXPECT_EQ(mode_of(out / "vllm-ctr.json"), 0644u);
  EXPECT_THAT(f.read(out / "redis-ctr.json"), HasSubstr("\"redis-secret-1\""));
  EXPECT_THAT(f.read(out / "redis-ctr.json"),
              HasSubstr("\"host_path\": \"/srv/edgecrew/volumes/edgecrew_redis-data\""));
  EXPECT_THAT(f.read(out / "README.txt"),
              HasSubstr("POD=$(crictl runp --runtime nvidia vllm-pod.json)"));
  EXPECT_FALSE(std::filesystem::exists(out / "redisinsight-pod.json"));  // profile "ui" is off
}

TEST_F(CliRender, K8sSizesVllmToTheGpusPerPod) {
  auto r = f.run({"render", "k8s", "--gpus", "2", "--namespace", "agents"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("- --tensor-parallel-size\n        - \"2\"\n"));
  EXPECT_THAT(r.out, HasSubstr("nvidia.com/gpu: \"2\""));
  EXPECT_THAT(r.out, HasSubstr("namespace: agents"));
  EXPECT_THAT(r.out, Not(HasSubstr("redis-secret-1")));
  EXPECT_THAT(r.out, Not(HasSubstr("neo4j-secret-1")));

  auto files = f.run({"render", "k8s", "-o", "k8s"});
  ASSERT_EQ(files.status, 0) << files.err;
  auto secret = f.process.cwd / "k8s" / "01-secret-edgecrew-secrets.yaml";
  EXPECT_EQ(mode_of(secret), 0600u);
  EXPECT_THAT(f.read(secret), HasSubstr("redis-secret-1"));
}

TEST_F(CliRender, BadArgumentsAreUsageErrors) {
  auto unknown = f.run({"render", "crio", "rediss"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err,
            "edgecrew: no service \"rediss\" in the stack (did you mean \"redis\"?)\n");
  auto ns = f.run({"render", "k8s", "--namespace", "Bad_NS"});
  EXPECT_EQ(ns.status, 2);
  EXPECT_THAT(ns.err, HasSubstr("--namespace \"Bad_NS\" is not a valid Kubernetes namespace"));
  EXPECT_EQ(f.run({"render", "k8s", "--gpus", "0"}).status, 2);
  EXPECT_EQ(f.run({"render"}).status, 2);  // a target is required
}

}  // namespace
}  // namespace edgecrew::testing
