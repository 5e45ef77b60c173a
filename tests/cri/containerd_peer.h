#pragma once
// A private containerd 1.6 with its CRI plugin for the tests: its own root, state, socket, runc
// root and cgroup parent under a temp dir; the handlers runc and nvidia (both plain runc here);
// host-network pods only (no CNI). The images are built without a registry as OCI image layouts
// (busybox from busybox-static; Redis from Debian's redis-server and the libraries ldd lists)
// and imported with `ctr images import`. tear_down removes every pod, stops containerd by its
// PID, unmounts what is left under the temp dir and removes the cgroups: nothing stays behind.

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../unit/rootfs_support.h"
#include "engine/cri/cri_client.h"
#include "engine/cri/cri_engine.h"
#include "util/sha256.h"
#include "util/subprocess.h"

namespace edgecrew::engine::cri::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

inline constexpr const char* k_pause_image = "localhost/edgecrew-test/pause:1";
inline constexpr const char* k_busybox_image = "localhost/edgecrew-test/busybox:1";
inline constexpr const char* k_redis_image = "localhost/edgecrew-test/redis:7";
inline constexpr auto k_setup_timeout = 120s;
inline constexpr const char* k_cgroup_controllers[] = {
    "cpu",     "cpuacct", "cpuset",   "memory",     "devices", "freezer", "blkio", "pids",
    "systemd", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma",    "misc",  "unified"};

struct Peer {
  fs::path dir;
  std::string socket;
  std::string cgroup_parent;  // "/edgecrew-cri-test-XXXXXX"
  std::optional<Subprocess> containerd;
  // The config digest ("sha256:...") of each image set_up imported, by name: the image id the
  // CRI must report for it.
  std::map<std::string, std::string> image_ids;

  // What the CLI needs to use this peer and its folders.
  std::map<std::string, std::string> environment() const {
    return {{"CONTAINER_RUNTIME_ENDPOINT", "unix://" + socket},
            {"EDGECREW_CRI_DATA_ROOT", (dir / "data").string()},
            {"EDGECREW_CRI_LOG_ROOT", (dir / "logs").string()},
            {"EDGECREW_CRI_CGROUP_PARENT", cgroup_parent}};
  }
  CriEngineOptions engine_options() const {
    CriEngineOptions options;
    options.mapping = mapping_options_from(environment());
    options.deadlines.pull = 10s;  // no registry is reachable here: fail fast
    return options;
  }
  std::unique_ptr<CriEngine> engine(CriEngineOptions options) const {
    return std::make_unique<CriEngine>(CriEndpoint{socket, "test"}, std::move(options));
  }
};

inline void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string which(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    if (fs::exists(fs::path(d) / program)) return (fs::path(d) / program).string();
  }
  for (const char* d : {"/usr/sbin", "/sbin"}) {
    if (fs::exists(fs::path(d) / program)) return (fs::path(d) / program).string();
  }
  return {};
}

// "" or why the command failed.
inline std::string run_ok(const std::vector<std::string>& argv) {
  auto r = run_process({.argv = argv}, k_setup_timeout);
  if (!r) return argv[0] + ": " + r.error().message;
  if (!r->status.success()) return argv[0] + " " + argv[1] + ": " + r->err + r->out;
  return {};
}

