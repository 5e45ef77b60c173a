// The CRI engine against a real containerd 1.6 CRI plugin (containerd_peer.h): pods and
// containers made, listed from their labels, exec'd, logged, stopped and removed; runtime
// handlers; CDI devices; a crash; half-created pods; and the errors for a missing socket.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../unit/stack_test_support.h"
#include "containerd_peer.h"
#include "engine/cri/crio_http.h"
#include "stack/normalize.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using ::testing::HasSubstr;

class CriEngineTest : public PeerTest<false> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    CriEngineOptions options = s_peer->engine_options();
    options.on_create = [this](const v1::CreateContainerRequest& request) {
      m_created.push_back(request);
    };
    m_stack = stack::test::load_ok(m_yaml);
    options.stack = &m_stack;
    m_engine = s_peer->engine(options);
  }

  // A stack "ectest" whose services run busybox on the host network.
  void use_stack(const std::string& services) {
    m_yaml = "name: ectest\nservices:\n" + services;
    SetUp();
  }

  Result<std::string> create_started(const std::string& service) {
    const stack::Service* s = m_stack.find(service);
    EXPECT_NE(s, nullptr) << service;
    if (s == nullptr) return Error{ErrorKind::internal, "no service"};
    auto id = m_engine->create({&m_stack, s, stack::spec_hash(*s, m_stack)});
    if (!id) return id;
    if (auto started = m_engine->start(*id); !started) return started.error();
    return id;
  }

  Container wait_exited(const std::string& id) {
    for (int i = 0; i < 100; ++i) {
      auto c = m_engine->inspect(id);
      EXPECT_TRUE(c) << c.error().message;
      if (!c || c->state == ContainerState::exited) return c ? *c : Container{};
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << id << " did not exit";
    return {};
  }

  std::string m_yaml =
      "name: ectest\nservices:\n  app:\n    image: localhost/edgecrew-test/busybox:1\n"
      "    network_mode: host\n    command: [sleep, \"1000\"]\n";
  stack::Stack m_stack;
  std::unique_ptr<CriEngine> m_engine;
  std::vector<v1::CreateContainerRequest> m_created;
};

TEST_F(CriEngineTest, LifecycleFromCreateToRemoveReadBackFromLabels) {
  auto present = m_engine->image_present(k_busybox_image);
  ASSERT_TRUE(present) << present.error().message;
  EXPECT_TRUE(*present);
  auto missing = m_engine->image_present("localhost/edgecrew-test/nothing:1");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(*missing);

  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  auto listed = m_engine->list("ectest");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  const Container& c = listed->front();
  EXPECT_EQ(c.id, *id);
  EXPECT_EQ(c.service, "app");
  EXPECT_EQ(c.name, "ectest_app");
  EXPECT_EQ(c.state, ContainerState::running);
  EXPECT_EQ(c.spec_hash, stack::spec_hash(*m_stack.find("app"), m_stack));
  EXPECT_FALSE(c.sandbox_id.empty());
  EXPECT_NE(c.sandbox_id, c.id);
  EXPECT_GT(c.started_at, std::chrono::system_clock::now() - 60s);
  EXPECT_THAT(c.image, HasSubstr("busybox"));
  // Another project sees none of it.
  auto other = m_engine->list("another");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->empty());

  auto exec = m_engine->exec(*id, {"sh", "-c", "echo out; echo err >&2; exit 7"}, 10s);
  ASSERT_TRUE(exec) << exec.error().message;
  EXPECT_EQ(exec->exit_code, 7);
  EXPECT_EQ(exec->output, "out\nerr\n");

  ASSERT_TRUE(m_engine->stop(*id, 1s, ""));
  auto stopped = m_engine->inspect(*id);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state, ContainerState::exited);
  ASSERT_TRUE(m_engine->remove(*id));
  ASSERT_TRUE(m_engine->remove(*id)) << "removing twice is fine";
  auto after = m_engine->list("ectest");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty()) << "the sandbox went with its container";
  v1::PodSandboxFilter all;
  auto pods = m_engine->client().list_pod_sandbox(all);
  ASSERT_TRUE(pods);
  EXPECT_EQ(pods->items_size(), 0);
}

