// render crio against the hand-written crictl files users run today, restated field by field in
// tests/data/crio/references/crictl-files.yaml (the suite needs nothing outside the repository).
// tests/data/crio/references/compose.yaml states the same services; both sides are parsed into
// runtime.v1 messages and must be equal once the intended differences listed here are applied to
// the reference. A listed difference that changes nothing is an error too, so the list stays true.
// Where the original files are at hand (the project's reference folder beside the checkout), a
// test checks that the restatement still says what they say.

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "engine/cri/cri_mapping.h"
#include "render/crictl_json.h"
#include "render/crio_render.h"
#include "stack/compose_loader.h"
#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::render {
namespace {

namespace fs = std::filesystem;
namespace v1 = ::runtime::v1;

const fs::path k_restated = stack::test::k_data_dir + "/crio/references/crictl-files.yaml";
const fs::path k_originals = EDGECREW_CRICTL_REFERENCE_DIR;
const std::string k_project = "swe-ai-fleet";
const std::string k_project_dir = "/home/ia/develop/swe-ai-fleet";

template <typename M>
struct Difference {
  std::string why;
  std::function<void(M&)> apply;  // turns the reference into what edgecrew renders
};

// A difference in the reference's JSON itself: keys its message does not declare. Go's decoder
// drops those without a word, so crictl never saw them.
struct JsonFix {
  std::string why;
  std::function<void(nlohmann::ordered_json&)> apply;
};

using PodDifference = Difference<v1::PodSandboxConfig>;
using CtrDifference = Difference<v1::ContainerConfig>;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A restated file as the JSON it stands for: quoted scalars are strings, plain numbers and
// true/false are numbers and booleans, mappings keep their order.
nlohmann::ordered_json to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    auto out = nlohmann::ordered_json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted
  if (text == "true" || text == "false") return text == "true";
  long long number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size()) return number;
  return text;
}

const YAML::Node& restated() {
  static const YAML::Node files = YAML::LoadFile(k_restated.string());
  return files;
}

nlohmann::ordered_json restated(const std::string& file) {
  const YAML::Node node = restated()[file];
  EXPECT_TRUE(node.IsMap()) << file << " is not in " << k_restated;
  return to_json(node);
}

void set_env(v1::ContainerConfig& ctr, const std::string& key, const std::string& value) {
  for (auto& env : *ctr.mutable_envs()) {
    if (env.key() == key) {
      env.set_value(value);
      return;
    }
  }
  auto* env = ctr.add_envs();
  env->set_key(key);
  env->set_value(value);
}

void replace_arg(v1::ContainerConfig& ctr, const std::string& from, const std::string& to) {
  for (auto& arg : *ctr.mutable_args()) {
    if (arg == from) arg = to;
  }
}

class CrioReferences : public ::testing::Test {
 protected:
  void SetUp() override {
    stack::LoadOptions options;
    options.defaults = {{"EDGECREW_GPU_COUNT", "1"}, {"EDGECREW_GPU_INDEXES", "0"}};
    options.home = "/home/ia";
    const std::string text = read_text(stack::test::k_data_dir + "/crio/references/compose.yaml");
    auto result = stack::load_stack({{"compose.yaml", text, k_project_dir}}, options);
    ASSERT_TRUE(result.stack.has_value())
        << ::testing::PrintToString(stack::test::formatted(result.diagnostics));
    m_stack = std::move(*result.stack);
    std::vector<const stack::Service*> services;
    for (const auto& s : m_stack.services) services.push_back(&s);
    for (auto& f : render_crio(m_stack, services)) m_rendered[f.name] = std::move(f.content);
  }

  // The reference, parsed strictly once its JSON is fixed.
  template <typename M>
  M reference(const std::string& file, const std::vector<JsonFix>& fixes) {
    M message;
    auto json = restated(file);
    for (const auto& fix : fixes) {
      auto before = json;
      fix.apply(json);
      EXPECT_NE(before, json) << file << ": the JSON fix \"" << fix.why
                              << "\" changes nothing; take it off the list";
    }
    Status parsed = from_crictl_json(json.dump(), message);
    EXPECT_TRUE(parsed.ok()) << file << ": " << parsed.error().message;
    return message;
  }

  template <typename M>
  M ours(const std::string& name) {
    M message;
    Status parsed = from_crictl_json(m_rendered.at(name), message);
    EXPECT_TRUE(parsed.ok()) << name << ": " << parsed.error().message;
    return message;
  }

