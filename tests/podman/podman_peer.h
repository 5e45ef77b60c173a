#pragma once
// Real Podman for the tests: a private storage root (vfs) and runtime (runc) in a temp dir, a
// busybox image imported from busybox-static, and `podman system service` on a private socket,
// started through the engine's own discovery. Shared by the engine's and the CLI's tests.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/podman/podman_engine.h"
#include "util/subprocess.h"

namespace edgecrew::engine::podman::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline constexpr const char* k_image = "localhost/edgecrew-test/busybox:1";
inline constexpr auto k_setup_timeout = 120s;

struct Peer {
  fs::path dir;
  PodmanEnvironment env;
  std::unique_ptr<PodmanEngine> engine;
  std::string setup_error;
};

inline void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

inline std::string which(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    if (fs::exists(fs::path(d) / program)) return (fs::path(d) / program).string();
  }
  return {};
}

inline Result<Completed> podman(const Peer& peer, std::vector<std::string> args) {
  SubprocessOptions options;
  options.argv = {"podman"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = {{"CONTAINERS_CONF", peer.env.containers_conf},
                 {"CONTAINERS_STORAGE_CONF", peer.env.containers_storage_conf}};
  return run_process(options, k_setup_timeout);
}

// Returns "" or why Podman cannot run here.
inline std::string set_up(Peer& peer) {
  if (which("podman").empty()) return "podman is not installed: run scripts/setup.sh --test";
  const std::string busybox = which("busybox");
  if (busybox.empty())
    return "busybox is not installed: run scripts/setup.sh --test (busybox-static)";
  std::string pattern = (fs::temp_directory_path() / "edgecrew-podman-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "cannot create a temp dir";
  peer.dir = pattern;
  // runc and ulimits under the hard limit: what Podman 4.3 needs on these machines.
  write(peer.dir / "containers.conf",
        "[containers]\n"
        "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
        "log_driver = \"k8s-file\"\n"
        "[engine]\n"
        "runtime = \"runc\"\n");
  // rootless_storage_path: a non-root Podman ignores graphroot (tests/podman/rootless.sh).
  const std::string store = (peer.dir / "storage").string();
  write(peer.dir / "storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + store +
                                       "\"\nrootless_storage_path = \"" + store +
                                       "\"\nrunroot = \"" + (peer.dir / "run").string() + "\"\n");
  peer.env.containers_conf = (peer.dir / "containers.conf").string();
  peer.env.containers_storage_conf = (peer.dir / "storage.conf").string();

  const fs::path rootfs = peer.dir / "rootfs";
  fs::create_directories(rootfs / "bin");
  fs::create_directories(rootfs / "tmp");
  fs::copy_file(busybox, rootfs / "bin" / "busybox");
  for (const char* applet : {"sh", "sleep", "echo", "cat", "true", "ls", "touch"}) {
    fs::create_symlink("busybox", rootfs / "bin" / applet);
  }
  auto tar = run_process(
      {.argv = {"tar", "-C", rootfs.string(), "-cf", (peer.dir / "rootfs.tar").string(), "."}},
      k_setup_timeout);
  if (!tar || !tar->status.success()) return "tar failed";
  auto imported = podman(peer, {"import", "-q", "--change", "ENV PATH=/bin",
                                (peer.dir / "rootfs.tar").string(), k_image});
  if (!imported) return "podman import: " + imported.error().message;
  if (!imported->status.success()) return "podman import: " + imported->err;

  DiscoveryOptions options;
  options.root_socket = (peer.dir / "no-root.sock").string();
  options.temp_root = peer.dir;
  auto endpoint = discover(peer.env, options);
  if (!endpoint) return "starting podman system service: " + endpoint.error().message;
  PodmanTimeouts timeouts;
  timeouts.pull = 20s;  // no registry is reachable here: fail fast
  peer.engine = std::make_unique<PodmanEngine>(std::move(*endpoint), timeouts);
  return {};
}

// Removes what the tests left (containers, volumes, `networks`) and the temp dir, or, when a test
// failed, leaves the temp dir and says where.
inline void tear_down(Peer& peer, const std::vector<std::string>& networks) {
  if (peer.dir.empty()) return;
  (void)podman(peer, {"rm", "-af", "-t", "0"});
  peer.engine.reset();  // stops the service
  // Podman keeps a conmon per finished exec session for 5 minutes (--exit-delay 300): end
  // those of this run now, so the test leaves no process behind. SIGKILL, because a conmon that
  // exits in its own time runs `podman container cleanup`, which would make the storage root anew
  // after the directory is gone.
  (void)run_process({.argv = {"pkill", "-KILL", "-f", "conmon .*" + peer.dir.string()}},
                    k_setup_timeout);
  if (::testing::UnitTest::GetInstance()->Failed()) {
    std::cerr << "test data has been left in " << peer.dir.string() << "\n";
    return;
  }
  (void)podman(peer, {"volume", "rm", "-af"});
  for (const auto& network : networks) (void)podman(peer, {"network", "rm", "-f", network});
  // A rootless store holds files of the user's subordinate ids, which only the user namespace
  // may remove.
  if (::geteuid() != 0)
    (void)podman(peer, {"unshare", "rm", "-rf", (peer.dir / "storage").string()});
  std::error_code ec;
  fs::remove_all(peer.dir, ec);
}

// What a verb run in-process needs to talk to this peer: its socket and configuration, with HOME
// and XDG_CONFIG_HOME under `dir`, so that no file of the user's is read or written.
inline std::map<std::string, std::string> cli_environment(const Peer& peer, const fs::path& dir) {
  return {{"CONTAINER_HOST", "unix://" + peer.engine->endpoint().socket},
          {"CONTAINERS_CONF", peer.env.containers_conf},
          {"CONTAINERS_STORAGE_CONF", peer.env.containers_storage_conf},
          {"HOME", (dir / "home").string()},
          {"XDG_CONFIG_HOME", (dir / "config").string()}};
}

// The fixture shape every Podman test file shares: one private Podman per test suite, started
// before its first test and removed after its last. A fixture that needs more (an image, networks
// to remove) extends SetUpTestSuite and sets s_networks; its SetUp calls PodmanPeerTest::SetUp()
// first.
class PodmanPeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_peer = new Peer;
    s_peer->setup_error = set_up(*s_peer);
  }
  static void TearDownTestSuite() {
    if (s_peer == nullptr) return;
    tear_down(*s_peer, s_networks);
    delete s_peer;
    s_peer = nullptr;
    s_networks.clear();
  }
  void SetUp() override { ASSERT_TRUE(s_peer->setup_error.empty()) << s_peer->setup_error; }

  inline static Peer* s_peer = nullptr;
  inline static std::vector<std::string> s_networks;  // removed at the end of the suite
};

