// The doctor's cri, images and services sections against the real private containerd 1.6 CRI of
// containerd_peer.h: Version and Status as containerd answers them, the handlers it loaded (runc,
// nvidia) against a fixture crio.conf that configures one more, the stack's handlers, the CRI
// store's images, and — after `up` of a stack with a real Redis — services state, the Redis
// probe and the CDI devices containerd 1.6 does (not) inject.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../unit/cli_fixture.h"
#include "containerd_peer.h"
#include "doctor/check.h"
#include "doctor/facts.h"
#include "doctor/runner.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using ::testing::HasSubstr;

const doctor::Finding& find(const doctor::Report& r, const std::string& id) {
  for (const auto& f : r.findings) {
    if (f.id == id) return f;
  }
  static doctor::Finding none;
  ADD_FAILURE() << "no finding " << id;
  return none;
}

std::string text(const doctor::Finding& f) {
  std::string out =
      f.id + " " + doctor::verdict_name(f.outcome.verdict) + ": " + f.outcome.summary + "\n";
  for (const auto& e : f.outcome.evidence) out += "  " + e + "\n";
  return out + f.outcome.fix;
}

class DoctorCriTest : public PeerTest<true> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    m_root = s_peer->dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_root);
  }

  doctor::Inputs inputs(std::vector<stack::Service> services) const {
    doctor::Inputs in;
    in.root = m_root;
    in.cri_endpoint = "unix://" + s_peer->socket;
    in.engine = "cri";
    auto st = std::make_shared<stack::Stack>();
    st->name = "ecdoctor";
    st->services = std::move(services);
    in.stack = st;
    return in;
  }
  static doctor::Report run(doctor::Inputs in, std::vector<std::string> sections,
                            std::vector<std::string> opt_ins = {}) {
    return doctor::run_checks(doctor::catalogue(), std::make_shared<doctor::Facts>(std::move(in)),
                              {std::move(sections), {}, std::move(opt_ins)});
  }

  fs::path m_root;
};

stack::Service service(std::string name, std::string image, std::string runtime = {}) {
  stack::Service s;
  s.name = std::move(name);
  s.image = std::move(image);
  s.runtime = std::move(runtime);
  return s;
}

TEST_F(DoctorCriTest, VersionStatusAndHandlersLoadedVsAFixtureCrioConf) {
  // CRI-O's config on this root names a handler containerd does not have.
  write_file(m_root / "etc/crio/crio.conf.d/10-kata.conf",
             "[crio.runtime.runtimes.kata]\nruntime_path = \"/opt/kata/bin/containerd-shim\"\n");
  auto report = run(inputs({service("gpu", k_busybox_image, "nvidia")}), {"cri"});

  const auto& sock = find(report, "cri.socket");
  EXPECT_EQ(sock.outcome.verdict, doctor::Verdict::pass) << text(sock);
  EXPECT_THAT(text(sock), HasSubstr("srw-rw---- root:root (uid 0, gid 0), mode 0660"));
  const auto& version = find(report, "cri.version");
  EXPECT_EQ(version.outcome.verdict, doctor::Verdict::pass) << text(version);
  EXPECT_THAT(version.outcome.summary, HasSubstr("containerd 1.6"));
  EXPECT_THAT(version.outcome.summary, HasSubstr("(CRI v1"));
  // No CNI config: NetworkReady false with containerd's reason.
  const auto& status = find(report, "cri.status");
  EXPECT_EQ(status.outcome.verdict, doctor::Verdict::warn) << text(status);
  EXPECT_THAT(status.outcome.summary, HasSubstr("NetworkReady false (NetworkPluginNotReady)"));
  EXPECT_THAT(text(status), HasSubstr("RuntimeReady=true"));
  const auto& handlers = find(report, "cri.handlers");
  EXPECT_EQ(handlers.outcome.verdict, doctor::Verdict::warn) << text(handlers);
  EXPECT_THAT(handlers.outcome.summary,
              HasSubstr("kata configured in crio.conf but not loaded: the runtime on the socket "
                        "is containerd"));
  EXPECT_THAT(text(handlers), HasSubstr("loaded by containerd: nvidia, runc (Status verbose info"));
  EXPECT_THAT(text(handlers), HasSubstr("kata: runtime_path = /opt/kata/bin/containerd-shim"));
  const auto& wanted = find(report, "cri.stack-handlers");
  EXPECT_EQ(wanted.outcome.verdict, doctor::Verdict::pass) << text(wanted);
  EXPECT_EQ(wanted.outcome.summary, "nvidia loaded, as the stack asks");
}