TEST_F(CriEngineTest, LogsComeFromTheLogFileAndFollowEndsWhenTheContainerStops) {
  use_stack(
      "  app:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sh, -c, \"echo one; echo two >&2; sleep 1; echo three\"]\n");
  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  std::vector<std::string> lines;
  auto status = m_engine->logs(*id, {.follow = true}, [&](std::string_view s, std::string_view l) {
    lines.push_back(std::string(s) + ":" + std::string(l));
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre("stdout:one", "stderr:two", "stdout:three"));
  EXPECT_EQ(lines.back(), "stdout:three");

  std::vector<std::string> last;
  ASSERT_TRUE(m_engine->logs(*id, {.tail = 1}, [&](std::string_view, std::string_view l) {
    last.emplace_back(l);
    return true;
  }));
  EXPECT_THAT(last, ::testing::ElementsAre("three"));
  ASSERT_TRUE(m_engine->remove(*id));
}

TEST_F(CriEngineTest, ACrashIsReportedWithItsExitCodeAndStartMakesItAgain) {
  use_stack(
      "  app:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sh, -c, \"echo dying; exit 3\"]\n");
  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  Container c = wait_exited(*id);
  EXPECT_EQ(c.exit_code, 3);
  auto listed = m_engine->list("ectest");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, ContainerState::exited);
  EXPECT_EQ(listed->front().exit_code, 3);

  // A CRI container cannot start again: start makes a new pod, and the old id follows it.
  ASSERT_TRUE(m_engine->start(*id));
  auto again = m_engine->list("ectest");
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_NE(again->front().id, *id);
  auto followed = m_engine->inspect(*id);
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_EQ(followed->id, again->front().id);
  // remove takes a stopped container (as down does it): the new one may still be exiting.
  auto stopped = m_engine->stop(*id, 0ms, "");
  ASSERT_TRUE(stopped) << stopped.error().message;
  auto removed = m_engine->remove(*id);
  ASSERT_TRUE(removed) << removed.error().message;
  auto none = m_engine->list("ectest");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(CriEngineTest, HandlerNvidiaIsAcceptedAndAnUnknownOneIsReportedClearly) {
  use_stack(
      "  gpu:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n    x-edgecrew:\n      runtime: nvidia\n"
      "  odd:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n    x-edgecrew:\n      runtime: kata-not-here\n");
  auto gpu = create_started("gpu");
  ASSERT_TRUE(gpu) << gpu.error().message;
  auto listed = m_engine->list("ectest");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().runtime_handler, "nvidia");

  auto odd = create_started("odd");
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().kind, ErrorKind::invalid_input);
  EXPECT_THAT(odd.error().message, HasSubstr("has no runtime handler \"kata-not-here\""));
  EXPECT_THAT(odd.error().message, HasSubstr(s_peer->socket));
  EXPECT_THAT(odd.error().message, HasSubstr("service odd"));
  auto after = m_engine->list("ectest");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), 1u) << "nothing is left of the refused pod";
  ASSERT_TRUE(m_engine->remove(*gpu));
}

TEST_F(CriEngineTest, UsernsModesTheRuntimeCannotHonourAreRefusedBeforeAnyPod) {
  use_stack(
      "  host:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n    userns_mode: host\n"
      "  keep:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n    userns_mode: keep-id\n"
      "  private:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n"
      "    userns_mode: \"auto:uidmapping=0:100000:65536,gidmapping=0:100000:65536\"\n");
  auto host = create_started("host");  // NODE: what the runtime does anyway
  ASSERT_TRUE(host) << host.error().message;

  auto keep = create_started("keep");
  ASSERT_FALSE(keep);
  EXPECT_EQ(keep.error().kind, ErrorKind::invalid_input);
  EXPECT_THAT(keep.error().message, HasSubstr("service keep cannot run on the CRI engine: "
                                              "userns_mode: keep-id: a rootless Podman mode"));
  // containerd 1.6 drops userns_options unread: refused rather than run in the host's namespace.
  auto private_ns = create_started("private");
  ASSERT_FALSE(private_ns);
  EXPECT_THAT(private_ns.error().message,
              HasSubstr("service private asks for a private user namespace (userns_mode), which "
                        "containerd"));
  EXPECT_THAT(private_ns.error().message, HasSubstr("containerd 1.7 or later"));
  auto listed = m_engine->list("ectest");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u) << "no pod for the refused services";
  ASSERT_TRUE(m_engine->remove(*host));
}

TEST_F(CriEngineTest, CdiDevicesAreInTheContainerConfigSent) {
  use_stack(
      "  app:\n    image: localhost/edgecrew-test/busybox:1\n    network_mode: host\n"
      "    command: [sleep, \"1000\"]\n    devices: [example.com/dev=zero]\n");
  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_EQ(m_created.size(), 1u);
  const v1::ContainerConfig& sent = m_created.front().config();
  ASSERT_EQ(sent.cdi_devices_size(), 1);
  EXPECT_EQ(sent.cdi_devices(0).name(), "example.com/dev=zero");
  EXPECT_EQ(sent.annotations().at("cdi.k8s.io/example.com.dev_zero"), "example.com/dev=zero");
  // What the runtime received: containerd 1.6 predates the CDI_devices field, but the annotation
  // reaches the OCI spec it hands to runc, where a CDI hook would read it.
  auto verbose = m_engine->client().container_status(*id, true);
  ASSERT_TRUE(verbose) << verbose.error().message;
  ASSERT_TRUE(verbose->info().contains("info"));
  auto info = json::parse(verbose->info().at("info"));
  EXPECT_EQ(info["runtimeSpec"]["annotations"]["cdi.k8s.io/example.com.dev_zero"],
            "example.com/dev=zero");
  ASSERT_TRUE(m_engine->remove(*id));
}

