// The CRI engine's image reads against a real containerd 1.6 CRI plugin (containerd_peer.h):
// image() by name and by id, image_store(), and an image moved from a containers-storage store
// (what Podman and CRI-O write) into containerd without any registry, keeping its id, then run.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "../unit/stack_test_support.h"
#include "containerd_peer.h"
#include "stack/normalize.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using ::testing::HasSubstr;

bool is_image_id(const std::string& id) {
  static const std::regex k_id("sha256:[0-9a-f]{64}");
  return std::regex_match(id, k_id);
}

class CriImagesTest : public PeerTest<false> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    m_engine = s_peer->engine(s_peer->engine_options());
  }

  std::unique_ptr<CriEngine> m_engine;
};

TEST_F(CriImagesTest, ImageReportsTheConfigDigestAsItsIdAndNothingForAMissingOne) {
  auto busybox = m_engine->image(k_busybox_image);
  ASSERT_TRUE(busybox) << busybox.error().message;
  ASSERT_TRUE(busybox->has_value());
  EXPECT_TRUE(is_image_id((*busybox)->id)) << (*busybox)->id;
  EXPECT_EQ((*busybox)->id, s_peer->image_ids.at(k_busybox_image))
      << "the id is the digest of the config blob the peer wrote";
  // The layer holds the static busybox binary, so the image is at least that large.
  EXPECT_GE((*busybox)->size, static_cast<std::int64_t>(fs::file_size(which("busybox"))));

  // The pause image has the same layer and another config: another id.
  auto pause = m_engine->image(k_pause_image);
  ASSERT_TRUE(pause) << pause.error().message;
  ASSERT_TRUE(pause->has_value());
  EXPECT_EQ((*pause)->id, s_peer->image_ids.at(k_pause_image));
  EXPECT_NE((*pause)->id, (*busybox)->id);

  // The id names the image too.
  auto by_id = m_engine->image((*busybox)->id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->id, (*busybox)->id);

  auto missing = m_engine->image("localhost/edgecrew-test/nothing:1");
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
}

TEST_F(CriImagesTest, ImageStoreIsContainerdFoundThroughItsSocket) {
  auto store = m_engine->image_store();
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->kind, StoreKind::containerd);
  EXPECT_THAT(store->found_by, HasSubstr("containerd"));
  EXPECT_THAT(store->found_by, HasSubstr(s_peer->socket));
  // containerd's content store has no containers-storage driver or graphroot to report.
  EXPECT_EQ(store->driver, "");
  EXPECT_EQ(store->graphroot, "");
}

TEST(CriImageErrors, AMissingSocketIsAnErrorNotAMissingImage) {
  CriEngine engine(CriEndpoint{"/nonexistent/edgecrew/cri.sock", "test"});
  auto image = engine.image(k_busybox_image);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().kind, ErrorKind::unavailable);
  EXPECT_THAT(image.error().message, HasSubstr("/nonexistent/edgecrew/cri.sock"));
  auto store = engine.image_store();
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().kind, ErrorKind::unavailable);
}

