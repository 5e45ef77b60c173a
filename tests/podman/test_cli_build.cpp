// build: on real Podman, in-process as a person runs it: a Containerfile FROM the locally imported
// busybox (no registry) with an ARG, a RUN and a COPY of a context that a .dockerignore trims;
// `up` builds it and runs it, a second `up` builds nothing and keeps it, `up --build` builds
// again, and a failing RUN names its step and output and creates nothing. Also times the build
// against `podman build` of the same context.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "../unit/cli_fixture.h"
#include "cli/app.h"
#include "podman_peer.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
using ::testing::HasSubstr;
using ::testing::Not;

using edgecrew::testing::CliRun;

class CliBuildTest : public PodmanPeerTest {
 protected:
  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    m_process.environment = cli_environment(*s_peer, s_peer->dir);
    m_process.host_root = s_peer->dir / "host";
  }

  CliRun run_in(const fs::path& dir, const std::vector<std::string>& args) {
    m_process.cwd = dir;
    return edgecrew::testing::run_cli(args, m_process);
  }

  cli::Process m_process;
};

TEST_F(CliBuildTest, UpBuildsRunsKeepsAndAFailedStepCreatesNothing) {
  const fs::path good = s_peer->dir / "good";
  write(good / "ctx/Containerfile",
        std::string("FROM ") + k_image +
            "\n"
            "ARG GREETING=unset\n"
            "RUN echo \"built with $GREETING\" > /greeting && ulimit -n > /nofile\n"
            "COPY . /src/\n"
            "CMD [\"sleep\", \"1000\"]\n");
  write(good / "ctx/app.txt", "v1\n");
  write(good / "ctx/secret.txt", "not for the image\n");
  write(good / "ctx/.dockerignore", "secret.txt\n");
  write(good / "compose.yaml",
        "name: ecbuild\n"
        "services:\n"
        "  web:\n"
        "    build:\n"
        "      context: ctx\n"
        "      args: {GREETING: hello}\n"
        "    network_mode: host\n"
        "    stop_grace_period: 1s\n");

  const auto started = std::chrono::steady_clock::now();
  auto up = run_in(good, {"up"});
  const auto ours = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr("web: building ecbuild-web from "));
  EXPECT_THAT(up.out, HasSubstr("web | STEP 3/6: RUN echo"));
  EXPECT_THAT(up.out, HasSubstr("web: built ecbuild-web (sha256:"));
  EXPECT_THAT(up.out, HasSubstr("ecbuild: 1 created\n"));
  auto greeting = run_in(good, {"exec", "web", "--", "cat", "/greeting", "/src/app.txt"});
  EXPECT_EQ(greeting.status, 0) << greeting.err;
  EXPECT_EQ(greeting.out, "built with hello\nv1\n");
  EXPECT_NE(run_in(good, {"exec", "web", "--", "ls", "/src/secret.txt"}).status, 0);
  EXPECT_EQ(run_in(good, {"exec", "web", "--", "ls", "/src/Containerfile"}).status, 0);

  // Again: the image is there, nothing is built, the container is kept.
  auto again = run_in(good, {"up"});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("building")));
  EXPECT_THAT(again.out, HasSubstr("ecbuild: 1 kept\n"));
  // Asked for, with nothing changed: the image edgecrew built from this very context stands.
  auto rebuilt = run_in(good, {"build"});
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("web: ecbuild-web (sha256:"));
  EXPECT_THAT(rebuilt.out, HasSubstr(") is up to date: built from the same context"));
  EXPECT_THAT(rebuilt.out, HasSubstr("ecbuild: 0 images built\n"));
  // A file of the context changed: built again.
  write(good / "ctx/app.txt", "v2\n");
  auto changed = run_in(good, {"build"});
  ASSERT_EQ(changed.status, 0) << changed.out << changed.err;
  EXPECT_THAT(changed.out, HasSubstr("ecbuild: 1 image built\n"));

  // The same context built by podman itself, without its cache, for the report's comparison.
  const auto podman_started = std::chrono::steady_clock::now();
  auto by_podman = podman(*s_peer, {"build", "--no-cache", "-q", "--build-arg", "GREETING=hello",
                                    "-t", "ecbuild-by-podman", (good / "ctx").string()});
  const auto theirs = std::chrono::steady_clock::now() - podman_started;
  ASSERT_TRUE(by_podman && by_podman->status.success()) << (by_podman ? by_podman->err : "");
  std::cerr << "build timing: edgecrew up (build + create + start) "
            << std::chrono::duration_cast<std::chrono::milliseconds>(ours).count()
            << " ms, podman build --no-cache "
            << std::chrono::duration_cast<std::chrono::milliseconds>(theirs).count() << " ms\n";

  // A RUN that fails: its step and output, exit 1, nothing created.
  const fs::path bad = s_peer->dir / "bad";
  write(bad / "Containerfile",
        std::string("FROM ") + k_image +
            "\nRUN echo before the failure && false\nCMD [\"sleep\", \"1\"]\n");
  write(bad / "compose.yaml",
        "name: ecbuildbad\nservices:\n  broken:\n    build: .\n    network_mode: host\n");
  auto failed = run_in(bad, {"up"});
  EXPECT_EQ(failed.status, 1) << failed.out << failed.err;
  EXPECT_THAT(failed.err, HasSubstr("service broken: building image ecbuildbad-broken"));
  EXPECT_THAT(failed.err, HasSubstr("failed at STEP 2/4: RUN echo before the failure && false"));
  EXPECT_THAT(failed.err, HasSubstr("| before the failure"));
  EXPECT_THAT(failed.err, HasSubstr("nothing was created"));
  auto ps = run_in(bad, {"ps", "--json"});
  EXPECT_EQ(ps.status, 0) << ps.err;
  auto listed = nlohmann::json::parse(ps.out, nullptr, false);
  EXPECT_TRUE(listed.is_array() && listed.empty()) << ps.out;
}