// Runs edgecrew (the real binary) with `args` on a terminal: a detached tmux session of its own
// server (-L, never the user's), `width` columns wide, in `cwd` with `environment`. Returns the
// screen once the command has ended (it prints EXIT=status), or after 30 s, and stops the server.
// "" and a failed assertion when tmux cannot start.
inline std::string terminal_screen(const std::string& binary, const std::string& args,
                                   const fs::path& cwd,
                                   const std::map<std::string, std::string>& environment,
                                   int width) {
  const std::string server = "edgecrew-test-" + std::to_string(::getpid());
  auto tmux = [&](std::vector<std::string> tmux_args) {
    SubprocessOptions options;
    options.argv = {"tmux", "-L", server};
    options.argv.insert(options.argv.end(), tmux_args.begin(), tmux_args.end());
    return run_process(options, std::chrono::seconds(10));
  };
  std::string command = "cd '" + cwd.string() + "' && env";
  for (const auto& [name, value] : environment) command += " '" + name + "=" + value + "'";
  command += " " + binary + " " + args + "; echo EXIT=$?; sleep 60";
  auto started = tmux({"new-session", "-d", "-x", std::to_string(width), "-y", "20", command});
  EXPECT_TRUE(started && started->status.success()) << (started ? started->err : "");
  if (!started || !started->status.success()) return {};
  std::string screen;
  for (int i = 0; i < 300 && screen.find("EXIT=") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto captured = tmux({"capture-pane", "-p"});
    if (captured) screen = captured->out;
  }
  (void)tmux({"kill-server"});
  return screen;
}

}  // namespace edgecrew::engine::podman::test