// A private containers-storage store as Podman writes it (vfs: nothing to mount or unmount), all
// under `dir`, so that the host's own store is never touched.
struct PodmanStore {
  fs::path dir;
  fs::path graphroot() const { return dir / "graph"; }
  fs::path runroot() const { return dir / "run"; }
  // skopeo's name for an image in this store.
  std::string skopeo_ref(const std::string& image) const {
    return "containers-storage:[vfs@" + graphroot().string() + "+" + runroot().string() + "]" +
           image;
  }
  std::map<std::string, std::string> env() const {
    return {{"CONTAINERS_CONF", (dir / "containers.conf").string()}};
  }
  std::vector<std::string> podman(std::vector<std::string> args) const {
    std::vector<std::string> argv = {"podman",
                                     "--root",
                                     graphroot().string(),
                                     "--runroot",
                                     runroot().string(),
                                     "--tmpdir",
                                     (dir / "tmp").string(),
                                     "--storage-driver",
                                     "vfs"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
};

// "" or why the command failed; its stdout in `out`.
std::string run_in(const std::vector<std::string>& argv,
                   const std::map<std::string, std::string>& env, std::string* out = nullptr) {
  auto r = run_process({.argv = argv, .env = env}, k_setup_timeout);
  if (!r) return argv[0] + ": " + r.error().message;
  if (!r->status.success()) {
    return argv[0] + " " + argv[1] + " (" + r->status.describe() + "): " + r->err + r->out;
  }
  if (out != nullptr) *out = r->out;
  return {};
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST_F(CriImagesTest, AnImageMovedFromContainersStorageKeepsItsIdAndRunsWithoutARegistry) {
  for (const char* program : {"podman", "skopeo"}) {
    ASSERT_FALSE(which(program).empty())
        << program << " is not installed: run scripts/setup.sh --test";
  }
  const std::string name = "localhost/edgecrew-test/moved:1";
  PodmanStore store{s_peer->dir / "podman"};
  fs::create_directories(store.dir / "tmp");
  // Podman 4.3 here needs runc (crun refuses hybrid cgroups) and rlimits under the hard limit.
  write_file(store.dir / "containers.conf",
             "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
             "[engine]\nruntime = \"runc\"\n");

  // The image as Podman makes it: busybox and a file that only this image has.
  const fs::path rootfs = s_peer->dir / "rootfs/moved";
  add_busybox(rootfs);
  write_file(rootfs / "etc/edgecrew-moved", "from containers-storage\n");
  const fs::path rootfs_tar = store.dir / "rootfs.tar";
  ASSERT_EQ(run_ok({"tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.string(),
                    "-cf", rootfs_tar.string(), "."}),
            "");
  ASSERT_EQ(run_in(store.podman({"import", "--change", "CMD [\"sh\"]", "--change", "ENV PATH=/bin",
                                 rootfs_tar.string(), name}),
                   store.env()),
            "");
  std::string podman_id;
  ASSERT_EQ(run_in(store.podman({"image", "inspect", "--format", "{{.Id}}", name}), store.env(),
                   &podman_id),
            "");
  podman_id = "sha256:" + trimmed(podman_id);
  ASSERT_TRUE(is_image_id(podman_id)) << podman_id;
  std::string raw_manifest;
  ASSERT_EQ(
      run_in({"skopeo", "inspect", "--raw", store.skopeo_ref(name)}, store.env(), &raw_manifest),
      "");
  const json manifest = json::parse(raw_manifest, nullptr, false);
  ASSERT_TRUE(manifest.is_object()) << raw_manifest;
  EXPECT_EQ(manifest["config"]["digest"], podman_id) << "Podman's id is its config digest";

  // Not there before the move.
  auto before = m_engine->image(name);
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_FALSE(before->has_value());

  // The move: an OCI archive whose index names the image by its full reference (ctr imports an
  // archive without a name as nothing), with the digests kept (skopeo would otherwise gzip the
  // layer and write another manifest), then imported where the CRI plugin looks.
  const fs::path archive = store.dir / "moved.oci.tar";
  ASSERT_EQ(run_in({"skopeo", "copy", "--quiet", "--preserve-digests", store.skopeo_ref(name),
                    "oci-archive:" + archive.string() + ":" + name},
                   store.env()),
            "");
  ASSERT_EQ(ctr_import(*s_peer, archive), "");

  auto moved = m_engine->image(name);
  ASSERT_TRUE(moved) << moved.error().message;
  ASSERT_TRUE(moved->has_value()) << name << " is not in containerd after the import";
  EXPECT_EQ((*moved)->id, podman_id) << "the same image in both stores, by its id";
  auto status = m_engine->client().image_status(name);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_THAT(status->image().repo_tags(), ::testing::Contains(name));

  // A container from it, made and started through the engine, runs the moved image's files.
  stack::Stack stack = stack::test::load_ok("name: ectest\nservices:\n  app:\n    image: " + name +
                                            "\n    network_mode: host\n"
                                            "    command: [sleep, \"1000\"]\n");
  CriEngineOptions options = s_peer->engine_options();
  options.stack = &stack;
  m_engine = s_peer->engine(options);
  const stack::Service* app = stack.find("app");
  ASSERT_NE(app, nullptr);
  auto id = m_engine->create({&stack, app, stack::spec_hash(*app, stack)});
  ASSERT_TRUE(id) << id.error().message;
  auto started = m_engine->start(*id);
  ASSERT_TRUE(started) << started.error().message;
  auto c = m_engine->inspect(*id);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->state, ContainerState::running);
  auto exec = m_engine->exec(*id, {"cat", "/etc/edgecrew-moved"}, 10s);
  ASSERT_TRUE(exec) << exec.error().message;
  EXPECT_EQ(exec->exit_code, 0);
  EXPECT_EQ(exec->output, "from containers-storage\n");
  ASSERT_TRUE(m_engine->stop(*id, 0s, ""));
  ASSERT_TRUE(m_engine->remove(*id));
  auto after = m_engine->list("ectest");
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->empty());
}

}  // namespace
}  // namespace edgecrew::engine::cri