  template <typename M>
  void expect_same_but(const std::string& file, M expected, const M& actual,
                       const std::vector<Difference<M>>& differences) {
    using google::protobuf::util::MessageDifferencer;
    for (const auto& d : differences) {
      M before = expected;
      d.apply(expected);
      EXPECT_FALSE(MessageDifferencer::Equals(before, expected))
          << file << ": the difference \"" << d.why << "\" changes nothing; take it off the list";
    }
    std::string report;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&report);
    EXPECT_TRUE(differ.Compare(expected, actual))
        << file << " and what edgecrew renders differ beyond the listed differences:\n"
        << report;
  }

  void expect_pod(const std::string& file, const std::string& service,
                  std::vector<PodDifference> specific = {}) {
    std::vector<PodDifference> differences = std::move(specific);
    differences.push_back(
        {"the namespace is the project, so two projects on one host stay apart",
         [](v1::PodSandboxConfig& p) { p.mutable_metadata()->set_namespace_(k_project); }});
    differences.push_back(
        {"the uid is a UUID derived from project and service", [service](v1::PodSandboxConfig& p) {
           p.mutable_metadata()->set_uid(engine::cri::pod_uid(k_project, service));
         }});
    differences.push_back({"each pod logs under /var/log/edgecrew/<project>_<service>, not /tmp",
                           [service](v1::PodSandboxConfig& p) {
                             p.set_log_directory("/var/log/edgecrew/" + k_project + "_" + service);
                           }});
    differences.push_back(
        {"edgecrew labels: project, service, spec hash",
         [this, service](v1::PodSandboxConfig& p) { add_labels(*p.mutable_labels(), service); }});
    expect_same_but(file, reference<v1::PodSandboxConfig>(file, {}),
                    ours<v1::PodSandboxConfig>(service + "-pod.json"), differences);
  }

  void expect_ctr(const std::string& file, const std::string& service,
                  const std::vector<JsonFix>& fixes, std::vector<CtrDifference> specific = {}) {
    std::vector<CtrDifference> differences = std::move(specific);
    differences.push_back(
        {"edgecrew labels: project, service, spec hash",
         [this, service](v1::ContainerConfig& c) { add_labels(*c.mutable_labels(), service); }});
    expect_same_but(file, reference<v1::ContainerConfig>(file, fixes),
                    ours<v1::ContainerConfig>(service + "-ctr.json"), differences);
  }

  void add_labels(google::protobuf::Map<std::string, std::string>& labels,
                  const std::string& service) {
    labels["io.edgecrew.project"] = k_project;
    labels["io.edgecrew.service"] = service;
    labels["io.edgecrew.spec-hash"] = stack::spec_hash(*m_stack.find(service), m_stack);
  }

  stack::Stack m_stack;
  std::map<std::string, std::string> m_rendered;
};

// Difference helpers shared by several files.
const CtrDifference k_envs_sorted = {
    "environment variables are sorted by name (Compose's environment is a map)",
    [](v1::ContainerConfig& c) {
      std::sort(c.mutable_envs()->begin(), c.mutable_envs()->end(),
                [](const auto& a, const auto& b) { return a.key() < b.key(); });
    }};

// ContainerConfig has no port_mappings (they belong to the pod), so crictl dropped them; on the
// host network no mapping is needed, and edgecrew renders none.
const JsonFix k_ports_in_container = {"port_mappings in the container file were ignored",
                                      [](nlohmann::ordered_json& j) { j.erase("port_mappings"); }};

// KeyValue has "key" and "value". With "name", crictl dropped every variable's name: none of these
// variables reached the container under its name. edgecrew writes "key".
const JsonFix k_env_name_is_key = {"environment entries said \"name\" instead of \"key\"",
                                   [](nlohmann::ordered_json& j) {
                                     if (!j.contains("envs")) return;
                                     for (auto& env : j["envs"]) {
                                       if (!env.contains("name")) continue;
                                       env["key"] = env["name"];
                                       env.erase("name");
                                     }
                                   }};

CtrDifference volume_instead_of(const std::string& home_path, const std::string& volume) {
  return {"a named volume under /var/lib/edgecrew/volumes instead of " + home_path,
          [home_path, volume](v1::ContainerConfig& c) {
            for (auto& m : *c.mutable_mounts()) {
              if (m.host_path() == home_path) {
                m.set_host_path("/var/lib/edgecrew/volumes/" + k_project + "_" + volume);
              }
            }
          }};
}

