// render crio: the built-in stack against golden files, every file parsed back as crictl would,
// secrets flagged, and the renderer's refusal of unexpanded or relative paths.

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "golden.h"
#include "render/crictl_json.h"
#include "render/crio_render.h"
#include "stack/builtin.h"
#include "stack_test_support.h"

namespace edgecrew::render {
namespace {

namespace v1 = ::runtime::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

stack::LoadOptions builtin_options() {
  stack::LoadOptions options;
  options.environment = {{"REDIS_PASSWORD", "RedisGoldenPw0123456789"},
                         {"NEO4J_PASSWORD", "Neo4jGoldenPw9876543210"}};
  options.defaults = {{"EDGECREW_GPU_COUNT", "1"}, {"EDGECREW_GPU_INDEXES", "0"}};
  options.fallback_project_name = "edgecrew";
  options.home = "/root";
  return options;
}

class CrioBuiltin : public ::testing::Test {
 protected:
  void SetUp() override {
    auto result = stack::load_stack({{std::string(stack::k_builtin_name),
                                      std::string(stack::builtin_compose_text()), "/srv/app"}},
                                    builtin_options());
    ASSERT_TRUE(result.stack.has_value())
        << ::testing::PrintToString(stack::test::formatted(result.diagnostics));
    m_stack = std::move(*result.stack);
    m_services = stack::enabled_services(m_stack, {"ui"});
    m_files = render_crio(m_stack, m_services);
  }

  const RenderedFile& file(const std::string& name) const {
    for (const auto& f : m_files) {
      if (f.name == name) return f;
    }
    throw std::out_of_range("no rendered file " + name);
  }

  stack::Stack m_stack;
  std::vector<const stack::Service*> m_services;
  std::vector<RenderedFile> m_files;
};

TEST_F(CrioBuiltin, FileNames) {
  std::vector<std::string> names;
  for (const auto& f : m_files) names.push_back(f.name);
  EXPECT_THAT(names, ElementsAre("neo4j-pod.json", "neo4j-ctr.json", "redis-pod.json",
                                 "redis-ctr.json", "redisinsight-pod.json", "redisinsight-ctr.json",
                                 "vllm-pod.json", "vllm-ctr.json", "README.txt"));
}

TEST_F(CrioBuiltin, MatchesTheGoldenFiles) {
  for (const auto& f : m_files) expect_golden("crio/builtin/" + f.name, f.content);
}

TEST_F(CrioBuiltin, EveryFileParsesBackIntoTheMappedMessage) {
  for (const stack::Service* s : m_services) {
    auto spec = engine::cri::map_service(*s, m_stack).value();
    v1::PodSandboxConfig pod;
    v1::ContainerConfig ctr;
    // Read as crictl reads them: accepted, and nothing in them skipped.
    auto pod_parsed = read_as_crictl(file(s->name + "-pod.json").content, pod);
    auto ctr_parsed = read_as_crictl(file(s->name + "-ctr.json").content, ctr);
    ASSERT_TRUE(pod_parsed.ok()) << s->name << ": " << pod_parsed.error().message;
    ASSERT_TRUE(ctr_parsed.ok()) << s->name << ": " << ctr_parsed.error().message;
    EXPECT_THAT(*pod_parsed, IsEmpty()) << s->name;
    EXPECT_THAT(*ctr_parsed, IsEmpty()) << s->name;
    std::string diff;
    google::protobuf::util::MessageDifferencer differ;
    differ.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differ.Compare(spec.pod, pod)) << s->name << "-pod.json:\n" << diff;
    EXPECT_TRUE(differ.Compare(spec.container, ctr)) << s->name << "-ctr.json:\n" << diff;
  }
}

TEST_F(CrioBuiltin, FilesWithPasswordsAreMarked) {
  for (const auto& f : m_files) {
    bool want = f.name == "redis-ctr.json" || f.name == "neo4j-ctr.json";
    EXPECT_EQ(f.has_secrets, want) << f.name;
  }
  EXPECT_THAT(file("redis-ctr.json").content, HasSubstr("RedisGoldenPw0123456789"));
  EXPECT_THAT(file("README.txt").content, Not(HasSubstr("GoldenPw")));
}

TEST_F(CrioBuiltin, VllmGetsTheGpuTheHandlerAndTheHostNamespaces) {
  const std::string& pod = file("vllm-pod.json").content;
  const std::string& ctr = file("vllm-ctr.json").content;
  EXPECT_THAT(pod, HasSubstr("\"network\": 2"));
  EXPECT_THAT(pod, HasSubstr("\"ipc\": 2"));
  EXPECT_THAT(ctr, HasSubstr("\"CDI_devices\": [\n    {\n      \"name\": \"nvidia.com/gpu=all\""));
  EXPECT_THAT(ctr, HasSubstr("\"cdi.k8s.io/nvidia.com.gpu_all\": \"nvidia.com/gpu=all\""));
  EXPECT_THAT(ctr, HasSubstr("\"--tensor-parallel-size\",\n    \"1\","));
  EXPECT_THAT(file("README.txt").content,
              HasSubstr("POD=$(crictl runp --runtime nvidia vllm-pod.json)\n"
                        "CTR=$(crictl create \"$POD\" vllm-ctr.json vllm-pod.json)\n"
                        "crictl start \"$CTR\"\n"));
}

TEST_F(CrioBuiltin, ReadmeStartsDependenciesFirstAndTearsDownInReverse) {
  const std::string& readme = file("README.txt").content;
  EXPECT_THAT(readme, HasSubstr("# level 1: neo4j, redis, vllm\n"));
  EXPECT_THAT(readme, HasSubstr("# level 2: redisinsight\n"));
  EXPECT_THAT(readme, HasSubstr("# start it once redis is healthy\n"));
  EXPECT_THAT(readme, HasSubstr("POD=$(crictl runp redis-pod.json)\n"));
  EXPECT_THAT(readme, HasSubstr("mkdir -p /var/lib/edgecrew/volumes/edgecrew_hf-cache\n"));
  EXPECT_THAT(readme, HasSubstr("mkdir -p /var/log/edgecrew/edgecrew_redisinsight\n"));
  auto start_redis = readme.find("POD=$(crictl runp redis-pod.json)");
  auto start_insight = readme.find("POD=$(crictl runp redisinsight-pod.json)");
  auto stop_insight = readme.find("--label io.edgecrew.service=redisinsight)");
  auto stop_redis = readme.find("--label io.edgecrew.service=redis)");
  EXPECT_LT(start_redis, start_insight);
  EXPECT_LT(start_insight, stop_insight);
  EXPECT_LT(stop_insight, stop_redis);
  EXPECT_THAT(readme, Not(HasSubstr("${")));
}

TEST_F(CrioBuiltin, OnlyTheNamedServices) {
  auto files = render_crio(m_stack, {m_stack.find("redis")});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].name, "redis-pod.json");
  EXPECT_EQ(files[1].name, "redis-ctr.json");
  EXPECT_THAT(files[2].content, Not(HasSubstr("vllm")));
}

