// crictl JSON: the shape Go's encoding/json reads into the CRI types, and the strict reverse.

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "engine/cri/proto/runtime.pb.h"
#include "render/crictl_json.h"

namespace edgecrew::render {
namespace {

namespace v1 = ::runtime::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CrictlJson, EmptyMessageIsAnEmptyObject) {
  EXPECT_EQ(to_crictl_json(v1::PodSandboxConfig()), "{}\n");
}

TEST(CrictlJson, ProtoNamesNumbersForEnumsAndInt64NoDefaults) {
  v1::PodSandboxConfig pod;
  pod.mutable_metadata()->set_name("web");
  pod.mutable_metadata()->set_attempt(0);  // default: left out
  pod.set_log_directory("/var/log/x");
  auto* port = pod.add_port_mappings();
  port->set_protocol(v1::UDP);
  port->set_container_port(53);
  port->set_host_port(5353);
  (*pod.mutable_labels())["b"] = "2";
  (*pod.mutable_labels())["a"] = "1";
  auto* ns = pod.mutable_linux()->mutable_security_context()->mutable_namespace_options();
  ns->set_network(v1::NODE);
  ns->set_ipc(v1::POD);  // default: left out
  EXPECT_EQ(to_crictl_json(pod),
            R"({
  "metadata": {
    "name": "web"
  },
  "log_directory": "/var/log/x",
  "port_mappings": [
    {
      "protocol": 1,
      "container_port": 53,
      "host_port": 5353
    }
  ],
  "labels": {
    "a": "1",
    "b": "2"
  },
  "linux": {
    "security_context": {
      "namespace_options": {
        "network": 2
      }
    }
  }
}
)");
}

TEST(CrictlJson, ContainerFieldsInFieldNumberOrder) {
  v1::ContainerConfig ctr;
  ctr.add_cdi_devices()->set_name("nvidia.com/gpu=all");
  auto* resources = ctr.mutable_linux()->mutable_resources();
  resources->set_memory_limit_in_bytes(8LL * 1024 * 1024 * 1024);  // beyond 32 bits
  resources->set_cpu_quota(150000);
  ctr.mutable_linux()->mutable_security_context()->mutable_run_as_user()->set_value(0);
  ctr.set_log_path("web.log");
  ctr.mutable_metadata()->set_name("web");
  EXPECT_EQ(to_crictl_json(ctr),
            R"({
  "metadata": {
    "name": "web"
  },
  "log_path": "web.log",
  "linux": {
    "resources": {
      "cpu_quota": 150000,
      "memory_limit_in_bytes": 8589934592
    },
    "security_context": {
      "run_as_user": {}
    }
  },
  "CDI_devices": [
    {
      "name": "nvidia.com/gpu=all"
    }
  ]
}
)");
}

TEST(CrictlJson, ParsesBackToTheSameMessage) {
  v1::ContainerConfig ctr;
  ctr.mutable_metadata()->set_name("web");
  ctr.mutable_image()->set_image("busybox");
  ctr.add_args("--x=\"quoted\"\n");
  auto* env = ctr.add_envs();
  env->set_key("K");
  env->set_value("välue");
  auto* mount = ctr.add_mounts();
  mount->set_container_path("/data");
  mount->set_host_path("/srv/data");
  mount->set_readonly(true);
  mount->set_propagation(v1::PROPAGATION_HOST_TO_CONTAINER);
  ctr.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(1LL << 40);
  ctr.mutable_linux()->mutable_security_context()->mutable_run_as_group()->set_value(0);
  (*ctr.mutable_annotations())["cdi.k8s.io/x"] = "y";
  ctr.add_cdi_devices()->set_name("nvidia.com/gpu=0");

  v1::ContainerConfig back;
  Status parsed = from_crictl_json(to_crictl_json(ctr), back);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(ctr, back)) << diff;
}

