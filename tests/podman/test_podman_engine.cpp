// The Podman engine against real Podman: a private storage root (vfs) and runtime (runc) in a temp
// dir, a busybox image imported from busybox-static, and `podman system service` on a private
// socket, started through the engine's own discovery. The temp dir is left behind (and named) when
// a test fails.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "../registry_peer.h"
#include "../unit/fixtures/socket_server.h"
#include "../unit/fixtures/temp_dir.h"
#include "engine/image_pull.h"
#include "engine/podman/podman_engine.h"
#include "engine/podman/podman_mapping.h"
#include "net/http_client.h"
#include "podman_peer.h"
#include "util/subprocess.h"

namespace edgecrew::engine::podman {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using namespace edgecrew::engine::podman::test;

class PodmanEngineTest : public PodmanPeerTest {
 protected:
  static void SetUpTestSuite() {
    PodmanPeerTest::SetUpTestSuite();
    s_networks = {"ectest_default"};
  }

  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    m_stack.name = "ectest";
    m_stack.project_dir = s_peer->dir.string();
  }

  PodmanEngine& engine() { return *s_peer->engine; }
  const std::string& socket() { return s_peer->engine->endpoint().socket; }

  stack::Service& add_service(const std::string& name, std::vector<std::string> command) {
    stack::Service service;
    service.name = name;
    service.image = k_image;
    service.command = std::move(command);
    service.network_mode = stack::NetworkMode::host;
    m_stack.services.push_back(std::move(service));
    return m_stack.services.back();
  }

  // Creates and starts the service's container; returns its id.
  std::string run(const stack::Service& service, const std::string& hash = "h1") {
    auto id = engine().create({&m_stack, &service, hash});
    EXPECT_TRUE(id) << id.error().message;
    if (!id) return {};
    Status started = engine().start(*id);
    EXPECT_TRUE(started) << started.error().message;
    return *id;
  }

  nlohmann::json get(const std::string& path) {
    auto response =
        net::http_request({.url = "http://d/v4.0.0/libpod" + path, .unix_socket = socket()});
    EXPECT_TRUE(response);
    if (!response) return {};
    return nlohmann::json::parse(response->body, nullptr, false);
  }

  stack::Stack m_stack;
};

TEST_F(PodmanEngineTest, PodmanEnginePingAndDiscoveryOrder) {
  EXPECT_TRUE(ping(socket()));
  const fs::path dead = s_peer->dir / "dead.sock";
  DiscoveryOptions no_start{.root_socket = dead.string(), .start_service = false};

  PodmanEnvironment env;
  env.container_host = "unix://" + socket();
  env.xdg_runtime_dir = (s_peer->dir / "xdg").string();
  fs::create_directories(s_peer->dir / "xdg" / "podman");
  fs::create_symlink(socket(), s_peer->dir / "xdg" / "podman" / "podman.sock");
  auto first = discover(env, no_start);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->source, "CONTAINER_HOST");
  EXPECT_EQ(first->socket, socket());
  EXPECT_EQ(first->service, nullptr);

  // A dead CONTAINER_HOST and root socket are skipped for the next that answers.
  env.container_host = "unix://" + dead.string();
  auto skipped = discover(env, no_start);
  ASSERT_TRUE(skipped) << skipped.error().message;
  EXPECT_EQ(skipped->source, "XDG_RUNTIME_DIR");
  EXPECT_THAT(skipped->describe(), HasSubstr("XDG_RUNTIME_DIR"));

  env.xdg_runtime_dir.clear();
  auto none = discover(env, no_start);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::unavailable);
  EXPECT_THAT(none.error().message, HasSubstr(dead.string()));

  env.container_host = "tcp://127.0.0.1:8080";
  EXPECT_EQ(discover(env, no_start).error().kind, ErrorKind::invalid_input);
}