using stack::test::load_ok;

TEST(CrioRender, LiteralDollarBraceWrittenAsDoubleDollarIsKept) {
  stack::Stack st =
      load_ok("services:\n  app:\n    image: busybox\n    command: [sh, -c, \"echo $${HOME}\"]\n");
  auto files = render_crio(st, {st.find("app")});
  EXPECT_THAT(files[1].content, HasSubstr("\"echo ${HOME}\""));
}

TEST(CrioRender, AUsernsModeTheCriCannotRunIsListedInTheReadme) {
  stack::Stack st = load_ok(
      "services:\n  app:\n    image: busybox\n    userns_mode: keep-id\n"
      "  ns:\n    image: busybox\n    userns_mode: host\n");
  auto files = render_crio(st, {st.find("app"), st.find("ns")});
  const std::string& readme = files.back().content;
  EXPECT_THAT(readme, HasSubstr("Not runnable on the CRI as written (edgecrew up --engine cri "
                                "refuses these services; the files above leave the setting "
                                "out):\n\napp: userns_mode: keep-id: a rootless Podman mode"));
  EXPECT_THAT(files[0].content, Not(HasSubstr("userns_options")));
  EXPECT_THAT(files[2].content, HasSubstr("\"userns_options\": {\n"));
}

TEST(CrioRender, UnexpandedTextFromTheRendererIsABug) {
  stack::Stack st = load_ok("services:\n  app:\n    image: busybox\n");
  st.services[0].mounts.push_back({});
  st.services[0].mounts.back().type = stack::MountType::bind;
  st.services[0].mounts.back().source = "${PWD}/config";
  st.services[0].mounts.back().target = "/config";
  EXPECT_THROW(render_crio(st, {&st.services[0]}), std::logic_error);

  st.services[0].mounts.back().source = "config";
  EXPECT_THROW(render_crio(st, {&st.services[0]}), std::logic_error);

  stack::Stack logs = load_ok("services:\n  app:\n    image: busybox\n");
  engine::cri::CriMappingOptions options;
  options.log_root = "${LOGS}";
  EXPECT_THROW(render_crio(logs, {&logs.services[0]}, options), std::logic_error);
}

TEST(CrioRender, SecretNamedVariablesMarkTheContainerFile) {
  stack::Stack st = load_ok(
      "services:\n  app:\n    image: busybox\n    environment:\n      API_TOKEN: tok-123456\n"
      "  plain:\n    image: busybox\n    environment:\n      API_TOKEN: \"\"\n");
  auto files = render_crio(st, {st.find("app"), st.find("plain")});
  EXPECT_FALSE(files[0].has_secrets);
  EXPECT_TRUE(files[1].has_secrets);
  EXPECT_FALSE(files[3].has_secrets);  // an empty value is no secret
}

}  // namespace
}  // namespace edgecrew::render
