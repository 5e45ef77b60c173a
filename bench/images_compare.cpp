// bench/images_compare.sh's driver: N images in a containers-storage store (Podman's, read from
// storage.conf, no service) and a private containerd 1.6 CRI (the tests' peer). In one run:
// `edgecrew images sync --yes` into containerd against the loop a person writes instead
// (skopeo copy to an OCI archive + ctr import, per image); `edgecrew images` against
// `podman images` + `ctr images ls`; and a sync with nothing to copy. Prints a Markdown table;
// milliseconds are the best of `rounds` runs.
//   images_compare EDGECREW [N] [ROUNDS]

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "../tests/cri/containerd_peer.h"
#include "bench_clock.h"

namespace {

using namespace edgecrew;
using namespace edgecrew::engine::cri::test;
using edgecrew::bench::now_ms;

struct Bench {
  Peer peer;
  fs::path dir;
  std::map<std::string, std::string> env;  // storage.conf and containers.conf for podman/skopeo
  std::string store_spec;                  // "vfs@GRAPHROOT+RUNROOT"
  std::vector<std::string> images;
};

// Runs argv to its end; its milliseconds, or -1 (and why on stderr).
long long timed(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                const fs::path& cwd = {}) {
  const long long start = now_ms();
  auto r = run_process({.argv = argv, .env = env, .working_dir = cwd}, std::chrono::minutes(10));
  const long long took = now_ms() - start;
  if (!r || !r->status.success()) {
    std::cerr << argv[0] << " " << argv[1]
              << " failed: " << (r ? r->err + r->out : r.error().message) << "\n";
    return -1;
  }
  return took;
}

bool remove_from_containerd(const Bench& b) {
  std::vector<std::string> argv = {"ctr",    "--address", b.peer.socket, "-n",
                                   "k8s.io", "images",    "rm"};
  argv.insert(argv.end(), b.images.begin(), b.images.end());
  auto r = run_process({.argv = argv}, std::chrono::minutes(2));
  return r && r->status.success();
}

std::string set_up_images(Bench& b, int n) {
  b.dir = b.peer.dir / "images-bench";
  write_file(b.dir / "containers.conf",
             "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
             "[engine]\nruntime = \"runc\"\n");
  write_file(b.dir / "storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" +
                                         (b.dir / "root").string() + "\"\nrunroot = \"" +
                                         (b.dir / "run").string() + "\"\n");
  b.env = {{"CONTAINERS_CONF", (b.dir / "containers.conf").string()},
           {"CONTAINERS_STORAGE_CONF", (b.dir / "storage.conf").string()}};
  b.store_spec = "vfs@" + (b.dir / "root").string() + "+" + (b.dir / "run").string();
  std::string stack = "name: imgbench\nservices:\n";
  for (int i = 1; i <= n; ++i) {
    const fs::path rootfs = b.dir / ("rootfs" + std::to_string(i));
    add_busybox(rootfs);
    write_file(rootfs / "etc/which", std::to_string(i) + "\n");  // a different image each
    const std::string tar = (b.dir / ("rootfs" + std::to_string(i) + ".tar")).string();
    if (timed({"tar", "-C", rootfs.string(), "-cf", tar, "."}, {}) < 0) return "tar failed";
    const std::string image = "localhost/edgecrew-bench/img" + std::to_string(i) + ":1";
    if (timed({"podman", "import", "-q", tar, image}, b.env) < 0) return "podman import failed";
    b.images.push_back(image);
    stack += "  s" + std::to_string(i) + ":\n    image: " + image +
             "\n    network_mode: host\n    command: [sleep, \"3600\"]\n";
  }
  write_file(b.dir / "stack/compose.yaml", stack);
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: images_compare EDGECREW [N] [ROUNDS]\n";
    return 2;
  }
  const std::string edgecrew = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 10;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  Bench b;
  if (auto why = set_up(b.peer, false); !why.empty()) {
    std::cerr << "containerd: " << why << "\n";
    tear_down(b.peer);
    return 1;
  }
  if (auto why = set_up_images(b, n); !why.empty()) {
    std::cerr << why << "\n";
    tear_down(b.peer);
    return 1;
  }
  // edgecrew's environment: the storage.conf above, no Podman service, the private CRI.
  auto env = b.peer.environment();
  env.insert(b.env.begin(), b.env.end());
  env["CONTAINER_HOST"] = "unix://" + (b.dir / "none.sock").string();
  env["XDG_CONFIG_HOME"] = (b.dir / "config").string();
  const fs::path archives = b.dir / "archives";
  fs::create_directories(archives);
  const std::vector<std::string> ec = {edgecrew, "--engine", "cri"};
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = ec;
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };

  long long sync = -1, loop = -1, list = -1, raw_list = -1, noop = -1;
  auto best = [](long long& slot, long long ms) {
    if (ms >= 0 && (slot < 0 || ms < slot)) slot = ms;
  };
  for (int round = 0; round < rounds; ++round) {
    remove_from_containerd(b);
    best(sync, timed(with({"images", "sync", "--yes", "--archive-dir", archives.string()}), env,
                     b.dir / "stack"));
    best(list, timed(with({"images"}), env, b.dir / "stack"));
    best(noop, timed(with({"images", "sync", "--yes"}), env, b.dir / "stack"));
    best(raw_list, [&] {
      const long long start = now_ms();
      if (timed({"podman", "images"}, b.env) < 0) return -1LL;
      if (timed({"ctr", "--address", b.peer.socket, "-n", "k8s.io", "images", "ls"}, {}) < 0) {
        return -1LL;
      }
      return now_ms() - start;
    }());
    remove_from_containerd(b);
    best(loop, [&] {
      const long long start = now_ms();
      for (const auto& image : b.images) {
        const std::string archive = (archives / "one.tar").string();
        std::error_code error;
        fs::remove(archive, error);
        if (timed({"skopeo", "copy", "-q", "--preserve-digests",
                   "containers-storage:[" + b.store_spec + "]" + image,
                   "oci-archive:" + archive + ":" + image},
                  b.env) < 0 ||
            timed({"ctr", "--address", b.peer.socket, "-n", "k8s.io", "images", "import", archive},
                  {}) < 0) {
          return -1LL;
        }
      }
      return now_ms() - start;
    }());
  }
  remove_from_containerd(b);
  tear_down(b.peer);

  auto ratio = [](long long a, long long base) {
    return a < 0 || base <= 0 ? std::string("-") : fmt::format("{:.2f}", double(a) / double(base));
  };
  std::cout << fmt::format("{} images (busybox rootfs, ~2 MB each), best of {}\n\n", n, rounds)
            << "| | edgecrew | what a user runs instead | ratio |\n|---|---|---|---|\n"
            << fmt::format(
                   "| copy into containerd | `images sync --yes` {} ms | skopeo copy + ctr "
                   "import per image, {} ms | {} |\n",
                   sync, loop, ratio(sync, loop))
            << fmt::format(
                   "| see both stores | `images` {} ms (ids compared) | `podman images` + "
                   "`ctr images ls` {} ms (names only) | {} |\n",
                   list, raw_list, ratio(list, raw_list))
            << fmt::format("| sync with nothing to copy | {} ms | – | |\n", noop);
  return sync < 0 || loop < 0 ? 1 : 0;
}