TEST(CrictlJson, ParseAcceptsWhatHandWrittenFilesUse) {
  // Enum names as well as numbers; int64 as numbers.
  v1::PodSandboxConfig pod;
  Status parsed = from_crictl_json(
      R"({"port_mappings": [{"protocol": "UDP", "container_port": 53}],
          "linux": {"security_context": {"namespace_options": {"network": 2}}}})",
      pod);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(pod.port_mappings(0).protocol(), v1::UDP);
  EXPECT_EQ(pod.linux().security_context().namespace_options().network(), v1::NODE);
}

TEST(CrictlJson, ParseRefusesUnknownFields) {
  // A ContainerConfig has no port_mappings: Go's decoder would drop them without a word.
  v1::ContainerConfig ctr;
  Status parsed = from_crictl_json(R"({"metadata": {"name": "web"}, "port_mappings": []})", ctr);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_input);
  EXPECT_THAT(parsed.error().message, HasSubstr("runtime.v1.ContainerConfig"));
  EXPECT_THAT(parsed.error().message, HasSubstr("port_mappings"));
}

TEST(CrictlJson, ParseRefusesWrongTypes) {
  v1::ContainerConfig ctr;
  EXPECT_FALSE(from_crictl_json(R"({"linux": {"resources": {"cpu_quota": "many"}}})", ctr).ok());
  EXPECT_FALSE(from_crictl_json(R"({"metadata": ["web"]})", ctr).ok());
  EXPECT_FALSE(from_crictl_json("{", ctr).ok());
}

// crictl's loader (Go's encoding/json into the CRI types, then its own checks), rule by rule.
const char* k_minimal_ctr = R"({"metadata": {"name": "web"}, "image": {"image": "busybox"}})";

TEST(CrictlReader, EdgecrewsOwnOutputIsReadWithNothingSkipped) {
  v1::ContainerConfig ctr;
  ctr.mutable_metadata()->set_name("web");
  ctr.mutable_image()->set_image("busybox");
  ctr.add_envs()->set_key("K");
  ctr.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(1LL << 40);
  ctr.add_cdi_devices()->set_name("nvidia.com/gpu=0");
  v1::ContainerConfig back;
  auto read = read_as_crictl(to_crictl_json(ctr), back);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_THAT(*read, IsEmpty());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(ctr, back));
}

TEST(CrictlReader, NamesMatchTheProtoNameIgnoringCaseAndNothingElse) {
  v1::ContainerConfig ctr;
  auto read = read_as_crictl(
      R"({"METADATA": {"Name": "web"}, "image": {"image": "busybox"}, "Working_Dir": "/w",
          "workingDir": "/x", "logPath": "a.log", "cdi_devices": [{"name": "nvidia.com/gpu=0"}]})",
      ctr);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(ctr.metadata().name(), "web");
  EXPECT_EQ(ctr.working_dir(), "/w");  // the camelCase spelling is skipped, not read
  EXPECT_EQ(ctr.cdi_devices(0).name(), "nvidia.com/gpu=0");
  EXPECT_THAT(*read, ElementsAre("workingDir", "logPath"));
}

TEST(CrictlReader, UnknownKeysAreSkippedWithTheirPath) {
  v1::ContainerConfig ctr;
  auto read = read_as_crictl(
      R"({"metadata": {"name": "web"}, "image": {"image": "busybox"},
          "envs": [{"key": "A", "value": "1"}, {"name": "B", "value": "2"}],
          "port_mappings": [{"container_port": 80, "protocol": "TCP"}]})",
      ctr);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_THAT(*read, ElementsAre("envs[1].name", "port_mappings"));
  ASSERT_EQ(ctr.envs_size(), 2);
  EXPECT_EQ(ctr.envs(1).key(), "");  // what crictl sends: a variable without a name
}