TEST_F(PodmanEngineTest, PodmanEngineStartsAPrivateServiceAndStopsIt) {
  PodmanEnvironment env = s_peer->env;
  DiscoveryOptions options{.root_socket = (s_peer->dir / "dead.sock").string(),
                           .temp_root = s_peer->dir};
  auto endpoint = discover(env, options);
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  EXPECT_EQ(endpoint->source, "started");
  ASSERT_NE(endpoint->service, nullptr);
  const pid_t pid = endpoint->service->pid();
  const std::string started_socket = endpoint->socket;
  const fs::path dir = endpoint->service->dir();
  EXPECT_THAT(endpoint->describe(), HasSubstr("started"));
  EXPECT_TRUE(ping(started_socket));
  endpoint->service.reset();
  EXPECT_FALSE(ping(started_socket));
  EXPECT_NE(::kill(pid, 0), 0);  // stopped and reaped
  EXPECT_FALSE(fs::exists(dir));
}

TEST_F(PodmanEngineTest, PodmanEngineCreateStartListInspect) {
  stack::Service& service = add_service("sleeper", {"sleep", "1000"});
  service.labels = {{"team", "ml"}};
  const std::string id = run(service, "hash-1");
  ASSERT_FALSE(id.empty());

  auto listed = engine().list("ectest");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  const Container& c = listed->front();
  EXPECT_EQ(c.id, id);
  EXPECT_EQ(c.name, "ectest-sleeper-1");
  EXPECT_EQ(c.service, "sleeper");
  EXPECT_EQ(c.spec_hash, "hash-1");
  EXPECT_EQ(c.state, ContainerState::running);
  EXPECT_NE(c.started_at, std::chrono::system_clock::time_point{});
  EXPECT_TRUE(engine().list("another-project")->empty());

  auto inspected = engine().inspect(id);
  ASSERT_TRUE(inspected) << inspected.error().message;
  EXPECT_EQ(inspected->name, "ectest-sleeper-1");
  EXPECT_EQ(inspected->state, ContainerState::running);
  EXPECT_EQ(inspected->spec_hash, "hash-1");
  EXPECT_THAT(inspected->image, HasSubstr("edgecrew-test/busybox"));
  EXPECT_NE(inspected->started_at, std::chrono::system_clock::time_point{});
  EXPECT_EQ(get("/containers/" + id + "/json")["Config"]["Labels"]["team"], "ml");

  EXPECT_TRUE(engine().stop(id, 0ms, ""));
  EXPECT_TRUE(engine().remove(id));
  EXPECT_EQ(engine().inspect(id).error().kind, ErrorKind::not_found);
}

TEST_F(PodmanEngineTest, PodmanEngineLogsFollowDeliversLinesAsTheyComeAndEndsWithTheContainer) {
  // Lines 0.3 s apart, then the container exits: each line must arrive while it still runs
  // (not all at the end), and the follow must return once it stopped, with the last line.
  const std::string id = run(add_service(
      "ticker", {"sh", "-c", "for i in 1 2 3 4 5 6; do echo tick$i; sleep 0.3; done; echo done"}));
  ASSERT_FALSE(id.empty());
  std::vector<std::string> lines;
  std::vector<std::chrono::steady_clock::time_point> when;
  auto start = std::chrono::steady_clock::now();
  Status followed =
      engine().logs(id, {.follow = true}, [&](std::string_view, std::string_view line) {
        lines.emplace_back(line);
        when.push_back(std::chrono::steady_clock::now());
        return true;
      });
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_THAT(lines,
              ::testing::ElementsAre("tick1", "tick2", "tick3", "tick4", "tick5", "tick6", "done"));
  ASSERT_EQ(when.size(), 7u);
  EXPECT_GE(when.back() - when.front(), 1s);  // spread out as written
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  auto state = engine().inspect(id);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->state, ContainerState::exited);
  EXPECT_TRUE(engine().remove(id));
}

TEST_F(PodmanEngineTest, PodmanEngineExecReturnsOutputAndExitCode) {
  const std::string id = run(add_service("exec", {"sleep", "1000"}));
  ASSERT_FALSE(id.empty());
  auto result = engine().exec(id, {"sh", "-c", "echo hi; echo err >&2; exit 3"}, 10s);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->output, "hi\nerr\n");
  auto missing = engine().exec("no-such-container", {"true"}, 5s);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_TRUE(engine().remove(id));
}

