// The private `podman system service` edgecrew starts when no socket answers, with the real
// binary: it must not outlive edgecrew (SIGKILL, SIGTERM) nor leave its folder behind, and a
// stale CONTAINER_HOST must not reach it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/app.h"
#include "podman_peer.h"
#include "util/clock.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
using ::testing::HasSubstr;

// A service that never becomes healthy: `up --wait` keeps edgecrew running until it is killed.
std::string compose(const std::string& project) {
  return "name: " + project +
         "\n"
         "services:\n"
         "  a:\n"
         "    image: " +
         std::string(k_image) +
         "\n"
         "    network_mode: host\n"
         "    command: [\"sleep\", \"1000\"]\n"
         "    stop_grace_period: 1s\n"
         "    healthcheck:\n"
         "      test: [\"CMD\", \"false\"]\n"
         "      interval: 1s\n"
         "      retries: 1000\n";
}

// The folders of started services under `root`.
std::vector<fs::path> service_dirs(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.path().filename().string().rfind(k_service_dir_prefix, 0) == 0) out.push_back(e.path());
  }
  return out;
}

// The pid of the `podman system service` listening on `socket`, or 0.
pid_t service_pid(const std::string& socket) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find("system") != std::string::npos &&
        cmdline.find("unix://" + socket) != std::string::npos) {
      try {
        return static_cast<pid_t>(std::stoi(e.path().filename().string()));
      } catch (...) {
      }
    }
  }
  return 0;
}

