// Service → CRI mapping: one test per decision of engine/cri/cri_mapping.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/cri/cri_mapping.h"
#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::engine::cri {
namespace {

namespace v1 = ::runtime::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using stack::test::load_ok;

// Maps the service "app" of `yaml` (project "app", directory /srv/app).
CriSpec map_app(const std::string& yaml, const CriMappingOptions& options = {}) {
  stack::Stack st = load_ok(yaml);
  const stack::Service* app = st.find("app");
  if (app == nullptr) {
    ADD_FAILURE() << "no service \"app\"";
    return {};
  }
  return map_service(*app, st, options).value();
}

std::vector<std::string> words(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

TEST(CriMapping, PodMetadataLogsAndCgroup) {
  CriSpec spec = map_app("services:\n  app:\n    image: busybox:1.36\n");
  const auto& md = spec.pod.metadata();
  EXPECT_EQ(md.name(), "app");
  EXPECT_EQ(md.namespace_(), "app");  // the project
  EXPECT_EQ(md.uid(), pod_uid("app", "app"));
  EXPECT_EQ(md.attempt(), 0u);
  EXPECT_EQ(spec.pod.log_directory(), "/var/log/edgecrew/app_app");
  EXPECT_EQ(spec.pod.linux().cgroup_parent(), "system.slice");
  EXPECT_EQ(spec.container.metadata().name(), "app");
  EXPECT_EQ(spec.container.image().image(), "busybox:1.36");
  EXPECT_EQ(spec.container.log_path(), "app.log");
  EXPECT_TRUE(spec.container.linux().has_security_context());
  EXPECT_FALSE(spec.container.linux().security_context().privileged());
  EXPECT_FALSE(spec.container.linux().has_resources());
  EXPECT_THAT(spec.unmapped, IsEmpty());
  EXPECT_EQ(spec.runtime_handler, "");
}

TEST(CriMapping, OptionsMoveTheRoots) {
  CriMappingOptions options;
  options.data_root = "/srv/data";
  options.log_root = "/srv/logs";
  options.cgroup_parent = "kubepods.slice";
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    volumes: [cache:/cache]\nvolumes:\n  cache:\n",
      options);
  EXPECT_EQ(spec.pod.log_directory(), "/srv/logs/app_app");
  EXPECT_EQ(spec.pod.linux().cgroup_parent(), "kubepods.slice");
  ASSERT_EQ(spec.container.mounts_size(), 1);
  EXPECT_EQ(spec.container.mounts(0).host_path(), "/srv/data/volumes/app_cache");
}

TEST(CriMapping, HostNetworkSharesTheNodeNetworkNamespace) {
  CriSpec spec = map_app("services:\n  app:\n    image: busybox\n    network_mode: host\n");
  const auto& ns = spec.pod.linux().security_context().namespace_options();
  EXPECT_EQ(ns.network(), v1::NODE);
  EXPECT_EQ(ns.ipc(), v1::POD);
  EXPECT_EQ(v1::NODE, 2);  // the number crictl files carry
}

TEST(CriMapping, IpcHostSharesTheNodeIpcNamespace) {
  CriSpec spec = map_app("services:\n  app:\n    image: busybox\n    ipc: host\n");
  const auto& ns = spec.pod.linux().security_context().namespace_options();
  EXPECT_EQ(ns.ipc(), v1::NODE);
  EXPECT_EQ(ns.network(), v1::POD);
}

TEST(CriMapping, PublishedPortsBecomePodPortMappings) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n"
      "    ports: [\"8080:80\", \"127.0.0.1:5353:53/udp\", \"9000\", \":7000\"]\n");
  ASSERT_EQ(spec.pod.port_mappings_size(), 2);
  const auto& http = spec.pod.port_mappings(0);
  EXPECT_EQ(http.protocol(), v1::TCP);
  EXPECT_EQ(http.container_port(), 80);
  EXPECT_EQ(http.host_port(), 8080);
  EXPECT_EQ(http.host_ip(), "");
  const auto& dns = spec.pod.port_mappings(1);
  EXPECT_EQ(dns.protocol(), v1::UDP);
  EXPECT_EQ(dns.container_port(), 53);
  EXPECT_EQ(dns.host_port(), 5353);
  EXPECT_EQ(dns.host_ip(), "127.0.0.1");
  // "9000" publishes nothing (reachable on the pod IP); ":7000" wants an ephemeral host port.
  EXPECT_THAT(spec.unmapped,
              ElementsAre("ports: 7000/tcp asks for an ephemeral host port; a CRI port mapping "
                          "needs a fixed one"));
}