TEST_F(PodmanEngineTest, PodmanEngineLogsWithTail) {
  const std::string id = run(add_service(
      "logger",
      {"sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo bad >&2; sleep 1000"}));
  ASSERT_FALSE(id.empty());
  std::vector<std::string> lines;
  for (int attempt = 0; attempt < 50; ++attempt) {
    lines.clear();
    Status read = engine().logs(id, {}, [&](std::string_view stream, std::string_view line) {
      lines.push_back(std::string(stream) + ":" + std::string(line));
      return true;
    });
    ASSERT_TRUE(read) << read.error().message;
    if (lines.size() >= 6) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre("stdout:line1", "stdout:line2", "stdout:line3",
                                                     "stdout:line4", "stdout:line5", "stderr:bad"));
  lines.clear();
  ASSERT_TRUE(engine().logs(id, {.tail = 2}, [&](std::string_view, std::string_view line) {
    lines.emplace_back(line);
    return true;
  }));
  EXPECT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines, ::testing::Contains("bad"));
  int seen = 0;
  ASSERT_TRUE(
      engine().logs(id, {}, [&](std::string_view, std::string_view) { return ++seen < 2; }));
  EXPECT_EQ(seen, 2);  // the sink's false stops the reading
  // A follow stopped by its sink returns although the container runs on.
  int followed = 0;
  ASSERT_TRUE(engine().logs(id, {.follow = true},
                            [&](std::string_view, std::string_view) { return ++followed < 3; }));
  EXPECT_EQ(followed, 3);
  EXPECT_TRUE(engine().remove(id));
}

TEST_F(PodmanEngineTest, PodmanEngineStopHonoursTheGracePeriod) {
  const std::string id = run(add_service("stubborn", {"sh", "-c", "trap '' TERM; sleep 1000"}));
  ASSERT_FALSE(id.empty());
  const auto begin = std::chrono::steady_clock::now();
  Status stopped = engine().stop(id, 1s, "");
  const auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_TRUE(stopped) << stopped.error().message;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 6s);
  EXPECT_EQ(engine().inspect(id)->state, ContainerState::exited);
  EXPECT_TRUE(engine().stop(id, 1s, ""));  // stopping a stopped container is fine
  EXPECT_TRUE(engine().remove(id));
  EXPECT_TRUE(engine().remove(id));  // and removing a removed one
}

TEST_F(PodmanEngineTest, PodmanEngineStopWithAnotherSignal) {
  const std::string id = run(add_service("interrupted", {"sh", "-c",
                                                         "trap 'exit 7' INT; "
                                                         "while true; do sleep 0.1; done"}));
  ASSERT_FALSE(id.empty());
  std::this_thread::sleep_for(300ms);  // let the shell set its trap
  ASSERT_TRUE(engine().stop(id, 5s, "SIGINT"));
  auto inspected = engine().inspect(id);
  EXPECT_EQ(inspected->state, ContainerState::exited);
  EXPECT_EQ(inspected->exit_code, 7);
  EXPECT_TRUE(engine().remove(id));
}

TEST_F(PodmanEngineTest, PodmanEngineNamedVolumeSurvivesTheContainer) {
  stack::Volume volume{.key = "data", .name = "ectest_data"};
  m_stack.volumes["data"] = volume;
  ASSERT_TRUE(engine().ensure_volume(volume, "ectest"));
  ASSERT_TRUE(engine().ensure_volume(volume, "ectest"));  // exists already: fine
  EXPECT_EQ(get("/volumes/ectest_data/json")["Labels"]["io.edgecrew.project"], "ectest");

  stack::Service& service = add_service("writer", {"sleep", "1000"});
  service.mounts.push_back({.type = stack::MountType::volume, .source = "data", .target = "/data"});
  std::string id = run(service);
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(engine().exec(id, {"sh", "-c", "echo kept > /data/f"}, 10s)->exit_code, 0);
  ASSERT_TRUE(engine().remove(id));

  id = run(service);
  ASSERT_FALSE(id.empty());
  auto read = engine().exec(id, {"cat", "/data/f"}, 10s);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->output, "kept\n");
  ASSERT_TRUE(engine().remove(id));
  auto removed = engine().remove_volume(volume);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(*removed);
  auto again = engine().remove_volume(volume);  // gone already: fine, and said so
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  stack::Volume external{.key = "x", .name = "someone-elses", .external = true};
  EXPECT_TRUE(engine().ensure_volume(external, "ectest"));  // never created
  EXPECT_EQ(get("/volumes/someone-elses/json")["response"], 404);
}