// Two built services: a file changed in one context, `up --build` rebuilds both (the other from
// the layer cache, the same image id), and recreates only the service whose image changed.
TEST_F(CliBuildTest, AChangedFileRebuildsAndRecreatesThatServiceOnly) {
  const fs::path dir = s_peer->dir / "two";
  for (const char* name : {"one", "two"}) {
    write(dir / name / "Containerfile", std::string("FROM ") + k_image +
                                            "\nCOPY file.txt /file.txt\n"
                                            "CMD [\"sleep\", \"1000\"]\n");
    write(dir / name / "file.txt", std::string(name) + " v1\n");
  }
  write(dir / "compose.yaml",
        "name: ectwo\nservices:\n"
        "  one:\n    build: one\n    network_mode: host\n    stop_grace_period: 1s\n"
        "  two:\n    build: two\n    network_mode: host\n    stop_grace_period: 1s\n");
  auto up = run_in(dir, {"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto ids = [&] {
    std::map<std::string, std::string> out;
    auto ps = run_in(dir, {"ps", "--json"});
    EXPECT_EQ(ps.status, 0) << ps.err;
    for (const auto& item : nlohmann::json::parse(ps.out)) out[item["service"]] = item["id"];
    return out;
  };
  const auto before = ids();
  ASSERT_EQ(before.size(), 2u);

  write(dir / "two" / "file.txt", "two v2\n");
  auto rebuilt = run_in(dir, {"up", "--build"});
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.out << rebuilt.err;
  EXPECT_THAT(rebuilt.out, HasSubstr("one: ectwo-one (sha256:"));
  EXPECT_THAT(rebuilt.out, HasSubstr(") is up to date: built from the same context"));
  EXPECT_THAT(rebuilt.out, HasSubstr("two: built ectwo-two"));
  EXPECT_THAT(rebuilt.out, HasSubstr("ectwo: 1 recreated, 1 kept\n"));
  const auto after = ids();
  EXPECT_EQ(after.at("one"), before.at("one")) << "the unchanged service is kept";
  EXPECT_NE(after.at("two"), before.at("two")) << "the changed service is recreated";
  auto shown = run_in(dir, {"exec", "two", "--", "cat", "/file.txt"});
  EXPECT_EQ(shown.out, "two v2\n");
  EXPECT_EQ(run_in(dir, {"down", "-t", "0"}).status, 0);
}

}  // namespace
}  // namespace edgecrew::engine::podman
