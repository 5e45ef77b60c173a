// The CLI against real Podman and a real Redis: an image built with no registry from Debian's
// /usr/bin/redis-server (plus the libraries ldd lists and busybox), a stack like the built-in
// redis service, readiness decided by the native Redis probe, and data that outlives `down` on a
// named volume until `down --volumes`. The temp dir is left behind (and named) when a test fails.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "../unit/cli_fixture.h"
#include "../unit/fixtures/free_port.h"
#include "../unit/rootfs_support.h"
#include "cli/app.h"
#include "podman_peer.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
using ::testing::HasSubstr;

constexpr const char* k_redis_image = "localhost/edgecrew-test/redis:7";
constexpr const char* k_password = "s3cret-edgecrew";
constexpr const char* k_stack = "ecredistest";

using edgecrew::testing::CliRun;

// Imports k_redis_image into the peer's storage, or says why it cannot.
std::string import_redis_image(const Peer& peer) {
  const std::string redis = which("redis-server");
  if (redis.empty()) return "redis-server is not installed: apt-get install redis-server";
  const fs::path rootfs = peer.dir / "redis-rootfs";
  for (const char* d : {"bin", "usr/bin", "data", "tmp"}) fs::create_directories(rootfs / d);
  fs::permissions(rootfs / "tmp", fs::perms::all | fs::perms::sticky_bit);
  if (auto why = edgecrew::testing::copy_with_libraries(redis, rootfs, "/usr/bin/redis-server",
                                                        k_setup_timeout);
      !why.empty()) {
    return why;
  }
  fs::copy_file(which("busybox"), rootfs / "bin/busybox");
  for (const char* applet : {"sh", "sleep", "cat", "ls"}) {
    fs::create_symlink("busybox", rootfs / "bin" / applet);
  }
  const fs::path tarball = peer.dir / "redis-rootfs.tar";
  auto tar = run_process({.argv = {"tar", "-C", rootfs.string(), "-cf", tarball.string(), "."}},
                         k_setup_timeout);
  if (!tar || !tar->status.success()) return "tar failed";
  auto imported = podman(peer, {"import", "-q", "--change", "ENV PATH=/bin:/usr/bin", "--change",
                                "WORKDIR /data", tarball.string(), k_redis_image});
  if (!imported) return "podman import: " + imported.error().message;
  if (!imported->status.success()) return "podman import: " + imported->err;
  return {};
}

// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice), or 0.
// Like the built-in redis service; the probe's password comes from `probe_password_var`.
std::string compose(int port, const std::string& probe_password_var) {
  const std::string p = std::to_string(port);
  return std::string("name: ") + k_stack +
         "\n"
         "services:\n"
         "  redis:\n"
         "    image: " +
         k_redis_image +
         "\n"
         "    command: [redis-server, --requirepass, \"${REDIS_PASSWORD}\", --port, \"" +
         p +
         "\", --bind, 127.0.0.1, --appendonly, \"yes\", --dir, /data]\n"
         "    network_mode: host\n"
         "    stop_grace_period: 5s\n"
         "    volumes: [\"redis-data:/data\"]\n"
         "    x-edgecrew:\n"
         "      probe:\n"
         "        redis:\n"
         "          url: redis://:${" +
         probe_password_var + "}@127.0.0.1:" + p +
         "/0\n"
         "  app:\n"
         "    image: " +
         k_image +
         "\n"
         "    network_mode: host\n"
         "    command: [sleep, \"1000\"]\n"
         "    stop_grace_period: 1s\n"
         "    depends_on:\n"
         "      redis:\n"
         "        condition: service_healthy\n"
         "volumes:\n"
         "  redis-data: {}\n";
}