TEST_F(PodmanEngineTest, PodmanEngineProjectNetworkIsLabelled) {
  const stack::Network desired{.key = "default", .name = "ectest_default"};
  ASSERT_TRUE(engine().ensure_network(desired, "ectest"));
  ASSERT_TRUE(engine().ensure_network(desired, "ectest"));
  auto network = get("/networks/ectest_default/json");
  EXPECT_EQ(network["labels"]["io.edgecrew.project"], "ectest");
  EXPECT_EQ(network["dns_enabled"], true);
}

TEST_F(PodmanEngineTest, PodmanEngineBridgeServiceJoinsTheProjectNetwork) {
  stack::Service& service = add_service("web", {"sleep", "1000"});
  service.network_mode = stack::NetworkMode::bridge;
  service.ports.push_back(
      {.host_ip = "127.0.0.1", .host_port = 18080, .container_port = 80, .published = true});
  const std::string id = run(service);
  ASSERT_FALSE(id.empty());
  auto listed = engine().list("ectest");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_THAT(listed->front().ports, ::testing::ElementsAre("127.0.0.1:18080->80/tcp"));
  EXPECT_EQ(listed->front().state, ContainerState::running);
  auto inspected = get("/containers/" + id + "/json");
  EXPECT_TRUE(inspected["NetworkSettings"]["Networks"].contains("ectest_default"));
  EXPECT_TRUE(engine().remove(id));
}

TEST_F(PodmanEngineTest, PodmanEngineImagePresence) {
  auto present = engine().image_present(k_image);
  ASSERT_TRUE(present) << present.error().message;
  EXPECT_TRUE(*present);
  EXPECT_FALSE(*engine().image_present("localhost/edgecrew-test/missing:1"));
}

TEST_F(PodmanEngineTest, PodmanEnginePullWithoutARegistryFailsQuickly) {
  const auto begin = std::chrono::steady_clock::now();
  std::vector<std::string> progress;
  Status pulled = engine().pull_image("127.0.0.1:1/edgecrew/missing:1", [&](const PullProgress& p) {
    progress.push_back(describe(p));
  });
  ASSERT_FALSE(pulled);
  EXPECT_THAT(pulled.error().message, HasSubstr("127.0.0.1:1/edgecrew/missing:1"));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 25s);
  std::cout << "pull error: " << pulled.error().message << "\n";
}

// The peer's store, as skopeo names an image in it.
std::string in_peer_store(const Peer& peer, const std::string& ref) {
  return edgecrew::test::storage_image("vfs", (peer.dir / "storage").string(),
                                       (peer.dir / "run").string(), ref);
}

TEST_F(PodmanEngineTest, PodmanEngineImageIdIsTheConfigDigest) {
  auto digest = edgecrew::test::skopeo_config_digest(in_peer_store(*s_peer, k_image));
  ASSERT_TRUE(digest) << digest.error().message;
  ASSERT_THAT(*digest, ::testing::StartsWith("sha256:"));
  auto info = engine().image(k_image);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->id, *digest);
  EXPECT_GT((*info)->size, 1'000'000);  // busybox-static alone is ~2 MB
  // The image config's Env, as imported (--change "ENV PATH=/bin"): what the doctor reads
  // CUDA_VERSION from.
  EXPECT_THAT((*info)->env, ::testing::Contains("PATH=/bin"));
  auto missing = engine().image("localhost/edgecrew-test/missing:1");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
}