TEST(CrictlReader, EnumsAreNumbersOnly) {
  v1::PodSandboxConfig pod;
  const char* meta = R"("metadata": {"name": "p", "namespace": "default"})";
  auto number = read_as_crictl(
      std::string("{") + meta + R"(, "port_mappings": [{"protocol": 1, "container_port": 53}]})",
      pod);
  ASSERT_TRUE(number.ok()) << number.error().message;
  EXPECT_EQ(pod.port_mappings(0).protocol(), v1::UDP);
  auto name =
      read_as_crictl(std::string("{") + meta + R"(, "port_mappings": [{"protocol": "UDP"}]})", pod);
  ASSERT_FALSE(name.ok());
  EXPECT_THAT(name.error().message, HasSubstr("port_mappings[0].protocol"));
  EXPECT_THAT(name.error().message, HasSubstr("written as the name \"UDP\""));
}

TEST(CrictlReader, IntegersAreIntegerLiteralsInRange) {
  v1::ContainerConfig ctr;
  auto with = [&](const std::string& resources) {
    return read_as_crictl(R"({"metadata": {"name": "web"}, "image": {"image": "b"},
                             "linux": {"resources": )" +
                              resources + "}}",
                          ctr);
  };
  EXPECT_TRUE(with(R"({"cpu_quota": -1, "memory_limit_in_bytes": 9223372036854775807})").ok());
  auto fraction = with(R"({"cpu_quota": 1.0})");
  ASSERT_FALSE(fraction.ok());
  EXPECT_THAT(fraction.error().message, HasSubstr("linux.resources.cpu_quota"));
  EXPECT_FALSE(with(R"({"cpu_quota": "100000"})").ok());                         // a string
  EXPECT_FALSE(with(R"({"memory_limit_in_bytes": 9223372036854775808})").ok());  // overflows
  EXPECT_TRUE(with(R"({"oom_score_adj": 2147483648})").ok());                    // an int64 field
  EXPECT_FALSE(
      read_as_crictl(R"({"metadata": {"name": "web", "attempt": -1}, "image": {"image": "b"}})",
                     ctr)
          .ok());  // attempt is a uint32
}

TEST(CrictlReader, OtherTypesAsGoReadsThem) {
  v1::ContainerConfig ctr;
  auto with = [&](const std::string& extra) {
    return read_as_crictl(
        R"({"metadata": {"name": "web"}, "image": {"image": "b"}, )" + extra + "}", ctr);
  };
  EXPECT_FALSE(with(R"("mounts": [{"container_path": "/d", "readonly": "true"}])").ok());
  EXPECT_FALSE(with(R"("args": "ls")").ok());
  EXPECT_FALSE(with(R"("args": [1])").ok());
  EXPECT_FALSE(with(R"("labels": {"a": 1})").ok());
  EXPECT_FALSE(with(R"("linux": [])").ok());
  // null leaves a field unset, in a map it is the empty string.
  auto nulls = with(R"("working_dir": null, "linux": null, "labels": {"a": null})");
  ASSERT_TRUE(nulls.ok()) << nulls.error().message;
  EXPECT_FALSE(ctr.has_linux());
  EXPECT_EQ(ctr.labels().at("a"), "");
  EXPECT_FALSE(read_as_crictl("[1]", ctr).ok());
  EXPECT_FALSE(read_as_crictl("{", ctr).ok());
}

TEST(CrictlReader, CrictlsOwnChecksAfterDecoding) {
  v1::ContainerConfig ctr;
  EXPECT_TRUE(read_as_crictl(k_minimal_ctr, ctr).ok());
  auto no_name = read_as_crictl(R"({"metadata": {}, "image": {"image": "b"}})", ctr);
  ASSERT_FALSE(no_name.ok());
  EXPECT_THAT(no_name.error().message, HasSubstr("metadata.name"));
  auto no_image = read_as_crictl(R"({"metadata": {"name": "web"}, "image": {}})", ctr);
  ASSERT_FALSE(no_image.ok());
  EXPECT_THAT(no_image.error().message, HasSubstr("image.image"));
  v1::PodSandboxConfig pod;
  // uid may be left out: crictl makes one up.
  EXPECT_TRUE(read_as_crictl(R"({"metadata": {"name": "p", "namespace": "n"}})", pod).ok());
  EXPECT_FALSE(read_as_crictl(R"({"metadata": {"name": "p"}})", pod).ok());
}

}  // namespace
}  // namespace edgecrew::render