TEST(CriMapping, NoPortMappingsOnTheHostNetwork) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    network_mode: host\n    ports: [\"8080:80\"]\n");
  EXPECT_EQ(spec.pod.port_mappings_size(), 0);
  EXPECT_THAT(spec.unmapped, IsEmpty());
}

TEST(CriMapping, EntrypointIsCommandAndCommandIsArgs) {
  CriSpec both = map_app(
      "services:\n  app:\n    image: redis\n    entrypoint: [redis-server]\n"
      "    command: [--port, \"6380\"]\n");
  EXPECT_THAT(words(both.container.command()), ElementsAre("redis-server"));
  EXPECT_THAT(words(both.container.args()), ElementsAre("--port", "6380"));

  CriSpec only_command =
      map_app("services:\n  app:\n    image: redis\n    command: redis-server\n");
  EXPECT_THAT(words(only_command.container.command()), IsEmpty());
  EXPECT_THAT(words(only_command.container.args()), ElementsAre("redis-server"));

  CriSpec only_entrypoint = map_app("services:\n  app:\n    image: redis\n    entrypoint: [sh]\n");
  EXPECT_THAT(words(only_entrypoint.container.command()), ElementsAre("sh"));
  EXPECT_THAT(words(only_entrypoint.container.args()), IsEmpty());
}

TEST(CriMapping, EnvironmentSortedByKey) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    environment:\n      ZED: z\n      ALPHA: a\n"
      "      MID: \"\"\n");
  std::vector<std::string> envs;
  for (const auto& kv : spec.container.envs()) envs.push_back(kv.key() + "=" + kv.value());
  EXPECT_THAT(envs, ElementsAre("ALPHA=a", "MID=", "ZED=z"));
}

TEST(CriMapping, BindsAndNamedVolumesAreHostPaths) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    volumes:\n"
      "      - ./config:/etc/app:ro\n"
      "      - /srv/models:/models\n"
      "      - data:/data\n"
      "      - shared:/shared:ro\n"
      "volumes:\n  data:\n  shared:\n    external: true\n    name: team-shared\n");
  std::vector<std::string> mounts;
  for (const auto& m : spec.container.mounts()) {
    mounts.push_back(m.host_path() + " -> " + m.container_path() + (m.readonly() ? " ro" : ""));
  }
  EXPECT_THAT(mounts, ElementsAre("/srv/app/config -> /etc/app ro", "/srv/models -> /models",
                                  "/var/lib/edgecrew/volumes/app_data -> /data",
                                  "/var/lib/edgecrew/volumes/team-shared -> /shared ro"));
}

TEST(CriMapping, HostDevicesKeepTheirPermissions) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    devices: [\"/dev/fuse\", "
      "\"/dev/sda:/dev/xvda:r\"]\n");
  ASSERT_EQ(spec.container.devices_size(), 2);
  EXPECT_EQ(spec.container.devices(0).host_path(), "/dev/fuse");
  EXPECT_EQ(spec.container.devices(0).container_path(), "/dev/fuse");
  EXPECT_EQ(spec.container.devices(0).permissions(), "rwm");
  EXPECT_EQ(spec.container.devices(1).host_path(), "/dev/sda");
  EXPECT_EQ(spec.container.devices(1).container_path(), "/dev/xvda");
  EXPECT_EQ(spec.container.devices(1).permissions(), "r");
  EXPECT_EQ(spec.container.cdi_devices_size(), 0);
  EXPECT_THAT(spec.container.annotations(), IsEmpty());
}

// docker compose's gpus: reaches the CRI as the same CDI devices as deploy's reservations.
TEST(CriMapping, GpusKeyIsCdiDevices) {
  CriSpec spec =
      map_app("services:\n  app:\n    image: busybox\n    gpus:\n      - device_ids: ['1']\n");
  ASSERT_EQ(spec.container.cdi_devices_size(), 1);
  EXPECT_EQ(spec.container.cdi_devices(0).name(), "nvidia.com/gpu=1");
  EXPECT_THAT(spec.container.annotations(),
              UnorderedElementsAre(Pair("cdi.k8s.io/nvidia.com.gpu_1", "nvidia.com/gpu=1")));
}