TEST_F(PodmanEngineTest, PodmanEngineImageStoreIsThePeersStore) {
  auto store = engine().image_store();
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->kind, StoreKind::containers_storage);
  EXPECT_EQ(store->driver, "vfs");
  EXPECT_EQ(store->graphroot, (s_peer->dir / "storage").string());
  EXPECT_EQ(store->runroot, (s_peer->dir / "run").string());
  EXPECT_EQ(store->found_by, "libpod /info on " + socket());
}

// A real registry (Debian's docker-registry) on loopback, an image pushed into it with skopeo,
// removed from Podman's store and pulled back through the engine.
TEST_F(PodmanEngineTest, PodmanEnginePullsFromAPrivateRegistryWithLayerProgress) {
  edgecrew::test::RegistryPeer registry;
  const std::string registry_error = registry.start();
  ASSERT_TRUE(registry_error.empty()) << registry_error;

  // A layer of 20 MB of random data (incompressible), so that the pull has bytes to report.
  const fs::path rootfs = s_peer->dir / "big-rootfs";
  fs::create_directories(rootfs / "data");
  auto filled =
      run_process({.argv = {"dd", "if=/dev/urandom", "of=" + (rootfs / "data/random").string(),
                            "bs=1M", "count=20", "status=none"}},
                  k_setup_timeout);
  ASSERT_TRUE(filled && filled->status.success());
  const fs::path tar = s_peer->dir / "big-rootfs.tar";
  ASSERT_TRUE(run_process({.argv = {"tar", "-C", rootfs.string(), "-cf", tar.string(), "."}},
                          k_setup_timeout)
                  ->status.success());
  const std::string local = "localhost/edgecrew-test/big:1";
  auto imported = podman(*s_peer, {"import", "-q", tar.string(), local});
  ASSERT_TRUE(imported && imported->status.success()) << (imported ? imported->err : "");
  auto local_info = engine().image(local);
  ASSERT_TRUE(local_info && local_info->has_value());
  const std::string id = (*local_info)->id;

  const std::string repo = registry.address() + "/edgecrew/big";
  for (const char* tag : {"1", "latest"}) {
    const std::string pushed =
        registry.push(in_peer_store(*s_peer, local), std::string("edgecrew/big:") + tag);
    ASSERT_TRUE(pushed.empty()) << pushed;
  }
  // A second, different image under another tag: a pull without a tag must not fetch it.
  const std::string pushed = registry.push(in_peer_store(*s_peer, k_image), "edgecrew/big:other");
  ASSERT_TRUE(pushed.empty()) << pushed;
  auto rmi = podman(*s_peer, {"rmi", local});
  ASSERT_TRUE(rmi && rmi->status.success()) << (rmi ? rmi->err : "");
  ASSERT_FALSE(engine().image(local)->has_value());

  // This Podman must be told the registry speaks plain HTTP: a service of its own, on the peer's
  // store, with the registry's registries.conf.
  PodmanEnvironment env = s_peer->env;
  env.registries_conf = registry.registries_conf();
  auto endpoint = discover(
      env, {.root_socket = (s_peer->dir / "dead.sock").string(), .temp_root = s_peer->dir});
  ASSERT_TRUE(endpoint) << endpoint.error().message;
  PodmanEngine puller(std::move(*endpoint), {.pull = 30s});

  std::vector<PullProgress> events;
  Status pulled = puller.pull_image(repo + ":1", [&](const PullProgress& p) {
    std::cout << "  progress: " << describe(p) << "\n";
    events.push_back(p);
  });
  ASSERT_TRUE(pulled) << pulled.error().message;
  // Per layer (the config blob counts as one): "Pulling fs layer" ... "Download complete", under
  // the digest's first 12 hex digits; then the engine's own line for the whole image.
  const std::string layer = id.substr(std::string("sha256:").size(), 12);
  bool layer_started = false;
  bool layer_done = false;
  std::set<std::string> layers;
  for (const auto& e : events) {
    if (e.layer.empty()) continue;
    EXPECT_EQ(e.layer.size(), 12u) << e.layer;
    layers.insert(e.layer);
    if (e.layer == layer && e.status == "Pulling fs layer") layer_started = true;
    if (e.layer == layer && e.status == "Download complete") layer_done = true;
    if (e.status == "Downloading") {
      EXPECT_GT(e.total, 0);
      EXPECT_LE(e.current, e.total);
    }
  }
  EXPECT_TRUE(layer_started);
  EXPECT_TRUE(layer_done);
  EXPECT_GE(layers.size(), 2u);  // the filesystem layer and the config
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().layer, "");
  EXPECT_EQ(events.back().status, "pulled " + repo + ":1");

  auto back = engine().image(repo + ":1");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->id, id);
  ASSERT_FALSE((*back)->repo_digests.empty());
  const std::string by_digest = (*back)->repo_digests.front();
  EXPECT_THAT(by_digest, ::testing::StartsWith(repo + "@sha256:"));

  // Without a tag: :latest alone, not every tag of the repository.
  ASSERT_TRUE(podman(*s_peer, {"rmi", "-f", repo + ":1"})->status.success());
  Status untagged = puller.pull_image(repo, {});
  ASSERT_TRUE(untagged) << untagged.error().message;
  EXPECT_EQ((*engine().image(repo + ":latest"))->id, id);
  EXPECT_FALSE(engine().image(repo + ":other")->has_value());
  EXPECT_FALSE(engine().image(repo + ":1")->has_value());

  // By digest.
  ASSERT_TRUE(podman(*s_peer, {"rmi", "-f", repo + ":latest"})->status.success());
  ASSERT_FALSE(engine().image(by_digest)->has_value());
  Status digested = puller.pull_image(by_digest, {});
  ASSERT_TRUE(digested) << digested.error().message;
  auto found = engine().image(by_digest);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->id, id);

  // A tag the registry does not have.
  Status missing = puller.pull_image(repo + ":9", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found) << missing.error().message;
  EXPECT_THAT(missing.error().message, HasSubstr(repo + ":9"));
  EXPECT_THAT(missing.error().message, HasSubstr("manifest unknown"));
  // The pulled image only: the other tests run the peer's busybox image.
  auto removed = podman(*s_peer, {"rmi", "-f", id});
  EXPECT_TRUE(removed && removed->status.success()) << (removed ? removed->err : "");
  EXPECT_TRUE(*engine().image_present(k_image));
}