CtrDifference pinned_image(const std::string& image) {
  return {"the image tag is pinned (" + image + ")",
          [image](v1::ContainerConfig& c) { c.mutable_image()->set_image(image); }};
}

TEST_F(CrioReferences, KongPod) {
  expect_pod("kong-pod.json", "kong");
}
TEST_F(CrioReferences, RedisPod) {
  expect_pod("redis-pod.json", "redis");
}
TEST_F(CrioReferences, WebPod) {
  expect_pod("web-pod.json", "web");
}
TEST_F(CrioReferences, ArchivedNeo4jPod) {
  expect_pod("archived-cri-o-standalone/neo4j-pod.json", "neo4j");
}
TEST_F(CrioReferences, ArchivedRedisinsightPod) {
  expect_pod("archived-cri-o-standalone/redisinsight-pod.json", "redisinsight");
}

TEST_F(CrioReferences, VllmPod) {
  expect_pod("vllm-pod.json", "vllm",
             {{"the pod is named after the service (vllm), like its container",
               [](v1::PodSandboxConfig& p) { p.mutable_metadata()->set_name("vllm"); }}});
}

TEST_F(CrioReferences, KongContainer) {
  expect_ctr("kong-ctr.json", "kong", {k_env_name_is_key, k_ports_in_container});
}

TEST_F(CrioReferences, OlderKongContainer) {
  expect_ctr("older-versions/kong-ctr.json@e6675c5.json", "kong",
             {k_env_name_is_key, k_ports_in_container},
             {{"./deploy/... is resolved against the project directory; crictl kept ${PWD} "
               "literally",
               [](v1::ContainerConfig& c) {
                 for (auto& m : *c.mutable_mounts()) {
                   if (m.host_path() == "${PWD}/deploy/podman/kong/kong.yml") {
                     m.set_host_path(k_project_dir + "/deploy/podman/kong/kong.yml");
                   }
                 }
               }}});
}

TEST_F(CrioReferences, Neo4jContainer) {
  expect_ctr("neo4j-ctr.json", "neo4j", {k_env_name_is_key}, {k_envs_sorted});
}

TEST_F(CrioReferences, WebContainer) {
  expect_ctr("web-ctr.json", "web", {k_env_name_is_key, k_ports_in_container}, {k_envs_sorted});
}

TEST_F(CrioReferences, OlderWebContainer) {
  expect_ctr(
      "older-versions/web-ctr.json@e6675c5.json", "web", {k_env_name_is_key, k_ports_in_container},
      {{"the older file predates VLLM_ENDPOINT",
        [](v1::ContainerConfig& c) { set_env(c, "VLLM_ENDPOINT", "http://127.0.0.1:8000/v1"); }},
       k_envs_sorted});
}

TEST_F(CrioReferences, ArchivedRedisContainer) {
  expect_ctr("archived-cri-o-standalone/redis-ctr.json", "redis", {},
             {{"${REDIS_PASSWORD:-swefleet-dev} is expanded; crictl passed it literally",
               [](v1::ContainerConfig& c) {
                 replace_arg(c, "${REDIS_PASSWORD:-swefleet-dev}", "swefleet-dev");
               }}});
}

TEST_F(CrioReferences, ArchivedRedisinsightContainer) {
  expect_ctr("archived-cri-o-standalone/redisinsight-ctr.json", "redisinsight", {},
             {pinned_image("docker.io/redis/redisinsight:2.60"),
              volume_instead_of("/home/ia/redisinsight_data", "redisinsight-data")});
}

TEST_F(CrioReferences, VllmContainer) {
  expect_ctr("vllm-ctr.json", "vllm", {k_env_name_is_key},
             {pinned_image("docker.io/vllm/vllm-openai:v0.10.2"),
              {"the container log is named after the service (vllm.log)",
               [](v1::ContainerConfig& c) { c.set_log_path("vllm.log"); }},
              {"--tensor-parallel-size and CUDA_VISIBLE_DEVICES follow the GPUs found (1 here), "
               "not a fixed 2",
               [](v1::ContainerConfig& c) {
                 auto& args = *c.mutable_args();
                 auto size = std::find(args.begin(), args.end(), "--tensor-parallel-size");
                 if (size != args.end() && size + 1 != args.end()) *(size + 1) = "1";
                 set_env(c, "CUDA_VISIBLE_DEVICES", "0");
               }},
              volume_instead_of("/home/ia/.cache/huggingface", "hf-cache"),
              {"the GPU is CDI_devices (field 17) plus the cdi.k8s.io annotation that CRI-O's CDI "
               "support reads, instead of the io.kubernetes.cri-o.Devices annotation",
               [](v1::ContainerConfig& c) {
                 c.mutable_annotations()->erase("io.kubernetes.cri-o.Devices");
                 c.add_cdi_devices()->set_name("nvidia.com/gpu=all");
                 (*c.mutable_annotations())["cdi.k8s.io/nvidia.com.gpu_all"] = "nvidia.com/gpu=all";
               }},
              k_envs_sorted});
}

