// The doctor against real Podman (the private service of podman_peer.h): the version read from
// libpod's _ping answer (no `podman` process), the stack's images present or missing in the
// Podman store, the CUDA version of a GPU image against the driver's, and --check-services after
// `up`: state, and the CDI devices Podman injected, proven with a cdiVersion 0.3.0 test device in
// /var/run/cdi (removed after).

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "../unit/cli_fixture.h"
#include "doctor/check.h"
#include "doctor/facts.h"
#include "doctor/runner.h"
#include "host/process_limits.h"
#include "host/runtime_traps.h"
#include "podman_peer.h"
#include "util/strings.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
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

class DoctorPodmanTest : public PodmanPeerTest {
 protected:
  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    m_root = s_peer->dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_root);
  }
  std::map<std::string, std::string> environment() const {
    return {{"CONTAINER_HOST", "unix://" + s_peer->engine->endpoint().socket}};
  }
  fs::path m_root;
};

TEST_F(DoctorPodmanTest, VersionComesFromTheLibpodApi) {
  doctor::Facts facts(doctor::default_inputs("/", environment()));
  const auto& v = facts.podman_version();
  ASSERT_TRUE(v.has_value());
  auto cli = podman(*s_peer, {"version", "--format", "{{.Server.Version}}"});
  ASSERT_TRUE(cli.ok());
  EXPECT_EQ(*v, trim(cli->out));
  // No service answers and none may be started (a --root fixture): not known.
  auto none =
      doctor::default_inputs("/", {{"CONTAINER_HOST", "unix://" + (m_root / "no.sock").string()}});
  none.start_podman_service = false;
  if (!fs::exists("/run/podman/podman.sock")) {
    EXPECT_FALSE(doctor::Facts(none).podman_version().has_value());
  }
}

// Debian's default: no podman.socket. `up` starts its private service; the doctor starts the
// same for its run and sees what `up` made. On a host whose hard nofile limit is below Podman's
// default (the test machines), the first `up` fails and both name the trap.
TEST_F(DoctorPodmanTest, WithoutAPodmanSocketUpAndDoctorReachTheSameService) {
  if (ping(std::string(k_root_socket))) {
    GTEST_SKIP() << "a Podman service answers on " << k_root_socket
                 << ": this test needs a host without one";
  }
  auto private_services = [] {
    std::set<std::string> out;
    for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
      if (entry.path().filename().string().starts_with("edgecrew-podman-") &&
          fs::exists(entry.path() / "podman.sock")) {
        out.insert(entry.path().string());
      }
    }
    return out;
  };
  const auto before = private_services();
  cli::Process process;
  process.cwd = m_root / "project";
  process.host_root = "/";
  write(
      process.cwd / "compose.yaml",
      std::string("name: ecnosocket\nservices:\n  a:\n    image: ") + k_image +
          "\n    command: [sleep, \"1000\"]\n    network_mode: host\n    stop_grace_period: 1s\n"
          "  b:\n    image: " +
          k_image +
          "\n    command: [sleep, \"1000\"]\n    network_mode: host\n    stop_grace_period: 1s\n");
  const fs::path conf = m_root / "containers.conf";
  process.environment = {{"CONTAINERS_CONF", conf.string()},
                         {"CONTAINERS_STORAGE_CONF", s_peer->env.containers_storage_conf},
                         {"HOME", (m_root / "home").string()},
                         {"XDG_CONFIG_HOME", (m_root / "config").string()}};
  auto json_of = [](const std::string& out) { return nlohmann::json::parse(out, nullptr, false); };
  auto check = [&](const nlohmann::json& report, const std::string& id) {
    for (const auto& c : report["checks"]) {
      if (c["id"] == id) return c;
    }
    ADD_FAILURE() << "no " << id;
    return nlohmann::json::object();
  };

  // Podman's own defaults: nofile 1048576 for root.
  write(conf, "[containers]\nlog_driver = \"k8s-file\"\n[engine]\nruntime = \"runc\"\n");
  auto limits = host::read_process_limits("/", "self");
  ASSERT_TRUE(limits.ok());
  if (!limits->cap_sys_resource.value_or(true) &&
      limits->nofile.hard < host::k_podman_rlimit_default) {
    auto up = edgecrew::testing::run_cli({"up"}, process);
    EXPECT_EQ(up.status, 1) << up.out << up.err;
    EXPECT_THAT(up.err, HasSubstr("error setting rlimit type 7: operation not permitted"));
    EXPECT_THAT(up.err, HasSubstr("(edgecrew doctor --only runtime: runtime.ulimits)"));
    auto doc = edgecrew::testing::run_cli({"doctor", "--only", "runtime", "--json"}, process);
    auto ulimits = check(json_of(doc.out), "runtime.ulimits");
    EXPECT_EQ(ulimits["status"], "fail") << doc.out;
    EXPECT_THAT(ulimits["fix"].get<std::string>(),
                HasSubstr(fmt::format("nofile={}:{}", limits->nofile.hard, limits->nofile.hard)));
    EXPECT_EQ(edgecrew::testing::run_cli({"down"}, process).status, 0);
  }

  write(conf,
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
        "log_driver = \"k8s-file\"\n[engine]\nruntime = \"runc\"\n");
  auto up = edgecrew::testing::run_cli({"up", "--wait", "-v"}, process);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("started `podman system service`"));
  auto ps = json_of(edgecrew::testing::run_cli({"ps", "--json"}, process).out);
  ASSERT_TRUE(ps.is_array());
  auto doc = edgecrew::testing::run_cli(
      {"doctor", "--check-services", "--only", "services", "--only", "runtime", "--json"}, process);
  auto report = json_of(doc.out);
  ASSERT_FALSE(report.is_discarded()) << doc.out << doc.err;
  auto state = check(report, "services.state");
  EXPECT_EQ(state["status"], "pass") << doc.out;
  EXPECT_EQ(state["summary"], "on podman: 2 running");
  const auto evidence = state["evidence"].dump();
  EXPECT_THAT(evidence, HasSubstr("started `podman system service`"));
  EXPECT_THAT(evidence,
              HasSubstr("for this run: nothing answers on /run/podman/podman.sock (root)"));
  // Service by service, the doctor and ps name the same container in the same state.
  ASSERT_EQ(ps.size(), 2U);
  for (const auto& c : ps) {
    EXPECT_EQ(c["state"], "running");
    EXPECT_THAT(evidence, HasSubstr(c["service"].get<std::string>() + ": running " +
                                    c["id"].get<std::string>().substr(0, 12)));
  }
  EXPECT_EQ(check(report, "runtime.ulimits")["status"], "pass") << doc.out;
  EXPECT_EQ(edgecrew::testing::run_cli({"down"}, process).status, 0);
  // Neither left a service running: the private sockets' folders are gone.
  EXPECT_EQ(private_services(), before);
}