TEST_F(DoctorCriTest, AHandlerTheStackWantsThatIsNotLoadedFails) {
  auto report = run(inputs({service("gpu", k_busybox_image, "gpu-x")}), {"cri"});
  const auto& wanted = find(report, "cri.stack-handlers");
  EXPECT_EQ(wanted.outcome.verdict, doctor::Verdict::fail) << text(wanted);
  EXPECT_THAT(wanted.outcome.summary,
              HasSubstr("\"failed to find runtime handler gpu-x from runtime list\""));
  EXPECT_THAT(wanted.outcome.fix, HasSubstr("containerd.runtimes.gpu-x"));
  // Without crio.conf, the loaded handlers alone.
  EXPECT_EQ(find(report, "cri.handlers").outcome.summary, "nvidia, runc loaded");
}

TEST_F(DoctorCriTest, AStoppedRuntimesSocketAndAMissingOne) {
  // A socket file nobody listens on: the runtime is named as not answering.
  const fs::path dead = m_root / "dead.sock";
  {
    auto fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", dead.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  auto in = inputs({});
  in.cri_endpoint = "unix://" + dead.string();
  auto report = run(in, {"cri"});
  const auto& sock = find(report, "cri.socket");
  EXPECT_EQ(sock.outcome.verdict, doctor::Verdict::fail) << text(sock);
  EXPECT_THAT(sock.outcome.summary, HasSubstr("nothing answers the CRI on " + dead.string()));
  EXPECT_EQ(find(report, "cri.version").outcome.verdict, doctor::Verdict::skip);

  in.cri_endpoint = "unix://" + (m_root / "none.sock").string();
  report = run(in, {"cri"});
  EXPECT_EQ(find(report, "cri.socket").outcome.verdict, doctor::Verdict::warn);
  EXPECT_THAT(find(report, "cri.socket").outcome.summary,
              HasSubstr("no CRI runtime found at " + (m_root / "none.sock").string()));
}

// The real binary as nobody against containerd's socket (root:root, 0660), reached through a
// hard link in a folder nobody may enter: stat() works, connect() is refused.
TEST_F(DoctorCriTest, PermissionDeniedSaysWhoOwnsTheSocketAndTheFix) {
  if (which("setpriv").empty()) GTEST_SKIP() << "setpriv is not installed (util-linux)";
  const fs::path dir = m_root / "open";
  fs::create_directories(dir);
  fs::permissions(m_root, fs::perms::owner_all | fs::perms::others_exec);
  fs::permissions(s_peer->dir, fs::perms::owner_all | fs::perms::others_exec);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  const fs::path sock = dir / "crio.sock";
  ASSERT_EQ(::link(s_peer->socket.c_str(), sock.c_str()), 0) << std::strerror(errno);
  SubprocessOptions options;
  options.argv = {
      "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", EDGECREW_BINARY,
      "doctor",  "--only",        "cri",           "--cri-endpoint", "unix://" + sock.string()};
  options.env = {{"HOME", dir.string()}, {"XDG_CONFIG_HOME", dir.string()}};
  options.working_dir = dir;
  auto r = run_process(options, 60s);
  fs::permissions(s_peer->dir, fs::perms::owner_all);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status.code, 1) << r->out << r->err;
  EXPECT_THAT(r->out, HasSubstr("cri.socket"));
  EXPECT_THAT(r->out, HasSubstr("permission denied on " + sock.string()));
  EXPECT_THAT(r->out, HasSubstr("srw-rw---- root:root (uid 0, gid 0), mode 0660"));
  EXPECT_THAT(r->out, HasSubstr("which nobody (uid 65534) lacks"));
  EXPECT_THAT(r->out, HasSubstr("$ sudo edgecrew doctor"));
  EXPECT_THAT(r->out, HasSubstr("$ sudo chmod 0660 " + sock.string()));
}

TEST_F(DoctorCriTest, ImagesPresentAndMissingInTheCriStore) {
  auto report = run(inputs({service("a", k_busybox_image), service("b", k_redis_image),
                            service("c", "localhost/edgecrew-test/absent:1")}),
                    {"images"});
  const auto& cri = find(report, "images.cri");
  EXPECT_EQ(cri.outcome.verdict, doctor::Verdict::warn) << text(cri);
  EXPECT_EQ(cri.outcome.summary,
            "1 of 3 images missing from the CRI store: localhost/edgecrew-test/absent:1 (up "
            "copies them from the other store when it has them, else pulls them; see "
            "images.registries)");
  EXPECT_THAT(cri.outcome.fix, HasSubstr("$ edgecrew images sync"));
  EXPECT_THAT(text(cri), HasSubstr(std::string(k_redis_image) + ": present"));
  const auto& reg = find(report, "images.registries");
  EXPECT_EQ(reg.outcome.verdict, doctor::Verdict::fail) << text(reg);
  EXPECT_THAT(reg.outcome.summary,
              HasSubstr("up cannot pull localhost/edgecrew-test/absent:1: not in any registry"));

  report = run(inputs({service("a", k_busybox_image)}), {"images"});
  EXPECT_EQ(find(report, "images.cri").outcome.verdict, doctor::Verdict::pass);
  EXPECT_EQ(find(report, "images.registries").outcome.verdict, doctor::Verdict::skip);
}

