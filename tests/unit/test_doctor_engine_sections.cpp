// The pure parts of the doctor's engine sections: who may connect to a socket (against the real
// stat() of a unix socket made here), loaded vs configured handlers, Redis exposure read from a
// service's command line, registries named by image references and a registry's answer (a
// fixture HTTP server on loopback).

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "doctor/check.h"
#include "doctor/checks_cri.h"
#include "doctor/checks_services.h"
#include "doctor/engine_facts.h"
#include "doctor/facts.h"
#include "doctor/runner.h"
#include "fixture_http.h"
#include "fixtures/temp_dir.h"
#include "images/registry.h"
#include "test_doctor_fixture.h"

namespace edgecrew {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using test::FixtureHttp;

// A unix socket bound at `path` with permission bits `mode`; the fd stays open.
int make_socket(const fs::path& path, mode_t mode) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::chmod(path.c_str(), mode);
  return fd;
}

TEST(DoctorSocketAccess, ModeZeroRefusesAnOrdinaryUserAndSaysWhoOwnsIt) {
  edgecrew::testing::TempDir tmp("doctor-eng");
  auto sock = tmp.path() / "crio.sock";
  int fd = make_socket(sock, 0000);
  auto st = host::stat_path(sock);
  ASSERT_TRUE(st);
  auto nobody = doctor::socket_access(sock.string(), *st, 65534, {65534});
  EXPECT_FALSE(nobody.allowed);
  EXPECT_THAT(nobody.evidence, HasSubstr("---------"));
  EXPECT_THAT(nobody.evidence, HasSubstr(fmt::format("uid {}", ::geteuid())));
  EXPECT_THAT(nobody.evidence, HasSubstr("mode 0000"));
  EXPECT_THAT(nobody.fix, HasSubstr("$ sudo edgecrew doctor"));
  EXPECT_THAT(nobody.fix, HasSubstr("$ sudo chmod 0660 " + sock.string()));
  EXPECT_THAT(nobody.fix, HasSubstr("usermod -aG"));
  // root may always connect; the group may when the socket is group-writable.
  EXPECT_TRUE(doctor::socket_access(sock.string(), *st, 0, {0}).allowed);
  ::chmod(sock.c_str(), 0660);
  st = host::stat_path(sock);
  EXPECT_TRUE(doctor::socket_access(sock.string(), *st, 65534, {st->gid}).allowed);
  EXPECT_FALSE(doctor::socket_access(sock.string(), *st, 65534, {65534}).allowed);
  EXPECT_THAT(doctor::socket_access(sock.string(), *st, 65534, {65534}).evidence,
              HasSubstr("rw-rw----"));
  ::close(fd);
}

host::CrioConfig crio_with(const std::string& text) {
  host::CrioConfig c;
  host::apply_crio_config_text(c, text, "/etc/crio/crio.conf.d/10-kata.conf");
  return c;
}

TEST(DoctorCriHandlers, ConfiguredButNotLoadedByCrioIsADroppedHandler) {
  auto crio = crio_with(
      "[crio.runtime.runtimes.kata]\nruntime_path = \"/opt/kata/bin/missing\"\n"
      "[crio.runtime.runtimes.runc]\n");
  std::set<std::string> loaded = {"runc", "crun"};
  auto out =
      doctor::compare_handlers("cri-o", loaded, "CRI-O's GET /config", {"kata", "runc"}, crio);
  EXPECT_EQ(out.verdict, doctor::Verdict::fail);
  EXPECT_THAT(out.summary, HasSubstr("kata configured but not loaded: CRI-O dropped it"));
  EXPECT_THAT(::testing::PrintToString(out.evidence),
              HasSubstr("kata: runtime_path = /opt/kata/bin/missing "
                        "(/etc/crio/crio.conf.d/10-kata.conf:2)"));
  EXPECT_THAT(out.fix, HasSubstr("$ systemctl restart crio"));

  auto fine = doctor::compare_handlers("cri-o", loaded, "x", {"runc"}, crio);
  EXPECT_EQ(fine.verdict, doctor::Verdict::pass);
  EXPECT_EQ(fine.summary, "crun, runc loaded");
  auto silent = doctor::compare_handlers("cri-o", std::nullopt, "", {"runc"}, crio);
  EXPECT_EQ(silent.verdict, doctor::Verdict::skip);
}

stack::Service redis(std::vector<std::string> command,
                     stack::NetworkMode network = stack::NetworkMode::host) {
  stack::Service s;
  s.name = "redis";
  s.image = "docker.io/library/redis:7.2";
  s.command = std::move(command);
  s.network_mode = network;
  return s;
}