TEST(CriMapping, CdiDevicesGoToField17AndToTheCdiAnnotation) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    devices: [nvidia.com/gpu=all]\n"
      "    deploy:\n      resources:\n        reservations:\n          devices:\n"
      "            - driver: nvidia\n              count: 2\n              capabilities: [gpu]\n");
  std::vector<std::string> names;
  for (const auto& d : spec.container.cdi_devices()) names.push_back(d.name());
  EXPECT_THAT(names, ElementsAre("nvidia.com/gpu=all", "nvidia.com/gpu=0", "nvidia.com/gpu=1"));
  EXPECT_THAT(spec.container.annotations(),
              UnorderedElementsAre(Pair("cdi.k8s.io/nvidia.com.gpu_all", "nvidia.com/gpu=all"),
                                   Pair("cdi.k8s.io/nvidia.com.gpu_0", "nvidia.com/gpu=0"),
                                   Pair("cdi.k8s.io/nvidia.com.gpu_1", "nvidia.com/gpu=1")));
  EXPECT_EQ(spec.container.devices_size(), 0);
  // The field number crictl and the runtimes know it by.
  EXPECT_EQ(v1::ContainerConfig::descriptor()->FindFieldByName("CDI_devices")->number(), 17);
}

TEST(CriMapping, CdiAnnotationKeyIsSanitized) {
  EXPECT_EQ(cdi_annotation_key("nvidia.com/gpu=all"), "cdi.k8s.io/nvidia.com.gpu_all");
  EXPECT_EQ(cdi_annotation_key("example.com/net-dev=GPU-1a:2"),
            "cdi.k8s.io/example.com.net-dev_GPU-1a_2");
}

TEST(CriMapping, RuntimeHandlerFromTheService) {
  CriSpec spec =
      map_app("services:\n  app:\n    image: busybox\n    x-edgecrew:\n      runtime: nvidia\n");
  EXPECT_EQ(spec.runtime_handler, "nvidia");
}

TEST(CriMapping, CpusAndMemoryBecomeCfsQuotaAndLimit) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    deploy:\n      resources:\n        limits:\n"
      "          cpus: \"1.5\"\n          memory: 512m\n");
  const auto& r = spec.container.linux().resources();
  EXPECT_EQ(r.cpu_period(), 100000);
  EXPECT_EQ(r.cpu_quota(), 150000);
  EXPECT_EQ(r.memory_limit_in_bytes(), 512LL * 1024 * 1024);

  CriSpec tiny = map_app(
      "services:\n  app:\n    image: busybox\n    deploy:\n      resources:\n        limits:\n"
      "          cpus: \"0.001\"\n");
  EXPECT_EQ(tiny.container.linux().resources().cpu_quota(), 1000);  // the kernel's minimum
  EXPECT_EQ(tiny.container.linux().resources().memory_limit_in_bytes(), 0);

  // cpus: 0 is no limit, as on Podman and in Kubernetes (not 1 % of a CPU).
  CriSpec none = map_app(
      "services:\n  app:\n    image: busybox\n    deploy:\n      resources:\n        limits:\n"
      "          cpus: \"0\"\n");
  EXPECT_FALSE(none.container.linux().has_resources());
}

TEST(CriMapping, UserBecomesRunAsUserGroupOrName) {
  auto security = [](const std::string& user) {
    return map_app("services:\n  app:\n    image: busybox\n    user: \"" + user + "\"\n");
  };
  CriSpec uid = security("1000");
  EXPECT_EQ(uid.container.linux().security_context().run_as_user().value(), 1000);
  EXPECT_FALSE(uid.container.linux().security_context().has_run_as_group());

  CriSpec root = security("0:0");
  EXPECT_TRUE(root.container.linux().security_context().has_run_as_user());
  EXPECT_EQ(root.container.linux().security_context().run_as_user().value(), 0);
  EXPECT_TRUE(root.container.linux().security_context().has_run_as_group());

  CriSpec both = security("1000:2000");
  EXPECT_EQ(both.container.linux().security_context().run_as_user().value(), 1000);
  EXPECT_EQ(both.container.linux().security_context().run_as_group().value(), 2000);

  CriSpec name = security("postgres:70");
  EXPECT_EQ(name.container.linux().security_context().run_as_username(), "postgres");
  EXPECT_FALSE(name.container.linux().security_context().has_run_as_user());
  EXPECT_EQ(name.container.linux().security_context().run_as_group().value(), 70);
  EXPECT_THAT(name.unmapped, IsEmpty());

  CriSpec group_name = security("app:staff");
  EXPECT_EQ(group_name.container.linux().security_context().run_as_username(), "app");
  EXPECT_FALSE(group_name.container.linux().security_context().has_run_as_group());
  EXPECT_THAT(group_name.unmapped,
              ElementsAre("user: group \"staff\" is a name; the CRI takes a group id"));
}