TEST_F(CriEngineTest, AHalfCreatedPodIsListedAndMadeAgain) {
  // A sandbox without its container, as a create that failed half-way leaves it.
  auto orphan = [&]() -> std::string {
    CriSpec spec =
        map_service(*m_stack.find("app"), m_stack, s_peer->engine_options().mapping).value();
    fs::create_directories(spec.pod.log_directory());
    v1::RunPodSandboxRequest run;
    *run.mutable_config() = spec.pod;
    auto pod = m_engine->client().run_pod_sandbox(run);
    EXPECT_TRUE(pod) << pod.error().message;
    return pod ? pod->pod_sandbox_id() : "";
  };
  const std::string first = orphan();
  auto listed = m_engine->list("ectest");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, first);
  EXPECT_EQ(listed->front().state, ContainerState::unknown);
  EXPECT_EQ(listed->front().spec_hash, stack::spec_hash(*m_stack.find("app"), m_stack));

  // The planner starts it (same spec, not running): the pod is made again, and the id follows.
  ASSERT_TRUE(m_engine->start(first));
  auto started = m_engine->list("ectest");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->size(), 1u);
  EXPECT_EQ(started->front().state, ContainerState::running);
  EXPECT_NE(started->front().sandbox_id, first);
  auto followed = m_engine->inspect(first);
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->state, ContainerState::running);
  ASSERT_TRUE(m_engine->remove(first));

  // create cleans one up too: the new pod does not collide with the name it held.
  const std::string second = orphan();
  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  auto after = m_engine->list("ectest");
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().state, ContainerState::running);
  EXPECT_NE(after->front().sandbox_id, second);
  ASSERT_TRUE(m_engine->remove(*id));
  auto none = m_engine->list("ectest");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(CriEngineTest, TheClientReadsStatusImagesAndImageFilesystems) {
  auto status = m_engine->client().status(true);
  ASSERT_TRUE(status) << status.error().message;
  std::map<std::string, bool> conditions;
  for (const auto& c : status->status().conditions()) conditions[c.type()] = c.status();
  EXPECT_TRUE(conditions["RuntimeReady"]);
  EXPECT_FALSE(conditions["NetworkReady"]) << "the peer has no CNI configuration";
  EXPECT_FALSE(status->info().empty()) << "verbose status carries the runtime's config";
  auto images = m_engine->client().list_images();
  ASSERT_TRUE(images) << images.error().message;
  std::vector<std::string> tags;
  for (const auto& image : images->images()) {
    tags.insert(tags.end(), image.repo_tags().begin(), image.repo_tags().end());
  }
  EXPECT_THAT(tags, ::testing::Contains(k_busybox_image));
  auto fs_info = m_engine->client().image_fs_info();
  ASSERT_TRUE(fs_info) << fs_info.error().message;
  ASSERT_GE(fs_info->image_filesystems_size(), 1);
  EXPECT_THAT(fs_info->image_filesystems(0).fs_id().mountpoint(), HasSubstr(s_peer->dir.string()));
}

TEST_F(CriEngineTest, ExecTimesOutAsATimeout) {
  auto id = create_started("app");
  ASSERT_TRUE(id) << id.error().message;
  auto exec = m_engine->exec(*id, {"sleep", "10"}, 1s);
  ASSERT_FALSE(exec);
  EXPECT_EQ(exec.error().kind, ErrorKind::timeout) << exec.error().message;
  ASSERT_TRUE(m_engine->remove(*id));
}

TEST_F(CriEngineTest, ContainerdIsNotCrioToTheDoctorsHttpRead) {
  // containerd serves only gRPC on its socket: GET /info gets no HTTP answer, which is no error.
  auto info = crio_info(s_peer->socket);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_FALSE(info->has_value());
  auto version = m_engine->client().version();
  ASSERT_TRUE(version) << "the socket still serves gRPC: " << version.error().message;
  EXPECT_EQ(version->runtime_name(), "containerd");
}

TEST(CriEngineErrors, AMissingSocketIsUnavailableNamingTheSocketAndTheFix) {
  CriEngine engine(CriEndpoint{"/nonexistent/edgecrew/cri.sock", "test"});
  auto listed = engine.list("x");
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().kind, ErrorKind::unavailable);
  EXPECT_THAT(listed.error().message, HasSubstr("/nonexistent/edgecrew/cri.sock"));
  EXPECT_THAT(listed.error().message, HasSubstr("is CRI-O or containerd running?"));
}

}  // namespace
}  // namespace edgecrew::engine::cri