// Running: it exists and is not a zombie waiting to be reaped.
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  Deadline deadline(limit);
  while (alive(pid)) {
    if (deadline.expired()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

class PrivateServiceTest : public PodmanPeerTest {
 protected:
  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    if (ping(std::string(k_root_socket))) {
      GTEST_SKIP() << k_root_socket << " answers: edgecrew would use it and start no service";
    }
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    m_project = "ecpriv" + std::to_string(::getpid() % 100000) + name.substr(0, 4);
    for (auto& c : m_project) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    m_cwd = s_peer->dir / name;
    // Short: a unix socket's path has room for 107 bytes.
    std::string tmp = (fs::temp_directory_path() / "ecpriv-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmp.data()), nullptr);
    m_tmp = tmp;
    fs::create_directories(m_cwd);
    write(m_cwd / "compose.yaml", compose(m_project));
  }

  void TearDown() override {
    if (m_project.empty()) return;
    (void)podman(*s_peer, {"rm", "-f", "-t", "0", m_project + "-a-1"});
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(m_tmp, ec);
  }

  // edgecrew with no socket answering: no CONTAINER_HOST (unless given), no XDG_RUNTIME_DIR,
  // temp files under m_tmp.
  SubprocessOptions edgecrew(std::vector<std::string> args,
                             const std::string& container_host = {}) {
    SubprocessOptions options;
    options.argv = {EDGECREW_BINARY};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.working_dir = m_cwd;
    options.env = {{"CONTAINERS_CONF", s_peer->env.containers_conf},
                   {"CONTAINERS_STORAGE_CONF", s_peer->env.containers_storage_conf},
                   {"HOME", (m_cwd / "home").string()},
                   {"XDG_CONFIG_HOME", (m_cwd / "config").string()},
                   {"TMPDIR", m_tmp.string()}};
    options.env_remove = {"CONTAINER_CONNECTION", "XDG_RUNTIME_DIR"};
    if (container_host.empty()) {
      options.env_remove.push_back("CONTAINER_HOST");
    } else {
      options.env["CONTAINER_HOST"] = container_host;
    }
    return options;
  }

  // Starts `up --wait`, and returns once its private service answers and a container exists.
  std::optional<Subprocess> start_up(pid_t& service) {
    auto up = Subprocess::spawn(edgecrew({"up", "--wait"}));
    EXPECT_TRUE(up) << (up ? "" : up.error().message);
    if (!up) return std::nullopt;
    Deadline deadline(std::chrono::seconds(30));
    while (!deadline.expired()) {
      auto dirs = service_dirs(m_tmp);
      if (!dirs.empty() && fs::exists(dirs.front() / "podman.sock")) {
        service = service_pid((dirs.front() / "podman.sock").string());
        auto listed = podman(*s_peer, {"ps", "-aq", "--filter", "name=" + m_project + "-a"});
        if (service != 0 && listed && !listed->out.empty()) return std::move(*up);
      }
      if (up->poll()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "edgecrew did not start its service and a container in time; stderr: "
                  << up->stderr_text();
    return std::nullopt;
  }

  std::string m_project;
  fs::path m_cwd;
  fs::path m_tmp;
};

TEST_F(PrivateServiceTest, SigkillOfEdgecrewEndsItsServiceAndTheNextRunRemovesTheFolder) {
  pid_t service = 0;
  auto up = start_up(service);
  ASSERT_TRUE(up);
  ASSERT_EQ(service_dirs(m_tmp).size(), 1u);
  ::kill(up->pid(), SIGKILL);
  ASSERT_TRUE(up->wait(std::chrono::seconds(5)));
  EXPECT_TRUE(gone_within(service, std::chrono::seconds(3)))
      << "podman system service (pid " << service << ") outlived edgecrew";
  // Nothing could remove the folder of a killed edgecrew: the next run does.
  auto ps = run_process(edgecrew({"ps"}), std::chrono::seconds(60));
  ASSERT_TRUE(ps) << ps.error().message;
  EXPECT_TRUE(ps->status.success()) << ps->err;
  EXPECT_TRUE(service_dirs(m_tmp).empty()) << service_dirs(m_tmp).front();
}

TEST_F(PrivateServiceTest, SigtermStopsTheServiceAndRemovesTheFolder) {
  pid_t service = 0;
  auto up = start_up(service);
  ASSERT_TRUE(up);
  ::kill(up->pid(), SIGTERM);
  auto ended = up->wait(std::chrono::seconds(10));
  ASSERT_TRUE(ended) << "edgecrew did not end after SIGTERM";
  EXPECT_EQ(ended->code, 128 + SIGTERM) << ended->describe() << "\n" << up->stderr_text();
  EXPECT_FALSE(alive(service)) << "podman system service (pid " << service << ") still runs";
  EXPECT_TRUE(service_dirs(m_tmp).empty());
  EXPECT_THAT(up->stderr_text(), HasSubstr("stopped 1 service(s) edgecrew owned"));
}

TEST_F(PrivateServiceTest, StaleContainerHostIsNamedAndTheServiceStartsWithoutIt) {
  const std::string dead = (m_cwd / "dead.sock").string();
  auto ps = run_process(edgecrew({"ps"}, "unix://" + dead), std::chrono::seconds(60));
  ASSERT_TRUE(ps) << ps.error().message;
  EXPECT_TRUE(ps->status.success()) << ps->err;
  EXPECT_THAT(ps->err, HasSubstr("CONTAINER_HOST=unix://" + dead + " is stale"));
  EXPECT_THAT(ps->err, HasSubstr("unset CONTAINER_HOST, or point it at a live Podman socket"));
  EXPECT_TRUE(service_dirs(m_tmp).empty());

  auto doctor = run_process(
      edgecrew({"doctor", "--check-services", "--only", "services", "--json"}, "unix://" + dead),
      std::chrono::seconds(120));
  ASSERT_TRUE(doctor) << doctor.error().message;
  auto report = nlohmann::json::parse(doctor->out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << doctor->out << doctor->err;
  nlohmann::json state;
  for (const auto& c : report["checks"]) {
    if (c["id"] == "services.state") state = c;
  }
  EXPECT_EQ(state["status"], "warn") << doctor->out;
  EXPECT_THAT(state["summary"].get<std::string>(), HasSubstr("CONTAINER_HOST is stale"));
  EXPECT_THAT(state["evidence"].dump(), HasSubstr("CONTAINER_HOST=unix://" + dead + " is stale"));
  EXPECT_THAT(state["fix"].get<std::string>(), HasSubstr("unset CONTAINER_HOST"));
  EXPECT_TRUE(service_dirs(m_tmp).empty());
}

}  // namespace
}  // namespace edgecrew::engine::podman
