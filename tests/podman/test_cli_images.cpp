// `edgecrew images` and `images sync` between two real containers-storage stores: the private
// Podman's (store A) and a second graphroot standing in for a CRI-O store that diverged (store B),
// named by a crio.conf in the test's host root while no CRI runtime answers. Images are written
// by real Podman and skopeo; the synced image then runs from store B through a second Podman
// service, without any registry. The temp dir is left behind (and named) when a test fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../registry_peer.h"
#include "../unit/cli_fixture.h"
#include "cli/app.h"
#include "podman_peer.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
using edgecrew::testing::CliRun;
using ::testing::HasSubstr;
using ::testing::Not;

// The config digest skopeo reads from a store's manifest: what both stores must agree on.
std::string skopeo_image_id(const std::string& reference) {
  auto r = run_process({.argv = {"skopeo", "inspect", "--raw", reference}}, k_setup_timeout);
  if (!r || !r->status.success()) return "skopeo failed: " + (r ? r->err : r.error().message);
  auto manifest = nlohmann::json::parse(r->out, nullptr, false);
  if (manifest.is_discarded()) return "not json";
  return manifest["config"]["digest"].get<std::string>();
}

class CliImagesTest : public PodmanPeerTest {
 protected:
  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    // Short: a unix socket's path has room for 107 bytes.
    static int counter = 0;
    m_dir = s_peer->dir / ("t" + std::to_string(++counter));
    m_process.cwd = m_dir / "project";
    fs::create_directories(m_process.cwd);
    m_process.environment = cli_environment(*s_peer, m_dir);
    m_process.host_root = m_dir / "host";
    fs::create_directories(m_process.host_root);
    write_stack(k_image);
  }

  void TearDown() override {
    // Containers a second service ran go with it; its conmons too (see tear_down).
    if (m_second) {
      (void)run_process(
          {.argv = {"podman", "--root", (m_dir / "store-b").string(), "--runroot",
                    (m_dir / "run-b").string(), "--storage-driver", "vfs", "rm", "-af", "-t", "0"},
           .env = {{"CONTAINERS_CONF", s_peer->env.containers_conf}}},
          k_setup_timeout);
      m_second.reset();
      (void)run_process({.argv = {"pkill", "-KILL", "-f", "conmon .*" + m_dir.string()}},
                        k_setup_timeout);
    }
  }

  // No CRI runtime answers here: the CRI side is whatever crio.conf in the host root says.
  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--cri-endpoint", "unix://" + (m_dir / "no-cri.sock").string()});
    return edgecrew::testing::run_cli(args, m_process);
  }

  void write_stack(const std::string& image, const std::string& extra = {}) {
    write(m_process.cwd / "compose.yaml", "name: ecimages\nservices:\n  app:\n    image: " + image +
                                              "\n    network_mode: host\n"
                                              "    command: [\"sleep\", \"1000\"]\n" +
                                              extra);
  }

  // CRI-O's store as its configuration would name it.
  void crio_store_at(const fs::path& graphroot, const fs::path& runroot) {
    write(m_process.host_root / "etc/crio/crio.conf", "[crio]\nroot = \"" + graphroot.string() +
                                                          "\"\nrunroot = \"" + runroot.string() +
                                                          "\"\nstorage_driver = \"vfs\"\n");
  }

  fs::path store_a() const { return s_peer->dir / "storage"; }
  fs::path run_a() const { return s_peer->dir / "run"; }

  // A second Podman service on its own store; CONTAINER_HOST then names it.
  void serve_second_store(const fs::path& graphroot, const fs::path& runroot,
                          const std::string& registries_conf = {}) {
    write(m_dir / "storage-b.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" +
                                        graphroot.string() + "\"\nrunroot = \"" + runroot.string() +
                                        "\"\n");
    PodmanEnvironment env;
    env.containers_conf = s_peer->env.containers_conf;
    env.containers_storage_conf = (m_dir / "storage-b.conf").string();
    env.registries_conf = registries_conf;
    DiscoveryOptions options;
    options.root_socket = (m_dir / "no-root.sock").string();
    options.temp_root = m_dir;
    auto endpoint = discover(env, options);
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    m_process.environment["CONTAINER_HOST"] = "unix://" + endpoint->socket;
    m_process.environment["CONTAINERS_STORAGE_CONF"] = env.containers_storage_conf;
    m_second = std::make_unique<PodmanEngine>(std::move(*endpoint));
  }

  nlohmann::json images_json() {
    auto listed = run({"images", "--json"});
    EXPECT_EQ(listed.status, 0) << listed.err;
    return nlohmann::json::parse(listed.out, nullptr, false);
  }

  fs::path m_dir;
  cli::Process m_process;
  std::unique_ptr<PodmanEngine> m_second;
};

