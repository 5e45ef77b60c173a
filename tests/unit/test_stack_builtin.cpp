// The built-in stack, loaded as `edgecrew` loads it, against its golden normalized form.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "golden.h"
#include "stack/builtin.h"
#include "stack/compose_loader.h"
#include "stack/connection_env.h"
#include "stack/normalize.h"
#include "stack/secrets.h"
#include "stack_test_support.h"
#include "util/yaml_emit.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string k_redis_password = "RedisGoldenPw0123456789";
const std::string k_neo4j_password = "Neo4jGoldenPw9876543210";

LoadOptions builtin_options() {
  LoadOptions options;
  options.environment = {{"REDIS_PASSWORD", k_redis_password},
                         {"NEO4J_PASSWORD", k_neo4j_password}};
  // As edgecrew sets them from the GPUs it finds.
  options.defaults = {{"EDGECREW_GPU_COUNT", "2"}, {"EDGECREW_GPU_INDEXES", "0,1"}};
  options.fallback_project_name = "edgecrew";
  options.home = "/root";
  return options;
}

LoadResult load_builtin(const LoadOptions& options) {
  return load_stack(
      {{std::string(k_builtin_name), std::string(builtin_compose_text()), "/srv/app"}}, options);
}

class BuiltinStack : public ::testing::Test {
 protected:
  void SetUp() override {
    m_result = load_builtin(builtin_options());
    ASSERT_TRUE(m_result.stack.has_value())
        << ::testing::PrintToString(formatted(m_result.diagnostics));
    auto json = stack_to_json(*m_result.stack);
    Redactor(collect_secrets(*m_result.stack)).redact(json);
    m_yaml = to_yaml(json);
  }

  LoadResult m_result;
  std::string m_yaml;  // redacted
};

TEST_F(BuiltinStack, LoadsCleanly) {
  EXPECT_THAT(formatted(m_result.diagnostics), ::testing::IsEmpty());
  EXPECT_EQ(m_result.stack->name, "edgecrew");
  EXPECT_THAT(m_result.stack->files, ElementsAre("<built-in>"));
}

TEST_F(BuiltinStack, MatchesTheGoldenFile) {
  expect_golden("builtin-config.yaml", m_yaml);
}

TEST_F(BuiltinStack, NoPasswordInTheRedactedOutput) {
  EXPECT_THAT(m_yaml, Not(HasSubstr(k_redis_password)));
  EXPECT_THAT(m_yaml, Not(HasSubstr(k_neo4j_password)));
  EXPECT_THAT(m_yaml, Not(HasSubstr("Golden")));
  // ... while the stack itself has them, in every place the redaction had to cover.
  const Service* redis = m_result.stack->find("redis");
  ASSERT_NE(redis, nullptr);
  EXPECT_EQ(redis->environment.at("REDISCLI_AUTH"), k_redis_password);
  EXPECT_THAT(*redis->command, ::testing::Contains(k_redis_password));
  EXPECT_EQ(redis->probe->url, "redis://:" + k_redis_password + "@127.0.0.1:6379/0");
  const Service* neo4j = m_result.stack->find("neo4j");
  ASSERT_NE(neo4j, nullptr);
  EXPECT_EQ(neo4j->environment.at("NEO4J_AUTH"), "neo4j/" + k_neo4j_password);
  EXPECT_EQ(neo4j->probe->password, k_neo4j_password);
  EXPECT_THAT(m_yaml, HasSubstr("redis://:********@127.0.0.1:6379/0"));
}

TEST_F(BuiltinStack, VllmIsSizedToTheGpus) {
  const Service* vllm = m_result.stack->find("vllm");
  ASSERT_NE(vllm, nullptr);
  ASSERT_TRUE(vllm->command.has_value());
  const auto& cmd = *vllm->command;
  auto it = std::find(cmd.begin(), cmd.end(), "--tensor-parallel-size");
  ASSERT_NE(it, cmd.end());
  ASSERT_NE(it + 1, cmd.end());
  EXPECT_EQ(*(it + 1), "2");
  EXPECT_EQ(vllm->environment.at("CUDA_VISIBLE_DEVICES"), "0,1");
  EXPECT_THAT(m_yaml, HasSubstr("    - --tensor-parallel-size\n    - \"2\"\n"));
  EXPECT_THAT(m_yaml, HasSubstr("      CUDA_VISIBLE_DEVICES: 0,1\n"));
  EXPECT_THAT(cdi_devices(*vllm), ElementsAre("nvidia.com/gpu=all"));
}

TEST_F(BuiltinStack, ConnectionVariablesComeFromTheProbes) {
  std::vector<std::string> lines;
  for (const auto& v : connection_env(*m_result.stack)) {
    lines.push_back(v.name + "=" + v.value + " (" + v.service + ")");
  }
  EXPECT_THAT(lines,
              ElementsAre("REDIS_URL=redis://:" + k_redis_password + "@127.0.0.1:6379/0 (redis)",
                          "NEO4J_URI=bolt://127.0.0.1:7687 (neo4j)", "NEO4J_USER=neo4j (neo4j)",
                          "NEO4J_PASSWORD=" + k_neo4j_password + " (neo4j)",
                          "VLLM_ENDPOINT=http://127.0.0.1:8000/v1 (vllm)",
                          "VLLM_MODEL=TinyLlama/TinyLlama-1.1B-Chat-v1.0 (vllm)"));
}

TEST_F(BuiltinStack, ExplicitVariablesWinOverTheGpuDefaults) {
  LoadOptions options = builtin_options();
  options.environment["VLLM_TENSOR_PARALLEL_SIZE"] = "4";
  options.environment["VLLM_VISIBLE_DEVICES"] = "2,3,4,5";
  auto r = load_builtin(options);
  ASSERT_TRUE(r.stack.has_value());
  const auto& cmd = *r.stack->find("vllm")->command;
  EXPECT_EQ(*(std::find(cmd.begin(), cmd.end(), "--tensor-parallel-size") + 1), "4");
  EXPECT_EQ(r.stack->find("vllm")->environment.at("CUDA_VISIBLE_DEVICES"), "2,3,4,5");
}

TEST(BuiltinStackErrors, RedisPasswordUnsetFailsWithTheRequiredMessage) {
  LoadOptions options = builtin_options();
  options.environment.erase("REDIS_PASSWORD");
  auto r = load_builtin(options);
  EXPECT_FALSE(r.stack.has_value());
  // One error per use of the variable, each at its "$".
  std::vector<std::string> want;
  const std::string text(builtin_compose_text());
  const std::string needle = "${REDIS_PASSWORD:?";
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, needle.size(), needle) == 0) {
      want.push_back(fmt::format(
          "<built-in>:{}:{}: variable \"REDIS_PASSWORD\" is required: run edgecrew init, or set "
          "it in .env (set it in the environment or in .env)",
          line, i - line_start + 1));
    }
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  ASSERT_EQ(want.size(), 3u);
  EXPECT_THAT(formatted(r.diagnostics), ::testing::ElementsAreArray(want));
}

}  // namespace
}  // namespace edgecrew::stack