TEST(CriMapping, WorkingDirAndHostname) {
  CriSpec spec =
      map_app("services:\n  app:\n    image: busybox\n    working_dir: /work\n    hostname: box\n");
  EXPECT_EQ(spec.container.working_dir(), "/work");
  EXPECT_EQ(spec.pod.hostname(), "box");
}

TEST(CriMapping, WhatTheCriCannotCarryIsListed) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n    network_mode: none\n    shm_size: 1g\n"
      "    init: true\n    restart: unless-stopped\n    stop_signal: SIGINT\n"
      "    healthcheck:\n      test: [CMD, \"true\"]\n"
      "    deploy:\n      resources:\n        reservations:\n          memory: 1g\n"
      "    volumes:\n      - type: tmpfs\n        target: /scratch\n      - /anon\n");
  EXPECT_THAT(spec.unmapped,
              ElementsAre("network_mode: none: a CRI pod always joins the pod network (CNI)",
                          "tmpfs: /scratch: a CRI mount is always a host path",
                          "volumes: anonymous volume at /anon: the CRI has none; name it under "
                          "volumes:",
                          "memory reservation: the CRI has no memory request",
                          "shm_size: the CRI has no /dev/shm size",
                          "init: the CRI has no init process option",
                          "restart: unless-stopped: the CRI restarts nothing; rerun edgecrew up",
                          "healthcheck: the CRI has none; the edgecrew engine runs it through exec",
                          "stop_signal: SIGINT: the runtime sends the image's stop signal"));
  EXPECT_EQ(spec.container.mounts_size(), 0);
}

TEST(CriMapping, DisabledHealthcheckIsNotListed) {
  CriSpec spec =
      map_app("services:\n  app:\n    image: busybox\n    healthcheck:\n      disable: true\n");
  EXPECT_THAT(spec.unmapped, IsEmpty());
}

