// Service → libpod SpecGenerator: the built-in stack against golden files, and one test per
// decision of engine/podman/podman_mapping.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/podman/podman_mapping.h"
#include "golden.h"
#include "stack/builtin.h"
#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::engine::podman {
namespace {

using nlohmann::ordered_json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using stack::test::load_ok;

PodmanSpec map_app(const std::string& yaml) {
  stack::Stack st = load_ok(yaml);
  const stack::Service* app = st.find("app");
  if (app == nullptr) {
    ADD_FAILURE() << "no service \"app\"";
    return {};
  }
  return map_service(*app, st, "HASH");
}

TEST(PodmanMapping, BuiltinStackMatchesTheGoldenFiles) {
  stack::LoadOptions options;
  options.environment = {{"REDIS_PASSWORD", "RedisGoldenPw0123456789"},
                         {"NEO4J_PASSWORD", "Neo4jGoldenPw9876543210"}};
  options.defaults = {{"EDGECREW_GPU_COUNT", "1"}, {"EDGECREW_GPU_INDEXES", "0"}};
  options.fallback_project_name = "edgecrew";
  options.home = "/root";
  auto result = stack::load_stack({{std::string(stack::k_builtin_name),
                                    std::string(stack::builtin_compose_text()), "/srv/app"}},
                                  options);
  ASSERT_TRUE(result.stack.has_value());
  for (const auto* service : stack::enabled_services(*result.stack, {"ui"})) {
    PodmanSpec spec =
        map_service(*service, *result.stack, stack::spec_hash(*service, *result.stack));
    expect_golden("podman/" + service->name + ".json", spec.body.dump(2) + "\n");
    if (service->name == "vllm") {
      EXPECT_THAT(spec.unmapped, ElementsAre(HasSubstr("runtime: nvidia")));
    } else {
      EXPECT_THAT(spec.unmapped, IsEmpty()) << service->name;
    }
  }
}

TEST(PodmanMapping, MinimalServiceOnTheProjectNetwork) {
  PodmanSpec spec = map_app("services:\n  app:\n    image: busybox:1.36\n");
  const ordered_json& b = spec.body;
  EXPECT_EQ(b["name"], "app-app-1");
  EXPECT_EQ(b["image"], "busybox:1.36");
  EXPECT_FALSE(b.contains("command"));
  EXPECT_FALSE(b.contains("entrypoint"));
  EXPECT_EQ(b["netns"]["nsmode"], "bridge");
  EXPECT_EQ(b["networks"], ordered_json::parse(R"({"app_default":{"aliases":["app"]}})"));
  EXPECT_EQ(b["labels"]["io.edgecrew.project"], "app");
  EXPECT_EQ(b["labels"]["io.edgecrew.service"], "app");
  EXPECT_EQ(b["labels"]["io.edgecrew.spec-hash"], "HASH");
  EXPECT_EQ(b["restart_policy"], "no");
  EXPECT_EQ(b["stop_timeout"], 10);
  EXPECT_FALSE(b.contains("restart_tries"));
  EXPECT_FALSE(b.contains("portmappings"));
}

TEST(PodmanMapping, EdgecrewLabelsWinOverTheUsers) {
  PodmanSpec spec = map_app(
      "services:\n  app:\n    image: x\n    labels:\n      io.edgecrew.service: other\n"
      "      team: ml\n");
  EXPECT_EQ(spec.body["labels"]["io.edgecrew.service"], "app");
  EXPECT_EQ(spec.body["labels"]["team"], "ml");
}

TEST(PodmanMapping, PortsMountsAndDevices) {
  PodmanSpec spec = map_app(R"(services:
  app:
    image: x
    ports: ["127.0.0.1:8080:80", "9001:9000/udp"]
    volumes: ["data:/data", "/srv/conf:/etc/conf:ro", {type: tmpfs, target: /scratch}]
    devices: ["/dev/fuse", "nvidia.com/gpu=0"]
volumes:
  data: {}
)");
  const ordered_json& b = spec.body;
  ASSERT_EQ(b["portmappings"].size(), 2u);
  EXPECT_EQ(
      b["portmappings"][0],
      ordered_json::parse(
          R"({"host_ip":"127.0.0.1","host_port":8080,"container_port":80,"protocol":"tcp"})"));
  EXPECT_EQ(b["portmappings"][1],
            ordered_json::parse(R"({"host_port":9001,"container_port":9000,"protocol":"udp"})"));
  EXPECT_EQ(b["volumes"],
            ordered_json::parse(R"([{"Name":"app_data","Dest":"/data","Options":[]}])"));
  ASSERT_EQ(b["mounts"].size(), 2u);
  EXPECT_EQ(b["mounts"][0], ordered_json::parse(R"({"destination":"/etc/conf","type":"bind",
      "source":"/srv/conf","options":["ro"]})"));
  EXPECT_EQ(b["mounts"][1]["type"], "tmpfs");
  EXPECT_EQ(b["devices"],
            ordered_json::parse(R"([{"path":"/dev/fuse"},{"path":"nvidia.com/gpu=0"}])"));
}

// docker compose's gpus: reaches Podman as the same CDI devices as deploy's reservations.
TEST(PodmanMapping, GpusKeyIsCdiDevices) {
  PodmanSpec all = map_app("services:\n  app:\n    image: x\n    gpus: all\n");
  EXPECT_EQ(all.body["devices"], ordered_json::parse(R"([{"path":"nvidia.com/gpu=all"}])"));
  PodmanSpec two = map_app("services:\n  app:\n    image: x\n    gpus: [{count: 2}]\n");
  EXPECT_EQ(two.body["devices"],
            ordered_json::parse(R"([{"path":"nvidia.com/gpu=0"},{"path":"nvidia.com/gpu=1"}])"));
}

TEST(PodmanMapping, HostNamespacesResourcesAndLifecycle) {
  PodmanSpec spec = map_app(R"(services:
  app:
    image: x
    entrypoint: ["/bin/sh", "-c"]
    command: ["sleep 1000"]
    network_mode: host
    ports: ["8000:8000"]
    ipc: host
    shm_size: 1g
    user: "1000:1000"
    working_dir: /work
    hostname: box
    init: true
    restart: on-failure:3
    stop_signal: SIGINT
    stop_grace_period: 1500ms
    environment: {A: "1"}
    deploy:
      resources:
        limits: {cpus: "1.5", memory: 512M}
    healthcheck:
      test: ["CMD", "true"]
      interval: 5s
      timeout: 2s
      retries: 4
      start_period: 1s
)");
  const ordered_json& b = spec.body;
  EXPECT_EQ(b["netns"], ordered_json::parse(R"({"nsmode":"host"})"));
  EXPECT_FALSE(b.contains("networks"));
  EXPECT_FALSE(b.contains("portmappings"));  // the host's ports are the container's
  EXPECT_EQ(b["ipcns"], ordered_json::parse(R"({"nsmode":"host"})"));
  EXPECT_EQ(b["shm_size"], 1024LL * 1024 * 1024);
  EXPECT_EQ(b["entrypoint"], ordered_json::parse(R"(["/bin/sh","-c"])"));
  EXPECT_EQ(b["command"], ordered_json::parse(R"(["sleep 1000"])"));
  EXPECT_EQ(b["env"]["A"], "1");
  EXPECT_EQ(b["user"], "1000:1000");
  EXPECT_EQ(b["work_dir"], "/work");
  EXPECT_EQ(b["hostname"], "box");
  EXPECT_EQ(b["init"], true);
  EXPECT_EQ(b["restart_policy"], "on-failure");
  EXPECT_EQ(b["restart_tries"], 3);
  EXPECT_EQ(b["stop_signal"], 2);
  EXPECT_EQ(b["stop_timeout"], 2);  // rounded up
  EXPECT_EQ(b["resource_limits"],
            ordered_json::parse(
                R"({"cpu":{"quota":150000,"period":100000},"memory":{"limit":536870912}})"));
  EXPECT_EQ(b["healthconfig"], ordered_json::parse(R"({"Test":["CMD","true"],"Interval":5000000000,
                "Timeout":2000000000,"StartPeriod":1000000000,"Retries":4})"));
  EXPECT_THAT(spec.unmapped, IsEmpty());
}

TEST(PodmanMapping, SignalNumbers) {
  EXPECT_EQ(signal_number("SIGTERM"), 15);
  EXPECT_EQ(signal_number("KILL"), 9);
  EXPECT_EQ(signal_number("10"), 10);
  EXPECT_EQ(signal_number("SIGNOPE"), std::nullopt);
  EXPECT_EQ(signal_number("0"), std::nullopt);
  EXPECT_EQ(signal_number(""), std::nullopt);
}

// userns_mode: libpod's `userns` {nsmode, value} and the `idmappings` the podman CLI sends with it
// (the service computes them only for the default), each mode exactly.
TEST(PodmanMapping, UsernsModes) {
  auto body = [](const std::string& mode) {
    return map_app("services:\n  app:\n    image: x\n    userns_mode: \"" + mode + "\"\n").body;
  };
  EXPECT_FALSE(map_app("services:\n  app:\n    image: x\n").body.contains("userns"));
  EXPECT_FALSE(map_app("services:\n  app:\n    image: x\n").body.contains("idmappings"));
  const ordered_json host_ids =
      ordered_json::parse(R"({"HostUIDMapping":true,"HostGIDMapping":true})");
  const ordered_json private_ids =
      ordered_json::parse(R"({"HostUIDMapping":false,"HostGIDMapping":false})");

  ordered_json host = body("host");
  EXPECT_EQ(host["userns"], ordered_json::parse(R"({"nsmode":"host"})"));
  EXPECT_EQ(host["idmappings"], host_ids);

  ordered_json path = body("ns:/proc/42/ns/user");
  EXPECT_EQ(path["userns"], ordered_json::parse(R"({"nsmode":"path","value":"/proc/42/ns/user"})"));
  EXPECT_EQ(path["idmappings"], host_ids);

  ordered_json keep = body("keep-id");
  EXPECT_EQ(keep["userns"], ordered_json::parse(R"({"nsmode":"keep-id"})"));
  EXPECT_EQ(keep["idmappings"], private_ids);
  EXPECT_EQ(body("keep-id:uid=1000,gid=100")["userns"],
            ordered_json::parse(R"({"nsmode":"keep-id","value":"uid=1000,gid=100"})"));

  ordered_json nomap = body("nomap");
  EXPECT_EQ(nomap["userns"], ordered_json::parse(R"({"nsmode":"no-map"})"));
  EXPECT_EQ(nomap["idmappings"], private_ids);

  EXPECT_EQ(body("auto")["userns"], ordered_json::parse(R"({"nsmode":"auto"})"));
  EXPECT_EQ(body("auto")["idmappings"], ordered_json::parse(R"({"HostUIDMapping":false,
      "HostGIDMapping":false,"AutoUserNs":true,"AutoUserNsOpts":{}})"));
  ordered_json sized = body("auto:size=2000,uidmapping=0:100000:10,gidmapping=5:6:7");
  EXPECT_EQ(sized["userns"], ordered_json::parse(R"({"nsmode":"auto",
      "value":"size=2000,uidmapping=0:100000:10,gidmapping=5:6:7"})"));
  EXPECT_EQ(sized["idmappings"], ordered_json::parse(R"({"HostUIDMapping":false,
      "HostGIDMapping":false,"AutoUserNs":true,"AutoUserNsOpts":{"Size":2000,
      "AdditionalUIDMappings":[{"container_id":0,"host_id":100000,"size":10}],
      "AdditionalGIDMappings":[{"container_id":5,"host_id":6,"size":7}]}})"));
}

// auto on the host network: the host's /sys bound read-only (Podman 4.3 would mount a sysfs the
// kernel refuses there); not on a bridge, not for other modes, not over the service's own /sys.
TEST(PodmanMapping, AutoUsernsOnTheHostNetworkBindsTheHostsSys) {
  const ordered_json sys = ordered_json::parse(R"({"destination":"/sys","type":"bind",
      "source":"/sys","options":["rbind","ro","nosuid","noexec","nodev"]})");
  auto body = [](const std::string& extra) {
    return map_app("services:\n  app:\n    image: x\n" + extra).body;
  };
  ordered_json host = body("    network_mode: host\n    userns_mode: auto\n");
  ASSERT_TRUE(host.contains("mounts"));
  EXPECT_EQ(host["mounts"], ordered_json::array({sys}));
  EXPECT_FALSE(body("    userns_mode: auto\n").contains("mounts"));
  EXPECT_FALSE(body("    network_mode: host\n    userns_mode: host\n").contains("mounts"));
  ordered_json own =
      body("    network_mode: host\n    userns_mode: auto\n    volumes: [\"/srv/sys:/sys\"]\n");
  ASSERT_EQ(own["mounts"].size(), 1u);
  EXPECT_EQ(own["mounts"][0]["source"], "/srv/sys");
}

}  // namespace
}  // namespace edgecrew::engine::podman
