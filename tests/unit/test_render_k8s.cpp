// `edgecrew render k8s` of the built-in stack: the golden manifests, the apply order, the files,
// and no password outside the Secret.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden.h"
#include "render/k8s_render.h"
#include "stack/builtin.h"
#include "stack/compose_loader.h"
#include "stack/secrets.h"
#include "stack_test_support.h"
#include "util/yaml_emit.h"

namespace edgecrew::render {
namespace {

using json = nlohmann::ordered_json;
using stack::test::formatted;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string k_redis_password = "RedisGoldenPw0123456789";
const std::string k_neo4j_password = "Neo4jGoldenPw9876543210";

class BuiltinK8s : public ::testing::Test {
 protected:
  void SetUp() override {
    stack::LoadOptions options;
    options.environment = {{"REDIS_PASSWORD", k_redis_password},
                           {"NEO4J_PASSWORD", k_neo4j_password}};
    options.defaults = {{"EDGECREW_GPU_COUNT", "1"}, {"EDGECREW_GPU_INDEXES", "0"}};
    options.fallback_project_name = "edgecrew";
    options.home = "/root";
    auto result = stack::load_stack({{std::string(stack::k_builtin_name),
                                      std::string(stack::builtin_compose_text()), "/srv/app"}},
                                    options);
    ASSERT_TRUE(result.stack.has_value())
        << ::testing::PrintToString(formatted(result.diagnostics));
    m_stack = std::move(*result.stack);
    m_services = stack::enabled_services(m_stack, {"ui"});
  }

  std::vector<std::string> kinds(const K8sOptions& options = {}) const {
    std::vector<std::string> out;
    for (const auto& o : k8s_objects(m_stack, m_services, options)) {
      out.push_back(o["kind"].get<std::string>() + " " + o["metadata"]["name"].get<std::string>());
    }
    return out;
  }

  json object(const std::string& kind, const std::string& name, const K8sOptions& options = {}) {
    for (auto& o : k8s_objects(m_stack, m_services, options)) {
      if (o["kind"] == kind && o["metadata"]["name"] == name) return o;
    }
    ADD_FAILURE() << "no " << kind << " " << name;
    return json::object();
  }

  static json container(const json& workload) {
    return workload["spec"]["template"]["spec"]["containers"][0];
  }