TEST_F(CrioReferences, EveryReferenceFileIsCompared) {
  const std::set<std::string> compared = {
      "kong-pod.json",
      "redis-pod.json",
      "web-pod.json",
      "vllm-pod.json",
      "archived-cri-o-standalone/neo4j-pod.json",
      "archived-cri-o-standalone/redisinsight-pod.json",
      "kong-ctr.json",
      "neo4j-ctr.json",
      "web-ctr.json",
      "vllm-ctr.json",
      "archived-cri-o-standalone/redis-ctr.json",
      "archived-cri-o-standalone/redisinsight-ctr.json",
      "older-versions/kong-ctr.json@e6675c5.json",
      "older-versions/web-ctr.json@e6675c5.json",
  };
  std::set<std::string> present;
  for (const auto& item : restated()) present.insert(item.first.as<std::string>());
  EXPECT_EQ(present, compared) << "a reference file was added or removed: compare it here";
}

// What crictl's own loader does with the files users have: it reads every one, and skips without a
// word the keys no CRI message has there (so the env entries written with "name" reach the runtime
// with an empty key, and a container's port_mappings publish nothing).
TEST_F(CrioReferences, CrictlReadsEachFileAndSkipsWhatTheCriDoesNotDefine) {
  std::map<std::string, std::set<std::string>> skipped;
  for (const auto& item : restated()) {
    std::string file = item.first.as<std::string>();
    std::string text = restated(file).dump();
    Result<std::vector<std::string>> read = Error{};
    if (file.find("-pod.json") != std::string::npos) {
      v1::PodSandboxConfig pod;
      read = read_as_crictl(text, pod);
    } else {
      v1::ContainerConfig ctr;
      read = read_as_crictl(text, ctr);
    }
    ASSERT_TRUE(read.ok()) << file << ": " << read.error().message;
    for (const auto& path : *read) {
      // envs[3].name -> envs[].name: one line per kind of key.
      std::string kind;
      for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '[') {
          kind += "[]";
          i = path.find(']', i);
        } else {
          kind += path[i];
        }
      }
      skipped[file].insert(kind);
    }
  }
  using Skipped = std::set<std::string>;
  const Skipped env_name = {"envs[].name"};
  const Skipped env_name_ports = {"envs[].name", "port_mappings"};
  EXPECT_EQ(skipped, (std::map<std::string, Skipped>{
                         {"kong-ctr.json", env_name_ports},
                         {"neo4j-ctr.json", env_name},
                         {"older-versions/kong-ctr.json@e6675c5.json", env_name_ports},
                         {"older-versions/web-ctr.json@e6675c5.json", env_name_ports},
                         {"vllm-ctr.json", env_name},
                         {"web-ctr.json", env_name_ports},
                     }));
}

// The restatement against the original files, where they are at hand: the same files, and each
// the same JSON (keys, values and their types; key order aside).
TEST_F(CrioReferences, TheRestatementSaysWhatTheOriginalFilesSay) {
  if (!fs::is_directory(k_originals)) {
    GTEST_SKIP() << "the original crictl files are not beside this checkout (" << k_originals
                 << "); the restatement in " << k_restated << " stands for them";
  }
  std::set<std::string> originals, restated_files;
  for (const auto& entry : fs::recursive_directory_iterator(k_originals)) {
    if (!entry.is_regular_file()) continue;
    const std::string file = fs::relative(entry.path(), k_originals).generic_string();
    originals.insert(file);
    EXPECT_EQ(nlohmann::json(restated(file)), nlohmann::json::parse(read_text(entry.path())))
        << file;
  }
  for (const auto& item : restated()) restated_files.insert(item.first.as<std::string>());
  EXPECT_EQ(restated_files, originals);
}

TEST_F(CrioReferences, RenderedRunsTheGpuPodOnTheNvidiaHandler) {
  EXPECT_THAT(m_rendered.at("README.txt"),
              ::testing::HasSubstr("POD=$(crictl runp --runtime nvidia vllm-pod.json)\n"));
}

}  // namespace
}  // namespace edgecrew::render