TEST_F(CliImagesTest, DivergentStoresSyncThenUpRunsFromTheSecondStoreWithoutARegistry) {
  const fs::path store_b = m_dir / "store-b", run_b = m_dir / "run-b";
  crio_store_at(store_b, run_b);
  const std::string id = skopeo_image_id("containers-storage:[vfs@" + store_a().string() + "+" +
                                         run_a().string() + "]" + k_image);
  ASSERT_TRUE(id.starts_with("sha256:")) << id;

  auto listed = run({"images"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("Podman store: containers-storage, vfs at " +
                                    store_a().string() + " (libpod /info on "));
  EXPECT_THAT(listed.out, HasSubstr("CRI store:    containers-storage, vfs at " + store_b.string() +
                                    " (CRI-O's configuration ("));
  EXPECT_THAT(listed.out, HasSubstr("The stores are separate"));
  EXPECT_THAT(listed.out, ::testing::ContainsRegex(std::string(k_image) + " +app +[0-9.]+ [kM]B +" +
                                                   id.substr(7, 12) + " +- +podman-only\n"))
      << listed.out;
  std::cout << "--- images, stores divergent ---\n" << listed.out;

  auto doc = images_json();
  EXPECT_EQ(doc["shared"], false);
  EXPECT_EQ(doc["images"][0]["podman"]["id"], id);
  EXPECT_EQ(doc["images"][0]["cri"]["present"], false);
  EXPECT_EQ(doc["stores"]["cri"]["graphroot"], store_b.string());
  EXPECT_EQ(doc["stores"]["cri"]["reachable"], false);

  auto synced = run({"images", "sync", "--to", "cri"});
  ASSERT_EQ(synced.status, 0) << synced.out << synced.err;
  EXPECT_THAT(synced.out, HasSubstr("Copying blob sha256:"));  // skopeo's lines, relayed
  EXPECT_THAT(synced.out, ::testing::ContainsRegex(std::string(k_image) + " +copied\n"));
  // Read back with skopeo from store B itself: the same image, by id.
  EXPECT_EQ(skopeo_image_id("containers-storage:[vfs@" + store_b.string() + "+" + run_b.string() +
                            "]" + k_image),
            id);
  doc = images_json();
  EXPECT_EQ(doc["images"][0]["state"], "same");
  EXPECT_EQ(doc["images"][0]["cri"]["id"], id);
  auto after = run({"images"});
  std::cout << "--- images, after sync ---\n" << after.out;

  auto again = run({"images", "sync", "--to", "cri"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out, ::testing::ContainsRegex(std::string(k_image) + " +up to date\n"));
  EXPECT_THAT(again.out, Not(HasSubstr("Copying")));

  // Store B served by its own Podman: the stack runs from it, nothing pulled.
  serve_second_store(store_b, run_b);
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.out, Not(HasSubstr("pulling")));
  auto containers = m_second->list("ecimages");
  ASSERT_TRUE(containers) << containers.error().message;
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().state, ContainerState::running);
  EXPECT_EQ(run({"down", "-t", "0"}).status, 0);
}

TEST_F(CliImagesTest, UpCopiesAnImageTheOtherStoreHasInsteadOfPullingIt) {
  // Podman (the engine up uses) is served from an empty store C; CRI-O's configured store is A,
  // which holds the image.
  crio_store_at(store_a(), run_a());
  serve_second_store(m_dir / "store-c", m_dir / "run-c");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr(std::string(k_image) + ": copied from the CRI store ("));
  EXPECT_THAT(up.out, HasSubstr("), not pulled\n"));
  auto present = m_second->image(k_image);
  ASSERT_TRUE(present) << present.error().message;
  ASSERT_TRUE(present->has_value());
  auto containers = m_second->list("ecimages");
  ASSERT_TRUE(containers && containers->size() == 1u);
  EXPECT_EQ(containers->front().state, ContainerState::running);
  EXPECT_EQ(run({"down", "-t", "0"}).status, 0);
}