TEST_F(DoctorPodmanTest, ImagesPresentAndMissingInThePodmanStore) {
  doctor::Inputs in;
  in.root = m_root;
  in.environment = environment();
  auto st = std::make_shared<stack::Stack>();
  st->name = "ecdoctor";
  for (auto [name, image] : {std::pair{"a", k_image}, {"b", "localhost/edgecrew-test/absent:2"}}) {
    stack::Service s;
    s.name = name;
    s.image = image;
    st->services.push_back(s);
  }
  in.stack = st;
  auto report = doctor::run_checks(doctor::catalogue(), std::make_shared<doctor::Facts>(in),
                                   {{"images"}, {}, {}});
  const auto& p = find(report, "images.podman");
  EXPECT_EQ(p.outcome.verdict, doctor::Verdict::warn) << text(p);
  EXPECT_THAT(p.outcome.summary, HasSubstr("1 of 2 images missing from the Podman store: "
                                           "localhost/edgecrew-test/absent:2"));
  EXPECT_THAT(text(p), HasSubstr(std::string(k_image) + ": present"));
  EXPECT_EQ(find(report, "images.cri").outcome.verdict, doctor::Verdict::skip);
  EXPECT_EQ(find(report, "images.registries").outcome.verdict, doctor::Verdict::fail);
}

TEST_F(DoctorPodmanTest, CheckServicesShowsTheCdiDevicesPodmanInjected) {
  // A cdiVersion 0.3.0 test device (what Podman 4.3's CDI library resolves) in /var/run/cdi.
  const std::string kind = "edgecrew-doctor-test.example.com/dev";
  const fs::path spec = fs::path("/var/run/cdi") /
                        fmt::format("edgecrew-doctor-test-{}.yaml", static_cast<int>(::getpid()));
  write(spec, "cdiVersion: \"0.3.0\"\nkind: \"" + kind +
                  "\"\ndevices:\n- name: zero\n  containerEdits:\n    deviceNodes:\n"
                  "    - path: /dev/zero\n    env: [\"ECTEST=1\"]\n");
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } remove{spec};
  cli::Process process;
  process.cwd = m_root / "project";
  process.host_root = m_root / "host";
  fs::create_directories(process.cwd);
  fs::create_directories(process.host_root);
  write(process.cwd / "compose.yaml",
        std::string("name: ecdoctorpm\nservices:\n  dev:\n    image: ") + k_image +
            "\n    command: [sleep, \"1000\"]\n    network_mode: host\n"
            "    stop_grace_period: 1s\n    devices: [" +
            kind + "=zero]\n  plain:\n    image: " + k_image +
            "\n    command: [sleep, \"1000\"]\n    network_mode: host\n"
            "    stop_grace_period: 1s\n");
  process.environment = environment();
  process.environment["HOME"] = (m_root / "home").string();
  auto up = edgecrew::testing::run_cli({"up", "--wait"}, process);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto r = edgecrew::testing::run_cli(
      {"doctor", "--check-services", "--only", "services", "--only", "images", "-v"}, process);
  EXPECT_THAT(r.out, HasSubstr("on podman: 2 running"));
  EXPECT_THAT(r.out, HasSubstr("dev (asks for " + kind + "=zero): /dev/zero"));
  EXPECT_THAT(r.out, HasSubstr("devices injected into dev"));
  EXPECT_THAT(r.out, HasSubstr("the image the stack needs is in the Podman store"));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(edgecrew::testing::run_cli({"down"}, process).status, 0);
}