TEST(CriMapping, PodUidIsADeterministicUuid) {
  std::string uid = pod_uid("edgecrew", "vllm");
  EXPECT_EQ(uid, pod_uid("edgecrew", "vllm"));
  EXPECT_NE(uid, pod_uid("other", "vllm"));
  EXPECT_NE(uid, pod_uid("edgecrew", "redis"));
  EXPECT_NE(pod_uid("a/b", "c"), pod_uid("a", "b_c"));
  EXPECT_THAT(uid, ::testing::MatchesRegex(
                       "[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  // Pinned: a changed derivation would orphan the pods of every existing install.
  EXPECT_EQ(pod_uid("edgecrew", "vllm"), "5b7c1d25-687d-81bb-a880-61fcc3030b0d");
}

TEST(CriMapping, LabelsCarryProjectServiceAndSpecHash) {
  stack::Stack st = load_ok(
      "services:\n  app:\n    image: busybox\n    labels:\n      team: ml\n"
      "      io.edgecrew.service: spoofed\n");
  const stack::Service& app = *st.find("app");
  CriSpec spec = map_service(app, st).value();
  const std::string hash = stack::spec_hash(app, st);
  EXPECT_THAT(spec.pod.labels(), UnorderedElementsAre(Pair("io.edgecrew.project", "app"),
                                                      Pair("io.edgecrew.service", "app"),
                                                      Pair("io.edgecrew.spec-hash", hash)));
  // The user's labels go on the container; edgecrew's own win over a user's of the same name.
  EXPECT_THAT(spec.container.labels(),
              UnorderedElementsAre(Pair("team", "ml"), Pair("io.edgecrew.project", "app"),
                                   Pair("io.edgecrew.service", "app"),
                                   Pair("io.edgecrew.spec-hash", hash)));
}

TEST(CriMapping, SpecHashLabelFollowsTheService) {
  stack::Stack st = load_ok("services:\n  app:\n    image: busybox:1\n");
  stack::Stack changed = load_ok("services:\n  app:\n    image: busybox:2\n");
  EXPECT_NE(map_service(*st.find("app"), st).value().container.labels().at("io.edgecrew.spec-hash"),
            map_service(*changed.find("app"), changed)
                .value()
                .container.labels()
                .at("io.edgecrew.spec-hash"));
}

TEST(CriMapping, AnUndeclaredVolumeIsAnErrorNotAThrow) {
  stack::Stack st;
  st.name = "app";
  stack::Service s;
  s.name = "app";
  s.image = "busybox";
  stack::Mount m;
  m.source = "ghost";
  m.target = "/data";
  s.mounts.push_back(m);
  st.services.push_back(s);
  auto mapped = map_service(st.services[0], st);
  ASSERT_FALSE(mapped);
  EXPECT_EQ(mapped.error().kind, ErrorKind::internal);
  EXPECT_THAT(mapped.error().message, ::testing::HasSubstr("undeclared volume \"ghost\""));
}

TEST(CriMapping, UsernsHostIsTheNodesNamespace) {
  CriSpec spec = map_app("services:\n  app:\n    image: busybox\n    userns_mode: host\n");
  const auto& ns = spec.pod.linux().security_context().namespace_options();
  ASSERT_TRUE(ns.has_userns_options());
  EXPECT_EQ(ns.userns_options().mode(), v1::NODE);
  EXPECT_EQ(ns.userns_options().uids_size(), 0);
  EXPECT_THAT(spec.refused, IsEmpty());
  // Unset: no userns_options at all, as before.
  CriSpec plain = map_app("services:\n  app:\n    image: busybox\n");
  EXPECT_FALSE(plain.pod.linux().security_context().namespace_options().has_userns_options());
}

TEST(CriMapping, UsernsAutoWithBothRangesIsAPrivatePodNamespace) {
  CriSpec spec = map_app(
      "services:\n  app:\n    image: busybox\n"
      "    userns_mode: auto:size=10,uidmapping=0:100000:65536,gidmapping=0:200000:65536\n");
  const auto& userns = spec.pod.linux().security_context().namespace_options().userns_options();
  EXPECT_EQ(userns.mode(), v1::POD);
  ASSERT_EQ(userns.uids_size(), 1);
  EXPECT_EQ(userns.uids(0).container_id(), 0u);
  EXPECT_EQ(userns.uids(0).host_id(), 100000u);
  EXPECT_EQ(userns.uids(0).length(), 65536u);
  ASSERT_EQ(userns.gids_size(), 1);
  EXPECT_EQ(userns.gids(0).host_id(), 200000u);
  EXPECT_THAT(spec.refused, IsEmpty());
  EXPECT_THAT(spec.unmapped,
              ElementsAre("userns_mode: auto:size=10,uidmapping=0:100000:65536,gidmapping=0:"
                          "200000:65536: size: the namespace is exactly the ranges given"));
}

TEST(CriMapping, UsernsModesWithoutACriEquivalentAreRefused) {
  auto refused = [](const std::string& mode) {
    CriSpec spec =
        map_app("services:\n  app:\n    image: busybox\n    userns_mode: \"" + mode + "\"\n");
    EXPECT_FALSE(spec.pod.linux().security_context().namespace_options().has_userns_options())
        << mode;
    return spec.refused;
  };
  EXPECT_THAT(refused("auto"),
              ElementsAre("userns_mode: auto: a CRI runtime does not pick user namespace ranges "
                          "(the kubelet does); give both, e.g. "
                          "auto:uidmapping=0:100000:65536,gidmapping=0:100000:65536"));
  EXPECT_THAT(refused("auto:uidmapping=0:1:1"), ElementsAre(::testing::HasSubstr("give both")));
  EXPECT_THAT(refused("keep-id:uid=1"),
              ElementsAre("userns_mode: keep-id:uid=1: a rootless Podman mode (the rootless "
                          "user's own ids); a CRI runtime runs as root and has none: use auto "
                          "with uidmapping and gidmapping"));
  EXPECT_THAT(refused("nomap"), ElementsAre(::testing::HasSubstr("a rootless Podman mode")));
  EXPECT_THAT(refused("ns:/proc/1/ns/user"),
              ElementsAre("userns_mode: ns:/proc/1/ns/user: the CRI cannot join a user namespace "
                          "by path"));
}

}  // namespace
}  // namespace edgecrew::engine::cri
