// crictl JSON: the shape Go's encoding/json reads into the CRI types, and the strict reverse.

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "engine/cri/proto/runtime.pb.h"
#include "render/crictl_json.h"

namespace edgecrew::render {
namespace {

namespace v1 = ::runtime::v1;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace edgecrew::render