// --smoke without a GPU: a test CDI device written to /var/run/cdi for the run, asked for by a
// short container in the stack's GPU service's image; its variable proves the injection.
TEST_F(DoctorPodmanTest, SmokeProvesCdiInjectionWithATestDevice) {
  doctor::Inputs in;
  in.root = "/";
  in.environment = environment();
  auto st = std::make_shared<stack::Stack>();
  st->name = "ecdoctorsmoke";
  stack::Service gpu;
  gpu.name = "vllm";
  gpu.image = k_image;
  gpu.runtime = "nvidia";
  stack::Device all;
  all.cdi_name = "nvidia.com/gpu=all";
  gpu.devices.push_back(all);
  st->services.push_back(gpu);
  in.stack = st;
  auto facts = std::make_shared<doctor::Facts>(in);
  if (facts->gpus().count > 0) GTEST_SKIP() << "this host has GPUs: the smoke runs nvidia-smi";
  auto report = doctor::run_checks(doctor::catalogue(), facts, {{"smoke"}, {}, {"--smoke"}});
  const auto& p = find(report, "smoke.podman");
  EXPECT_EQ(p.outcome.verdict, doctor::Verdict::pass) << text(p);
  EXPECT_EQ(p.outcome.summary, "CDI injection works through podman (test device, no GPU here)");
  EXPECT_THAT(text(p), HasSubstr("exit 0, output: smoke:1"));
  EXPECT_THAT(text(p), HasSubstr("devices edgecrew.smoke/podman=probe"));
  // The test spec and the container are gone.
  for (const auto& entry : fs::directory_iterator("/var/run/cdi")) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("edgecrew-smoke-")) << entry.path();
  }
  auto left = s_peer->engine->list("edgecrew-doctor-smoke");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  // Without the flag, nothing runs.
  report = doctor::run_checks(doctor::catalogue(), std::make_shared<doctor::Facts>(in),
                              {{"smoke"}, {}, {}});
  EXPECT_THAT(find(report, "smoke.podman").outcome.summary, HasSubstr("--smoke"));
}

// Error 803: the CUDA version an image was built for (CUDA_VERSION in its Config.Env, read through
// libpod's image inspect) against the driver's (a fixture NVML with CUDA 12.4). The images are the
// peer's busybox root file system imported with the variable set, as CUDA base images set it.
TEST_F(DoctorPodmanTest, CudaImageNewerThanTheDriverIsError803) {
  for (auto [tag, version] : {std::pair{"13", "13.0.0"}, {"12", "12.4.1"}}) {
    auto imported =
        podman(*s_peer, {"import", "-q", "--change", std::string("ENV CUDA_VERSION=") + version,
                         (s_peer->dir / "rootfs.tar").string(),
                         std::string("localhost/edgecrew-test/cuda:") + tag});
    ASSERT_TRUE(imported && imported->status.success()) << (imported ? imported->err : "");
  }
  auto check = [&](const std::string& image) {
    doctor::Inputs in;
    in.root = m_root;
    in.environment = environment();
    in.nvml = [] {
      host::NvmlReport r{"libnvidia-ml.so.1", "550.54.14", "12.4", {}};
      r.gpus.push_back({"NVIDIA H200", "GPU-fixture-0", std::uint64_t{143771} << 20});
      return Result<host::NvmlReport>(r);
    };
    auto st = std::make_shared<stack::Stack>();
    st->name = "ecdoctor";
    stack::Service s;
    s.name = "vllm";
    s.image = image;
    stack::Device gpu;
    gpu.cdi_name = "nvidia.com/gpu=all";
    s.devices.push_back(gpu);
    st->services.push_back(s);
    in.stack = st;
    auto report = doctor::run_checks(doctor::catalogue(), std::make_shared<doctor::Facts>(in),
                                     {{"gpu"}, {}, {}});
    return find(report, "gpu.cuda-image");
  };
  auto newer = check("localhost/edgecrew-test/cuda:13");
  EXPECT_EQ(newer.outcome.verdict, doctor::Verdict::fail) << text(newer);
  EXPECT_THAT(newer.outcome.summary, HasSubstr("needs CUDA 13.0.0 but the driver supports up to "
                                               "12.4: \"Error 803"));
  EXPECT_THAT(text(newer),
              HasSubstr("localhost/edgecrew-test/cuda:13 (vllm): CUDA_VERSION=13.0.0"));

  auto same = check("localhost/edgecrew-test/cuda:12");
  EXPECT_EQ(same.outcome.verdict, doctor::Verdict::pass) << text(same);

  auto absent = check("localhost/edgecrew-test/absent:2");
  EXPECT_EQ(absent.outcome.verdict, doctor::Verdict::skip) << text(absent);
  EXPECT_THAT(text(absent), HasSubstr("not in the Podman store"));
}

}  // namespace
}  // namespace edgecrew::engine::podman