// Podman 4.3 reads CDI specs only from /etc/cdi and /var/run/cdi (containers.conf's
// cdi_spec_dirs came in 4.5). The spec goes under the runtime directory with a name of this run
// alone, and is removed after the test, so the host is left as it was.
TEST_F(PodmanEngineTest, PodmanEngineInjectsACdiDevice) {
  const std::string run_id = s_peer->dir.filename().string().substr(sizeof("edgecrew-podman-test"));
  const fs::path spec = fs::path("/var/run/cdi") / ("edgecrew-test-" + run_id + ".yaml");
  std::error_code ec;
  fs::create_directories(spec.parent_path(), ec);
  std::ofstream(spec) << "cdiVersion: \"0.3.0\"\nkind: \"edgecrew.example/test\"\ndevices:\n"
                      << "- name: zero-" << run_id << "\n"
                      << "  containerEdits:\n    deviceNodes:\n    - path: /dev/zero\n"
                      << "    env: [\"ECTEST=1\"]\n";
  if (!fs::exists(spec)) {
    GTEST_SKIP() << "cannot write " << spec << " (CDI specs live in a system directory: run the "
                 << "tests as root, as CI does)";
  }
  struct RemoveSpec {
    fs::path path;
    ~RemoveSpec() {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  } remove_spec{spec};
  // The spec's edits reach the container's process (its environment here; /dev/zero, the node
  // the spec adds, is in every container anyway).
  stack::Service& service =
      add_service("cdi", {"sh", "-c", "echo ECTEST=${ECTEST:-unset}; sleep 1000"});
  service.devices.push_back({.cdi_name = "edgecrew.example/test=zero-" + run_id});
  const std::string id = run(service);
  ASSERT_FALSE(id.empty());
  std::string seen;
  for (int attempt = 0; attempt < 40 && seen.empty(); ++attempt) {
    ASSERT_TRUE(engine().logs(id, {}, [&](std::string_view, std::string_view line) {
      seen = line;
      return true;
    }));
    if (seen.empty()) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(seen, "ECTEST=1");
  EXPECT_TRUE(engine().remove(id));

  // A name no spec defines is refused when the container starts (Podman 4.3 resolves CDI names
  // then), naming the device: the engine really resolves them rather than passing them by.
  stack::Service& missing = add_service("cdi-missing", {"sleep", "1000"});
  missing.devices.push_back({.cdi_name = "edgecrew.example/test=absent-" + run_id});
  auto created = engine().create({&m_stack, &missing, "h1"});
  ASSERT_TRUE(created) << created.error().message;
  Status started = engine().start(*created);
  ASSERT_FALSE(started);
  EXPECT_THAT(started.error().message, HasSubstr("edgecrew.example/test=absent-" + run_id));
  EXPECT_TRUE(engine().remove(*created));
}

// A pull that stops reporting is cancelled after the pull timeout, not waited for forever: a fake
// Podman on a unix socket that answers 200 and one event, then nothing.
TEST(PodmanEnginePullStall, PodmanEngineCancelsAPullThatStalls) {
  edgecrew::testing::TempDir tmp("stall");
  const std::string path = (tmp.path() / "podman.sock").string();
  std::string request;
  edgecrew::testing::SocketServer server(path, [&](int conn, int stop_fd) {
    if (!edgecrew::testing::read_until(conn, stop_fd, request, "\r\n\r\n")) return;
    const std::string line =
        R"({"status":"Pulling fs layer","progressDetail":{},"id":"f03ae8663092"})"
        "\n";
    edgecrew::testing::write_all(conn,
                                 fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                             "Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n",
                                             line.size(), line));
    std::string rest;  // read until the client hangs up
    while (edgecrew::testing::read_at_least(conn, stop_fd, rest, rest.size() + 1)) {
    }
  });

  PodmanEngine engine(PodmanEndpoint{path, "test", nullptr}, {.pull = 1500ms});
  std::vector<PullProgress> events;
  const auto begin = std::chrono::steady_clock::now();
  Status pulled = engine.pull_image("registry.example/edgecrew/stuck:1",
                                    [&](const PullProgress& p) { events.push_back(p); });
  const auto took = std::chrono::steady_clock::now() - begin;
  server.stop();  // its thread has written `request`

  ASSERT_FALSE(pulled);
  EXPECT_EQ(pulled.error().kind, ErrorKind::timeout);
  EXPECT_THAT(pulled.error().message, HasSubstr("registry.example/edgecrew/stuck:1"));
  EXPECT_THAT(pulled.error().message, HasSubstr("stalled"));
  EXPECT_THAT(pulled.error().message, HasSubstr("1500 ms"));
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 10s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].layer, "f03ae8663092");
  EXPECT_EQ(events[0].status, "Pulling fs layer");
  // The compat route, the reference cut into name and tag.
  EXPECT_THAT(
      request,
      HasSubstr("POST /v4.0.0/images/create?fromImage=registry.example%2Fedgecrew%2Fstuck&tag=1 "));
}