TEST_F(CliImagesTest, OneNameForTwoDifferentImagesIsReportedAndSyncReplacesIt) {
  const fs::path store_b = m_dir / "store-b", run_b = m_dir / "run-b";
  crio_store_at(store_b, run_b);
  // Store B gets another image under the same name (written by real Podman on that root).
  write(m_dir / "other/etc/edition", "other\n");
  auto tar = run_process({.argv = {"tar", "-C", (m_dir / "other").string(), "-cf",
                                   (m_dir / "other.tar").string(), "."}},
                         k_setup_timeout);
  ASSERT_TRUE(tar && tar->status.success());
  auto imported = run_process(
      {.argv = {"podman", "--root", store_b.string(), "--runroot", run_b.string(),
                "--storage-driver", "vfs", "import", "-q", (m_dir / "other.tar").string(), k_image},
       .env = {{"CONTAINERS_CONF", s_peer->env.containers_conf}}},
      k_setup_timeout);
  ASSERT_TRUE(imported && imported->status.success()) << (imported ? imported->err : "");
  const std::string in_a = skopeo_image_id("containers-storage:[vfs@" + store_a().string() + "+" +
                                           run_a().string() + "]" + k_image);
  const std::string in_b = skopeo_image_id("containers-storage:[vfs@" + store_b.string() + "+" +
                                           run_b.string() + "]" + k_image);
  ASSERT_NE(in_a, in_b);

  auto listed = run({"images"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(listed.out, ::testing::ContainsRegex(" +differ\n"));
  EXPECT_THAT(listed.out,
              HasSubstr(std::string(k_image) + ": the name points to different images: " + in_a +
                        " in Podman's store, " + in_b + " in the CRI's"));
  auto synced = run({"images", "sync", "--to", "cri"});
  ASSERT_EQ(synced.status, 0) << synced.out << synced.err;
  EXPECT_THAT(synced.out, HasSubstr("copied: replaced " + in_a.substr(7, 12) +
                                    " (the CRI store had " + in_b.substr(7, 12) + ")"));
  EXPECT_EQ(images_json()["images"][0]["state"], "same");
}

TEST_F(CliImagesTest, SharedStoreIsSaidAndSyncHasNothingToDo) {
  crio_store_at(store_a(), run_a());
  auto listed = run({"images"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("The two share one store"));
  EXPECT_THAT(listed.out, ::testing::ContainsRegex(" +same\n"));
  std::cout << "--- images, one shared store ---\n" << listed.out;
  EXPECT_EQ(images_json()["shared"], true);
  auto synced = run({"images", "sync"});
  ASSERT_EQ(synced.status, 0) << synced.err;
  EXPECT_THAT(synced.out, HasSubstr("share one store (containers-storage, vfs at " +
                                    store_a().string() + "): nothing to copy"));
}

TEST_F(CliImagesTest, UpWithAnImageWhoseRegistryDoesNotAnswerCreatesNothing) {
  write_stack(k_image,
              "  cache:\n    image: 127.0.0.1:1/edgecrew/missing:1\n"
              "    network_mode: host\n");
  auto up = run({"up"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("cannot pull 127.0.0.1:1/edgecrew/missing:1: registry "
                                "127.0.0.1:1 does not answer ("));
  EXPECT_THAT(up.err, HasSubstr("nothing was created"));
  auto ps = run({"ps", "--json"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  EXPECT_EQ(nlohmann::json::parse(ps.out), nlohmann::json::array());
}

// A real registry (tests/registry_peer.h) and a Podman on an empty store that pulls from it.
TEST_F(CliImagesTest, PullShowsLayerProgressAsPlainLinesAndRedrawnOnATerminal) {
  ASSERT_FALSE(which("tmux").empty()) << "tmux is not installed: run scripts/setup.sh --test";
  edgecrew::test::RegistryPeer registry;
  auto started = registry.start();
  ASSERT_EQ(started, "") << started;
  const std::string image = registry.address() + "/edgecrew/pulled:1";
  auto pushed = registry.push(
      edgecrew::test::storage_image("vfs", store_a().string(), run_a().string(), k_image),
      "edgecrew/pulled:1");
  ASSERT_EQ(pushed, "") << pushed;
  write_stack(image);
  const fs::path store_d = m_dir / "store-d", run_d = m_dir / "run-d";
  serve_second_store(store_d, run_d, registry.registries_conf());

  // Not a terminal: a line per change of a layer's state, then the image's size.
  auto pulled = run({"images", "pull"});
  ASSERT_EQ(pulled.status, 0) << pulled.out << pulled.err;
  EXPECT_THAT(pulled.out, ::testing::ContainsRegex(image + "  pulling   [0-9]/[0-9] layers"))
      << pulled.out;
  EXPECT_THAT(pulled.out, ::testing::ContainsRegex(image + "  pulled    [0-9.]+ [kM]B\n"))
      << pulled.out;
  std::cout << "--- images pull, plain ---\n" << pulled.out;
  auto again = run({"images", "pull"});
  EXPECT_THAT(again.out, HasSubstr(image + "  pulled    already present\n")) << again.out;
  // And the image is the one pushed: same id in store D as in store A.
  EXPECT_EQ(skopeo_image_id(
                edgecrew::test::storage_image("vfs", store_d.string(), run_d.string(), image)),
            skopeo_image_id(edgecrew::test::storage_image("vfs", store_a().string(),
                                                          run_a().string(), k_image)));

  // On a terminal: the image's one line is redrawn until it says pulled, with the size.
  auto removed = run_process({.argv = {"podman", "--root", store_d.string(), "--runroot",
                                       run_d.string(), "--storage-driver", "vfs", "rmi", image},
                              .env = {{"CONTAINERS_CONF", s_peer->env.containers_conf}}},
                             k_setup_timeout);
  ASSERT_TRUE(removed && removed->status.success()) << (removed ? removed->err : "");
  const std::string screen = terminal_screen(
      EDGECREW_BINARY, "--cri-endpoint unix://" + (m_dir / "no-cri.sock").string() + " images pull",
      m_process.cwd, m_process.environment, 150);
  EXPECT_THAT(screen, ::testing::ContainsRegex("(^|\n)" + image +
                                               "  pulled [0-9.]+ [kM]B [0-9]+\\.[0-9]s\n"))
      << screen;
  EXPECT_THAT(screen, HasSubstr("EXIT=0")) << screen;
  std::istringstream lines(screen);
  int image_lines = 0;
  for (std::string line; std::getline(lines, line);) image_lines += line.rfind(image, 0) == 0;
  EXPECT_EQ(image_lines, 1) << screen;
}

}  // namespace
}  // namespace edgecrew::engine::podman