inline void add_busybox(const fs::path& rootfs) {
  for (const char* d : {"bin", "tmp", "data", "etc"}) fs::create_directories(rootfs / d);
  fs::permissions(rootfs / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(which("busybox"), rootfs / "bin/busybox", fs::copy_options::overwrite_existing);
  for (const char* applet : {"sh", "sleep", "echo", "cat", "true", "false", "ls", "touch", "env",
                             "printf", "seq", "test", "yes", "head"}) {
    fs::create_symlink("busybox", rootfs / "bin" / applet);
  }
}

struct Blob {
  std::string digest;  // "sha256:..."
  std::size_t size = 0;
};

inline Blob add_blob(const fs::path& layout, const std::string& bytes) {
  const std::string hex = sha256_hex(bytes);
  write_file(layout / "blobs/sha256" / hex, bytes);
  return {"sha256:" + hex, bytes.size()};
}

// Imports an image archive (an OCI image layout or a docker-archive tarball) into the namespace
// the CRI plugin reads. ctr names the image from the archive: a full reference in the index's
// annotation or the archive's RepoTags; an archive without one is imported with no name at all.
// "" or why not.
inline std::string ctr_import(const Peer& peer, const fs::path& tarball) {
  return run_ok(
      {"ctr", "--address", peer.socket, "-n", "k8s.io", "images", "import", tarball.string()});
}

// An OCI image layout tarball of `rootfs` with `config` (the image config's "config" object),
// named `name` for containerd, imported into the k8s.io namespace. "" or why not.
inline std::string import_image(Peer& peer, const fs::path& rootfs, const std::string& name,
                                const json& config) {
  const std::string slug = std::to_string(std::hash<std::string>{}(name));
  const fs::path work = peer.dir / "images" / slug;
  const fs::path layout = work / "layout";
  fs::create_directories(layout);
  const fs::path layer_tar = work / "layer.tar";
  if (auto why = run_ok({"tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.string(),
                         "-cf", layer_tar.string(), "."});
      !why.empty()) {
    return why;
  }
  const Blob layer = add_blob(layout, read_file(layer_tar));
  const json image_config = {{"architecture", "amd64"},
                             {"os", "linux"},
                             {"config", config},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.digest}}}}};
  const Blob config_blob = add_blob(layout, image_config.dump());
  const json manifest = {{"schemaVersion", 2},
                         {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"config",
                          {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                           {"digest", config_blob.digest},
                           {"size", config_blob.size}}},
                         {"layers",
                          {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                            {"digest", layer.digest},
                            {"size", layer.size}}}}};
  const Blob manifest_blob = add_blob(layout, manifest.dump());
  const json index = {{"schemaVersion", 2},
                      {"manifests",
                       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                         {"digest", manifest_blob.digest},
                         {"size", manifest_blob.size},
                         {"annotations", {{"io.containerd.image.name", name}}}}}}};
  write_file(layout / "index.json", index.dump());
  write_file(layout / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  const fs::path tarball = work / "image.tar";
  if (auto why = run_ok({"tar", "-C", layout.string(), "-cf", tarball.string(), "."});
      !why.empty()) {
    return why;
  }
  if (auto why = ctr_import(peer, tarball); !why.empty()) return why;
  peer.image_ids[name] = config_blob.digest;
  return {};
}

inline std::string containerd_config(const Peer& peer) {
  const std::string d = peer.dir.string();
  std::string runtimes;
  for (const char* handler : {"runc", "nvidia"}) {
    const std::string key =
        std::string("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.") + handler;
    // The CDI annotation reaches the OCI spec only when the handler lets it through, as a node
    // that injects CDI devices by annotation is configured.
    runtimes += key +
                "]\n  runtime_type = \"io.containerd.runc.v2\"\n"
                "  container_annotations = [\"cdi.k8s.io/*\"]\n" +
                key + ".options]\n  BinaryName = \"" + which("runc") + "\"\n  Root = \"" + d +
                "/runc\"\n  SystemdCgroup = false\n";
  }
  return "version = 2\n"
         "root = \"" +
         d + "/root\"\nstate = \"" + d +
         "/state\"\n"
         "[grpc]\n  address = \"" +
         peer.socket + "\"\n[ttrpc]\n  address = \"" + peer.socket +
         ".ttrpc\"\n"
         "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
         "  sandbox_image = \"" +
         k_pause_image +
         "\"\n"
         "  restrict_oom_score_adj = true\n"
         "  disable_apparmor = true\n"
         "  enable_selinux = false\n"
         "  disable_tcp_service = true\n"
         "  netns_mounts_under_state_dir = true\n"
         "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
         "  snapshotter = \"overlayfs\"\n"
         "  default_runtime_name = \"runc\"\n" +
         runtimes +
         "[plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
         "  conf_dir = \"" +
         d + "/cni/conf\"\n  bin_dir = \"" + d + "/cni/bin\"\n";
}