// The container's /proc/self/uid_map, one "inside outside size" triple per line, after it exited.
std::vector<std::array<std::uint64_t, 3>> read_uid_map(PodmanEngine& engine,
                                                       const std::string& id) {
  std::string text;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto state = engine.inspect(id);
    if (state && state->state == ContainerState::exited) break;
    std::this_thread::sleep_for(100ms);
  }
  // The container may be reported exited a moment before conmon has written its last lines.
  std::vector<std::array<std::uint64_t, 3>> out;
  for (int attempt = 0; attempt < 50 && out.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(100ms);
    text.clear();
    Status read = engine.logs(id, {}, [&](std::string_view, std::string_view line) {
      text += std::string(line) + "\n";
      return true;
    });
    EXPECT_TRUE(read) << read.error().message;
    std::istringstream lines(text);
    for (std::array<std::uint64_t, 3> t{}; lines >> t[0] >> t[1] >> t[2];) out.push_back(t);
  }
  return out;
}

TEST_F(PodmanEngineTest, PodmanEngineBindMountIsReadAndWritten) {
  const fs::path dir = s_peer->dir / "bind";
  fs::create_directories(dir);
  write(dir / "in", "from the host\n");
  stack::Service& service = add_service("binder", {"sleep", "1000"});
  service.mounts.push_back(
      {.type = stack::MountType::bind, .source = dir.string(), .target = "/b"});
  service.mounts.push_back(
      {.type = stack::MountType::bind, .source = dir.string(), .target = "/ro", .read_only = true});
  const std::string id = run(service);
  ASSERT_FALSE(id.empty());
  auto read = engine().exec(id, {"sh", "-c", "cat /b/in && echo out > /b/out"}, 10s);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->output, "from the host\n");
  EXPECT_EQ(read->exit_code, 0);
  std::ifstream out(dir / "out");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(out), {}), "out\n");
  EXPECT_NE(engine().exec(id, {"touch", "/ro/x"}, 10s)->exit_code, 0);
  EXPECT_FALSE(fs::exists(dir / "x"));
  EXPECT_TRUE(engine().remove(id));
}