TEST_F(DoctorCriTest, CheckServicesAfterUpWithRealRedis) {
  if (which("redis-server").empty()) GTEST_SKIP() << "redis-server is not installed";
  const std::string password = "doctor-cri-S3cret-pass";
  const std::string stack =
      std::string("name: ecdoctor\nservices:\n  redis:\n    image: ") + k_redis_image +
      "\n    command: [redis-server, --requirepass, \"${REDIS_PASSWORD}\", --port, \"16391\", "
      "--bind, 127.0.0.1]\n    network_mode: host\n    stop_grace_period: 1s\n"
      "    x-edgecrew:\n      probe:\n        redis:\n          url: "
      "redis://:${REDIS_PASSWORD}@127.0.0.1:16391/0\n"
      "  gpu:\n    image: " +
      k_busybox_image +
      "\n    command: [sleep, \"1000\"]\n    network_mode: host\n    stop_grace_period: 1s\n"
      "    devices: [example.com/ectest=zero]\n    x-edgecrew:\n      runtime: nvidia\n";
  cli::Process process;
  process.cwd = m_root / "project";
  process.host_root = m_root / "host";
  fs::create_directories(process.cwd);
  fs::create_directories(process.host_root);
  write_file(process.cwd / "compose.yaml", stack);
  process.environment = s_peer->environment();
  process.environment["HOME"] = (m_root / "home").string();
  process.environment["REDIS_PASSWORD"] = password;
  auto up = edgecrew::testing::run_cli({"--engine", "cri", "up", "--wait"}, process);
  ASSERT_EQ(up.status, 0) << up.out << up.err;

  auto r = edgecrew::testing::run_cli(
      {"--engine", "cri", "doctor", "--check-services", "--only", "services", "-v"}, process);
  EXPECT_EQ(r.status, 1) << r.out << r.err;  // containerd 1.6 injects no CDI device
  EXPECT_THAT(r.out, HasSubstr("services.state"));
  EXPECT_THAT(r.out, HasSubstr("on cri: 2 running"));
  EXPECT_THAT(r.out, HasSubstr("PONG"));
  EXPECT_THAT(r.out, HasSubstr("1 probe ready"));
  EXPECT_THAT(r.out,
              HasSubstr("no device injected into gpu: the handler or the CDI spec is wrong"));
  EXPECT_THAT(r.out, HasSubstr("Redis is not exposed with a weak guard"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(password)));

  // After down, nothing is created: a warning naming every service.
  auto stop = edgecrew::testing::run_cli({"--engine", "cri", "down"}, process);
  EXPECT_EQ(stop.status, 0) << stop.err;
  r = edgecrew::testing::run_cli(
      {"--engine", "cri", "doctor", "--check-services", "--only", "services"}, process);
  EXPECT_THAT(r.out, HasSubstr("not created: gpu, redis"));
}

// --smoke through the CRI with handler nvidia and a test CDI device: the pod runs on the
// handler, and containerd 1.6 (no CDI support) is caught not injecting the device.
TEST_F(DoctorCriTest, SmokeRunsOnTheNvidiaHandlerAndCatchesTheMissingInjection) {
  auto in = inputs({});
  in.root = "/";
  in.environment = s_peer->environment();
  stack::Service gpu = service("vllm", k_busybox_image, "nvidia");
  stack::Device all;
  all.cdi_name = "nvidia.com/gpu=all";
  gpu.devices.push_back(all);
  auto st = std::make_shared<stack::Stack>();
  st->name = "ecdoctor";
  st->services.push_back(gpu);
  in.stack = st;
  auto facts = std::make_shared<doctor::Facts>(in);
  if (facts->gpus().count > 0) GTEST_SKIP() << "this host has GPUs: the smoke runs nvidia-smi";
  auto report = doctor::run_checks(doctor::catalogue(), facts, {{"smoke"}, {}, {"--smoke"}});
  const auto& c = find(report, "smoke.cri");
  EXPECT_EQ(c.outcome.verdict, doctor::Verdict::fail) << text(c);
  EXPECT_EQ(c.outcome.summary,
            "the container ran through cri, but the CDI device was not injected (EDGECREW_SMOKE "
            "unset)");
  EXPECT_THAT(text(c), HasSubstr("runtime handler nvidia"));
  EXPECT_THAT(text(c), HasSubstr("exit 0, output: smoke:"));
  EXPECT_THAT(c.outcome.fix, HasSubstr("enable_cdi = true"));
  auto left = s_peer->engine(s_peer->engine_options())->list("edgecrew-doctor-smoke");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace edgecrew::engine::cri