TEST(DoctorRedisExposure, EveryAddressWithProtectedModeOffOrAWeakPasswordIsRisky) {
  auto open = doctor::redis_exposure(redis({"redis-server", "--bind", "0.0.0.0", "--protected-mode",
                                            "no", "--requirepass", "a-long-enough-password-here"}));
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->risky);
  EXPECT_THAT(open->evidence, HasSubstr("bind 0.0.0.0 on the host network, protected-mode no"));

  auto weak = doctor::redis_exposure(redis({"redis-server", "--requirepass", "test"}));
  ASSERT_TRUE(weak);
  EXPECT_TRUE(weak->risky);  // no --bind: Redis 7 listens everywhere
  EXPECT_THAT(weak->evidence, HasSubstr("4 characters (weak)"));

  auto builtin =
      doctor::redis_exposure(redis({"redis-server", "--requirepass", "Zk3v9QwX1pL7sT2m8R", "--bind",
                                    "127.0.0.1", "--protected-mode", "yes"}));
  ASSERT_TRUE(builtin);
  EXPECT_FALSE(builtin->risky);

  auto bridged = doctor::redis_exposure(redis(
      {"redis-server", "--bind", "0.0.0.0", "--protected-mode", "no"}, stack::NetworkMode::bridge));
  ASSERT_TRUE(bridged);
  EXPECT_FALSE(bridged->risky);  // not published: reachable only from its network

  // No password: protected mode refuses remote clients, unless it is off.
  auto guarded = doctor::redis_exposure(redis({"redis-server", "--bind", "0.0.0.0"}));
  ASSERT_TRUE(guarded);
  EXPECT_FALSE(guarded->risky);
  auto unguarded = doctor::redis_exposure(
      redis({"redis-server", "--protected-mode", "no", "--requirepass", "Zk3v9QwX1pL7sT2m8R"}));
  ASSERT_TRUE(unguarded);
  EXPECT_TRUE(unguarded->risky);
  // The image's own command counts when the image is Redis's; a probe alone does not make Redis.
  auto plain = redis({});
  plain.command.reset();
  ASSERT_TRUE(doctor::redis_exposure(plain));
  EXPECT_FALSE(doctor::redis_exposure(plain)->risky);
  auto other = redis({"sleep", "1000"});
  other.probe = stack::Probe{stack::Probe::Kind::redis};
  EXPECT_FALSE(doctor::redis_exposure(other));

  stack::Service app;
  app.name = "app";
  app.command = std::vector<std::string>{"sleep", "1"};
  EXPECT_FALSE(doctor::redis_exposure(app));
}

TEST(DoctorImages, RegistryOfAnImageReference) {
  EXPECT_EQ(images::image_registry("docker.io/vllm/vllm-openai:v0.10.2"), "registry-1.docker.io");
  EXPECT_EQ(images::image_registry("redis:7"), "registry-1.docker.io");
  EXPECT_EQ(images::image_registry("library/redis:7"), "registry-1.docker.io");
  EXPECT_EQ(images::image_registry("quay.io/a/b:1"), "quay.io");
  EXPECT_EQ(images::image_registry("registry.local:5000/a:1"), "registry.local:5000");
  EXPECT_EQ(images::image_registry("localhost/edgecrew-test/busybox:1"), "");
}

TEST(DoctorImages, FixtureRegistryAnswering401IsReachable404IsNot) {
  {
    FixtureHttp registry(401);
    auto a = images::ask_registry(fmt::format("127.0.0.1:{}", registry.port), "http");
    EXPECT_TRUE(a.reachable) << a.text;
    EXPECT_THAT(a.text, HasSubstr("HTTP 401"));
  }
  {
    FixtureHttp other(404);
    auto a = images::ask_registry(fmt::format("127.0.0.1:{}", other.port), "http");
    EXPECT_FALSE(a.reachable) << a.text;
  }
  // Nothing listens: unreachable, with the error, well within the 3 s budget.
  int port = 0;
  {
    FixtureHttp closed(200);
    port = closed.port;
  }
  auto start = std::chrono::steady_clock::now();
  auto none = images::ask_registry(fmt::format("127.0.0.1:{}", port), "http");
  EXPECT_FALSE(none.reachable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, images::k_registry_timeout);
}

// Without a stack and without runtimes (a fixture root), the engine sections say why they skip,
// and the services checks are opt-in.
TEST(DoctorEngineSections, FixtureHostWithoutRuntimesOrStack) {
  testing::FixtureHost host("nogpu");
  if (!host.skip_reason.empty()) GTEST_SKIP() << host.skip_reason;
  auto in = host.inputs();
  auto report = host.run(in, {{"cri", "images", "services"}, {}, {}});
  const auto& sock = testing::finding(report, "cri.socket");
  EXPECT_EQ(sock.outcome.verdict, doctor::Verdict::skip);
  EXPECT_EQ(sock.outcome.summary,
            "no CRI runtime found at /var/run/crio/crio.sock, /run/containerd/containerd.sock");
  EXPECT_EQ(testing::finding(report, "images.podman").outcome.summary, "no stack given");
  EXPECT_THAT(testing::finding(report, "services.state").outcome.summary,
              HasSubstr("--check-services"));

  in.engine = "cri";
  in.stack = std::make_shared<const stack::Stack>();
  report = host.run(in, {{"cri"}, {}, {}});
  EXPECT_EQ(testing::finding(report, "cri.socket").outcome.verdict, doctor::Verdict::warn);
}

}  // namespace
}  // namespace edgecrew