class CliPodmanRedisTest : public PodmanPeerTest {
 protected:
  static void SetUpTestSuite() {
    PodmanPeerTest::SetUpTestSuite();
    if (s_peer->setup_error.empty()) s_peer->setup_error = import_redis_image(*s_peer);
  }

  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    if (which("redis-cli").empty()) GTEST_SKIP() << "redis-cli is not installed (redis-tools)";
    const fs::path dir = s_peer->dir;
    m_process.cwd = dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_process.cwd);
    m_process.environment = cli_environment(*s_peer, dir);
    m_process.environment["REDIS_PASSWORD"] = k_password;
    m_process.environment["WRONG_PASSWORD"] = "not-the-password";
    m_process.host_root = dir / "host";
    m_port = edgecrew::testing::free_loopback_port();
    ASSERT_NE(m_port, 0) << "no free port";
  }

  CliRun run(const std::vector<std::string>& args) {
    return edgecrew::testing::run_cli(args, m_process);
  }

  void write_stack(const std::string& text) { write(m_process.cwd / "compose.yaml", text); }

  // redis-cli on the host, authenticated with the stack's password: its trimmed stdout.
  std::string redis_cli(const std::vector<std::string>& command, bool auth = true) {
    SubprocessOptions options;
    options.argv = {"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(m_port)};
    options.argv.insert(options.argv.end(), command.begin(), command.end());
    if (auth) options.env = {{"REDISCLI_AUTH", k_password}};
    auto r = run_process(options, 30s);
    if (!r) return "redis-cli: " + r.error().message;
    std::string out = r->out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  bool volume_listed(const std::string& name) {
    auto r = podman(*s_peer, {"volume", "ls", "-q"});
    EXPECT_TRUE(r && r->status.success());
    if (!r) return false;
    std::istringstream lines(r->out);
    for (std::string line; std::getline(lines, line);) {
      if (line == name) return true;
    }
    return false;
  }

  cli::Process m_process;
  int m_port = 0;
};

TEST_F(CliPodmanRedisTest, ProbeGatesUpAndDataSurvivesDownOnTheNamedVolume) {
  const std::string volume = std::string(k_stack) + "_redis-data";
  write_stack(compose(m_port, "REDIS_PASSWORD"));
  auto up = run({"up", "--wait"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  // `app` started only after the native probe had its PONG with the password.
  const std::string pong =
      "redis  healthy   redis 127.0.0.1:" + std::to_string(m_port) + ": PONG\n";
  EXPECT_THAT(up.out, HasSubstr("app    waiting   for redis (service_healthy)\n" + pong));
  EXPECT_LT(up.out.find(pong), up.out.find("app    started"));

  // The server really wants the password, and the probe passed with it.
  EXPECT_THAT(redis_cli({"GET", "edgecrew:key"}, false), HasSubstr("NOAUTH"));
  EXPECT_EQ(redis_cli({"SET", "edgecrew:key", "kept-across-down"}), "OK");
  EXPECT_EQ(redis_cli({"GET", "edgecrew:key"}), "kept-across-down");

  auto down = run({"down"});
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_THAT(down.out, HasSubstr("named volumes kept"));
  EXPECT_TRUE(volume_listed(volume));

  auto again = run({"up", "--wait"});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_EQ(redis_cli({"GET", "edgecrew:key"}), "kept-across-down");

  auto gone = run({"down", "--volumes"});
  ASSERT_EQ(gone.status, 0) << gone.out << gone.err;
  EXPECT_FALSE(volume_listed(volume));
}

TEST_F(CliPodmanRedisTest, UpFailsWithWrongpassWhenTheProbePasswordIsWrong) {
  write_stack(compose(m_port, "WRONG_PASSWORD"));
  auto up = run({"up", "--wait"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("app: dependency redis: redis is not healthy: probe (redis): "
                                "redis 127.0.0.1:" +
                                std::to_string(m_port) + ": WRONGPASS"));
  EXPECT_THAT(up.out, ::testing::Not(HasSubstr("app    started")));
  EXPECT_THAT(up.out + up.err, ::testing::Not(HasSubstr(k_password)));
  ASSERT_EQ(run({"down", "-t", "0", "--volumes"}).status, 0);
}

}  // namespace
}  // namespace edgecrew::engine::podman