// Returns "" or why containerd's CRI cannot run here.
inline std::string set_up(Peer& peer, bool with_redis) {
  for (const char* program : {"containerd", "ctr", "runc", "busybox", "tar", "ldd"}) {
    if (which(program).empty()) {
      return std::string(program) + " is not installed: run scripts/setup.sh --test";
    }
  }
  std::string pattern = (fs::temp_directory_path() / "edgecrew-cri-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "cannot create a temp dir";
  peer.dir = pattern;
  peer.socket = (peer.dir / "containerd.sock").string();
  peer.cgroup_parent = "/" + peer.dir.filename().string();
  for (const char* d : {"cni/conf", "cni/bin", "logs", "data"})
    fs::create_directories(peer.dir / d);
  write_file(peer.dir / "config.toml", containerd_config(peer));

  auto process = Subprocess::spawn(
      {.argv = {"sh", "-c", "exec containerd --config \"$0\" 2>\"$1\"",
                (peer.dir / "config.toml").string(), (peer.dir / "containerd.log").string()},
       .stdout_mode = StreamMode::discard,
       .stderr_mode = StreamMode::discard});
  if (!process) return "starting containerd: " + process.error().message;
  peer.containerd.emplace(std::move(*process));
  CriClient client(peer.socket);
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (!client.version()) {
    if (peer.containerd->poll())
      return "containerd ended: " + read_file(peer.dir / "containerd.log");
    if (std::chrono::steady_clock::now() > until) return "containerd's CRI did not answer in 30 s";
    std::this_thread::sleep_for(50ms);
  }

  const fs::path busybox = peer.dir / "rootfs/busybox";
  add_busybox(busybox);
  if (auto why =
          import_image(peer, busybox, k_pause_image,
                       {{"Entrypoint", {"/bin/busybox", "sleep", "inf"}}, {"Env", {"PATH=/bin"}}});
      !why.empty()) {
    return why;
  }
  if (auto why =
          import_image(peer, busybox, k_busybox_image, {{"Cmd", {"sh"}}, {"Env", {"PATH=/bin"}}});
      !why.empty()) {
    return why;
  }
  if (!with_redis) return {};
  const std::string redis = which("redis-server");
  if (redis.empty()) return "redis-server is not installed: run scripts/setup.sh --test";
  const fs::path redis_root = peer.dir / "rootfs/redis";
  add_busybox(redis_root);
  if (auto why = edgecrew::testing::copy_with_libraries(redis, redis_root, "/usr/bin/redis-server",
                                                        k_setup_timeout);
      !why.empty()) {
    return why;
  }
  return import_image(
      peer, redis_root, k_redis_image,
      {{"Cmd", {"redis-server"}}, {"Env", {"PATH=/bin:/usr/bin"}}, {"WorkingDir", "/data"}});
}

// The mount points under `dir`, deepest first.
inline std::vector<std::string> mounts_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::ifstream mountinfo("/proc/self/mountinfo");
  const std::string prefix = dir.string() + "/";
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream words(line);
    std::string id, parent, devices, root, point;
    words >> id >> parent >> devices >> root >> point;
    if (point.starts_with(prefix)) out.push_back(point);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

// Processes whose command line names `dir` (the shims containerd started for this peer).
inline std::vector<pid_t> processes_naming(const fs::path& dir) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_file(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(dir.string()) != std::string::npos &&
        cmdline.find("containerd-shim") != std::string::npos) {
      out.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

// Removes every pod, stops containerd, unmounts, removes the cgroups and (when no test failed)
// the temp dir; else says where it is.
inline void tear_down(Peer& peer) {
  if (peer.dir.empty()) return;
  if (peer.containerd && !peer.containerd->poll()) {
    CriClient client(peer.socket);
    if (auto pods = client.list_pod_sandbox({})) {
      for (const auto& pod : pods->items()) {
        v1::ContainerFilter filter;
        filter.set_pod_sandbox_id(pod.id());
        if (auto containers = client.list_containers(filter)) {
          for (const auto& c : containers->containers()) {
            (void)client.stop_container(c.id(), 0s);
            (void)client.remove_container(c.id());
          }
        }
        (void)client.stop_pod_sandbox(pod.id());
        (void)client.remove_pod_sandbox(pod.id());
      }
    }
    peer.containerd->stop(5s);
  }
  peer.containerd.reset();
  for (pid_t pid : processes_naming(peer.dir)) ::kill(pid, SIGKILL);
  for (const auto& point : mounts_under(peer.dir)) ::umount2(point.c_str(), MNT_DETACH);
  for (const char* controller : k_cgroup_controllers) {
    const fs::path parent =
        fs::path("/sys/fs/cgroup") / controller / fs::path(peer.cgroup_parent).relative_path();
    std::error_code ec;
    if (!fs::exists(parent, ec)) continue;
    for (const auto& child : fs::directory_iterator(parent, ec)) {
      if (child.is_directory()) ::rmdir(child.path().c_str());
    }
    ::rmdir(parent.c_str());
  }
  // containerd 1.6 puts its shims' sockets under /run/containerd/s whatever its state dir: remove
  // the folders when they are empty (a system containerd's socket keeps them).
  ::rmdir("/run/containerd/s");
  ::rmdir("/run/containerd");
  if (::testing::UnitTest::GetInstance()->Failed()) {
    std::cerr << "test data has been left in " << peer.dir.string() << " (containerd.log there)\n";
    return;
  }
  std::error_code ec;
  fs::remove_all(peer.dir, ec);
}

// The fixture shape every CRI test file shares: one private containerd per test suite, started
// before its first test and removed after its last (with the Redis image when `with_redis`).
// A test fixture derives from it, and calls PeerTest::SetUp() first in its own SetUp.
template <bool with_redis>
class PeerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_peer = new Peer;
    s_setup_error = set_up(*s_peer, with_redis);
  }
  static void TearDownTestSuite() {
    tear_down(*s_peer);
    delete s_peer;
    s_peer = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(s_setup_error.empty()) << s_setup_error; }

  inline static Peer* s_peer = nullptr;
  inline static std::string s_setup_error;
};

}  // namespace edgecrew::engine::cri::test