// userns_mode host and auto, as root and as a rootless user. host: the container's root is the
// engine's (root, or the rootless user); auto: a namespace of exactly `size` ids that does not
// hold the engine's uid (as root, from the `containers` ranges in /etc/subuid).
TEST_F(PodmanEngineTest, PodmanEngineUsernsHostAndAuto) {
  stack::Service& host = add_service("userns-host", {"cat", "/proc/self/uid_map"});
  host.userns = stack::Userns{.kind = stack::UsernsKind::host};
  std::string id = run(host);
  ASSERT_FALSE(id.empty());
  auto map = read_uid_map(engine(), id);
  ASSERT_FALSE(map.empty());
  EXPECT_EQ(map[0][0], 0u);
  EXPECT_EQ(map[0][1], ::geteuid());
  EXPECT_TRUE(engine().remove(id));

  stack::Service& automatic = add_service("userns-auto", {"cat", "/proc/self/uid_map"});
  automatic.userns = stack::Userns{.kind = stack::UsernsKind::automatic, .size = 2000};
  id = run(automatic);
  ASSERT_FALSE(id.empty()) << "as root, auto needs a containers: range in /etc/subuid and "
                              "/etc/subgid (scripts/setup.sh --test adds one)";
  map = read_uid_map(engine(), id);
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map[0][0], 0u);
  EXPECT_EQ(map[0][2], 2000u);
  if (::geteuid() == 0) {
    EXPECT_NE(map[0][1], 0u);
  }
  EXPECT_TRUE(engine().remove(id));
}

// keep-id: rootless, a file the container writes into a bind mount is the user's on the host; as
// root, Podman refuses the mode, and the error says so.
TEST_F(PodmanEngineTest, PodmanEngineUsernsKeepIdWritesAFileOwnedByTheUser) {
  const fs::path dir = s_peer->dir / "keep-id";
  fs::create_directories(dir);
  stack::Service& service = add_service("keeper", {"sh", "-c", "id -u; touch /b/made"});
  service.userns = stack::Userns{.kind = stack::UsernsKind::keep_id};
  service.mounts.push_back(
      {.type = stack::MountType::bind, .source = dir.string(), .target = "/b"});
  if (::geteuid() == 0) {
    auto refused = engine().create({&m_stack, &service, "h1"});
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr("keep-id is only supported in rootless mode"));
    return;
  }
  const std::string id = run(service);
  ASSERT_FALSE(id.empty());
  for (int attempt = 0; attempt < 100 && !fs::exists(dir / "made"); ++attempt) {
    std::this_thread::sleep_for(100ms);
  }
  struct stat made {};
  ASSERT_EQ(::stat((dir / "made").c_str(), &made), 0) << "the container wrote no file";
  EXPECT_EQ(made.st_uid, ::getuid());
  EXPECT_EQ(made.st_gid, ::getgid());
  EXPECT_TRUE(engine().remove(id));
}

}  // namespace
}  // namespace edgecrew::engine::podman