  stack::Stack m_stack;
  std::vector<const stack::Service*> m_services;
};

TEST_F(BuiltinK8s, MatchesTheGoldenFile) {
  expect_golden("k8s/builtin.yaml", render_k8s(m_stack, m_services, {}));
}

TEST_F(BuiltinK8s, ObjectsComeInApplyOrder) {
  EXPECT_THAT(kinds(),
              ElementsAre("Secret edgecrew-secrets", "Service neo4j", "Service neo4j-headless",
                          "Service redis", "Service redis-headless", "Service redisinsight",
                          "Service redisinsight-headless", "Service vllm", "Service vllm-headless",
                          "StatefulSet neo4j", "StatefulSet redis", "StatefulSet redisinsight",
                          "StatefulSet vllm"));
}

TEST_F(BuiltinK8s, ANamespaceOtherThanDefaultComesFirstAndHoldsEveryObject) {
  K8sOptions options;
  options.namespace_name = "agents";
  auto objects = k8s_objects(m_stack, m_services, options);
  ASSERT_GE(objects.size(), 2u);
  EXPECT_EQ(objects[0]["kind"], "Namespace");
  EXPECT_EQ(objects[0]["metadata"]["name"], "agents");
  EXPECT_FALSE(objects[0]["metadata"].contains("namespace"));
  for (std::size_t i = 1; i < objects.size(); ++i) {
    EXPECT_EQ(objects[i]["metadata"]["namespace"], "agents") << objects[i]["kind"];
  }
  for (const auto& o : k8s_objects(m_stack, m_services, {})) {
    EXPECT_NE(o["kind"], "Namespace");
    EXPECT_EQ(o["metadata"]["namespace"], "default");
  }
}

TEST_F(BuiltinK8s, TheSecretHoldsEveryPasswordAWorkloadReads) {
  json secret = object("Secret", "edgecrew-secrets");
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["stringData"], (json{{"neo4j.NEO4J_AUTH", "neo4j/" + k_neo4j_password},
                                        {"redis.REDISCLI_AUTH", k_redis_password},
                                        {"vllm.HF_TOKEN", ""}}));
}

TEST_F(BuiltinK8s, NoOtherDocumentHoldsASecretValue) {
  auto secrets = stack::collect_secrets(m_stack);
  ASSERT_THAT(secrets, ::testing::Contains(k_redis_password));
  int checked = 0;
  for (const auto& doc : k8s_documents(m_stack, m_services, {})) {
    if (doc.object["kind"] == "Secret") continue;
    std::string text = to_yaml(doc.object);
    for (const auto& n : doc.notes) text += n;
    for (const auto& s : secrets) {
      if (s.size() < 3) continue;
      EXPECT_THAT(text, Not(HasSubstr(s))) << doc.object["metadata"]["name"];
    }
    EXPECT_THAT(text, Not(HasSubstr("GoldenPw")));
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

TEST_F(BuiltinK8s, RedisReadsItsPasswordFromTheSecretInItsArgs) {
  json redis = container(object("StatefulSet", "redis"));
  EXPECT_THAT(redis["args"].get<std::vector<std::string>>(),
              ElementsAre("redis-server", "--requirepass", "$(REDISCLI_AUTH)", "--bind",
                          "127.0.0.1", "--protected-mode", "yes", "--appendonly", "yes"));
  EXPECT_EQ(redis["env"], json::parse(R"([{"name": "REDISCLI_AUTH", "valueFrom": {"secretKeyRef":
                {"name": "edgecrew-secrets", "key": "redis.REDISCLI_AUTH"}}}])"));
}

TEST_F(BuiltinK8s, VllmAsksForTheGpusOfTheOptionAndSaysSo) {
  auto vllm = [&](int gpus) {
    K8sOptions options;
    options.gpus = gpus;
    for (auto& doc : k8s_documents(m_stack, m_services, options)) {
      if (doc.object["kind"] == "StatefulSet" && doc.object["metadata"]["name"] == "vllm")
        return doc;
    }
    return K8sDocument{};
  };
  K8sDocument one = vllm(1);
  EXPECT_EQ(container(one.object)["resources"],
            json::parse(R"({"limits": {"nvidia.com/gpu": "1"}})"));
  EXPECT_THAT(one.notes, ElementsAre("nvidia.com/gpu: 1 stands for nvidia.com/gpu=all: Kubernetes "
                                     "counts GPUs (set it with --gpus N)"));
  K8sDocument four = vllm(4);
  EXPECT_EQ(container(four.object)["resources"]["limits"]["nvidia.com/gpu"], "4");
  const json& pod = one.object["spec"]["template"]["spec"];
  EXPECT_EQ(pod["runtimeClassName"], "nvidia");
  EXPECT_EQ(pod["hostIPC"], true);
  EXPECT_EQ(pod["hostNetwork"], true);
  EXPECT_EQ(pod["dnsPolicy"], "ClusterFirstWithHostNet");
  EXPECT_EQ(
      one.object["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
      "20Gi");
  // The model loads for minutes before /health answers.
  EXPECT_EQ(container(one.object)["startupProbe"]["failureThreshold"], 180);
}

TEST_F(BuiltinK8s, RedisinsightWaitsForRedisInAnInitContainer) {
  json pod = object("StatefulSet", "redisinsight")["spec"]["template"]["spec"];
  EXPECT_EQ(pod["initContainers"], json::parse(R"([{"name": "wait-for-redis",
      "image": "docker.io/library/busybox:1.36",
      "command": ["sh", "-c", "until nc -z redis 6379; do sleep 2; done"]}])"));
}

TEST_F(BuiltinK8s, OneFilePerObjectNamedInApplyOrder) {
  K8sOptions options;
  options.namespace_name = "edgecrew";
  auto files = render_k8s_files(m_stack, m_services, options);
  std::vector<std::string> names;
  for (const auto& f : files) {
    names.push_back(f.name);
    EXPECT_EQ(f.has_secrets, f.name == "02-secret-edgecrew-secrets.yaml") << f.name;
  }
  EXPECT_THAT(names,
              ElementsAre("01-namespace-edgecrew.yaml", "02-secret-edgecrew-secrets.yaml",
                          "03-service-neo4j.yaml", "04-service-neo4j-headless.yaml",
                          "05-service-redis.yaml", "06-service-redis-headless.yaml",
                          "07-service-redisinsight.yaml", "08-service-redisinsight-headless.yaml",
                          "09-service-vllm.yaml", "10-service-vllm-headless.yaml",
                          "11-statefulset-neo4j.yaml", "12-statefulset-redis.yaml",
                          "13-statefulset-redisinsight.yaml", "14-statefulset-vllm.yaml"));
  // The files are the documents of the stream, comments included.
  std::string stream = render_k8s(m_stack, m_services, options);
  for (const auto& f : files) EXPECT_THAT(stream, HasSubstr(f.content)) << f.name;
  EXPECT_THAT(files.back().content, ::testing::StartsWith("# nvidia.com/gpu: 1 stands for"));
}

TEST_F(BuiltinK8s, TheStreamSeparatesDocuments) {
  std::string stream = render_k8s(m_stack, m_services, {});
  std::size_t separators = 0;
  for (std::size_t at = 0; (at = stream.find("\n---\n", at)) != std::string::npos; ++at) {
    ++separators;
  }
  EXPECT_EQ(separators, k8s_objects(m_stack, m_services, {}).size() - 1);
  EXPECT_THAT(stream, ::testing::StartsWith("# Kubernetes manifests of the stack \"edgecrew\""));
}

}  // namespace
}  // namespace edgecrew::render
