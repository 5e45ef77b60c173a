// `build:` with the CRI engine, as CRI-O users work: Podman (a private service on its own store)
// builds the image from a Containerfile FROM a locally imported base (no registry), `up --engine
// cri` copies the built image into containerd through the images stage (an archive and `ctr
// images import`, no registry either) and runs it in a pod; a second `up` builds and copies
// nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../podman/podman_peer.h"
#include "../unit/cli_fixture.h"
#include "containerd_peer.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using ::testing::HasSubstr;
using ::testing::Not;
namespace podman_test = edgecrew::engine::podman::test;

constexpr const char* k_built = "localhost/edgecrew-test/built-for-cri:1";

class CriBuildTest : public PeerTest<false> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string podman_error = podman_test::set_up(m_podman);
    ASSERT_TRUE(podman_error.empty()) << podman_error;
    const fs::path dir = s_peer->dir / "build";
    m_process.cwd = dir;
    m_process.environment = s_peer->environment();
    for (const auto& [name, value] : podman_test::cli_environment(m_podman, dir)) {
      m_process.environment[name] = value;
    }
    m_process.host_root = dir / "host";
  }
  void TearDown() override { podman_test::tear_down(m_podman, {}); }

  edgecrew::testing::CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", "cri"});
    return edgecrew::testing::run_cli(args, m_process);
  }

  podman_test::Peer m_podman;
  cli::Process m_process;
};

TEST_F(CriBuildTest, PodmanBuildsAndTheImagesStageCarriesTheImageIntoContainerd) {
  const fs::path dir = m_process.cwd;
  podman_test::write(dir / "ctx/Containerfile", std::string("FROM ") + podman_test::k_image +
                                                    "\nRUN echo built-by-podman > /built\n"
                                                    "COPY app.txt /app.txt\n"
                                                    "CMD [\"sleep\", \"1000\"]\n");
  podman_test::write(dir / "ctx/app.txt", "v1\n");
  podman_test::write(dir / "compose.yaml", std::string("name: eccribuild\nservices:\n  app:\n"
                                                       "    build: ./ctx\n    image: ") +
                                               k_built +
                                               "\n    network_mode: host\n"
                                               "    stop_grace_period: 1s\n");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr("app: building " + std::string(k_built)));
  EXPECT_THAT(up.out, HasSubstr("app: built " + std::string(k_built) + " (sha256:"));
  EXPECT_THAT(up.out, HasSubstr("app: " + std::string(k_built) + " copied to the CRI store\n"));
  std::cout << "--- up --engine cri with build: ---\n" << up.out;
  auto shown = run({"exec", "app", "--", "cat", "/built", "/app.txt"});
  EXPECT_EQ(shown.status, 0) << shown.err;
  EXPECT_EQ(shown.out, "built-by-podman\nv1\n");

  // The image is in both stores now: a second up builds nothing, copies nothing, keeps the pod.
  auto again = run({"up"});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("building")));
  EXPECT_THAT(again.out, Not(HasSubstr("copied")));
  EXPECT_EQ(run({"plan"}).out, "keep    app\n");
  EXPECT_EQ(run({"down", "-t", "0"}).status, 0);
}

}  // namespace
}  // namespace edgecrew::engine::cri
