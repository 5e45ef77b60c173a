// bench/cri_compare.sh's driver: a private containerd 1.6 CRI (the tests' peer), then in one run
// edgecrew up / up again / down -t 0 on N busybox services and the bare RPC sequence (cri_bare)
// on N pods, then a no-op up of 50 services. Prints a Markdown table; milliseconds are the best
// of `rounds` runs.
//   cri_compare EDGECREW CRI_BARE [N] [ROUNDS]

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "../tests/cri/containerd_peer.h"
#include "bench_clock.h"

namespace {

using namespace edgecrew;
using namespace edgecrew::engine::cri::test;
using edgecrew::bench::now_ms;

std::string compose(int n) {
  std::string text = "name: bench\nservices:\n";
  for (int i = 1; i <= n; ++i) {
    text += "  s" + std::to_string(i) + ":\n    image: " + k_busybox_image +
            "\n    network_mode: host\n    command: [sleep, \"3600\"]\n";
  }
  return text;
}

// Runs edgecrew with the peer's environment; the milliseconds it took, or -1.
long long edgecrew_ms(const Peer& peer, const std::string& binary, const fs::path& dir,
                      std::vector<std::string> args) {
  SubprocessOptions options;
  options.argv = {binary, "--engine", "cri"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = peer.environment();
  options.env["XDG_CONFIG_HOME"] = (dir / "config").string();
  options.working_dir = dir;
  const long long start = now_ms();
  auto r = run_process(options, std::chrono::minutes(5));
  const long long took = now_ms() - start;
  if (!r || !r->status.success()) {
    std::cerr << "edgecrew " << args.front() << " failed: " << (r ? r->err : r.error().message)
              << "\n";
    return -1;
  }
  return took;
}

int running_pods(const Peer& peer) {
  engine::cri::CriClient client(peer.socket);
  engine::cri::v1::ContainerFilter filter;
  filter.mutable_state()->set_state(engine::cri::v1::CONTAINER_RUNNING);
  auto listed = client.list_containers(filter);
  return listed ? listed->containers_size() : -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: cri_compare EDGECREW CRI_BARE [N] [ROUNDS]\n";
    return 2;
  }
  const std::string edgecrew = argv[1], bare = argv[2];
  const int n = argc > 3 ? std::atoi(argv[3]) : 10;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 3;
  Peer peer;
  if (auto why = set_up(peer, false); !why.empty()) {
    std::cerr << "containerd: " << why << "\n";
    tear_down(peer);
    return 1;
  }
  const fs::path stack = peer.dir / "stack";
  const fs::path big = peer.dir / "stack50";
  write_file(stack / "compose.yaml", compose(n));
  write_file(big / "compose.yaml", compose(50));

  long long best_up = 1 << 30, best_again = 1 << 30, best_down = 1 << 30;
  long long bare_up = 1 << 30, bare_down = 1 << 30;
  bool ok = true;
  for (int round = 0; round < rounds && ok; ++round) {
    long long up = edgecrew_ms(peer, edgecrew, stack, {"up"});
    ok = ok && up >= 0 && running_pods(peer) == n;
    long long again = edgecrew_ms(peer, edgecrew, stack, {"up"});
    long long down = edgecrew_ms(peer, edgecrew, stack, {"down", "-t", "0"});
    ok = ok && again >= 0 && down >= 0 && running_pods(peer) == 0;
    best_up = std::min(best_up, up);
    best_again = std::min(best_again, again);
    best_down = std::min(best_down, down);

    auto r =
        run_process({.argv = {bare, peer.socket, k_busybox_image, (peer.dir / "logs/bare").string(),
                              peer.cgroup_parent, std::to_string(n)}},
                    std::chrono::minutes(5));
    if (!r || !r->status.success()) {
      std::cerr << "cri_bare failed: " << (r ? r->err : r.error().message) << "\n";
      ok = false;
      break;
    }
    long long u = 0, d = 0;
    std::sscanf(r->out.c_str(), "up %lld\ndown %lld", &u, &d);
    bare_up = std::min(bare_up, u);
    bare_down = std::min(bare_down, d);
  }
  long long big_up = -1, big_again = 1 << 30;
  if (ok) {
    big_up = edgecrew_ms(peer, edgecrew, big, {"up"});
    ok = big_up >= 0 && running_pods(peer) == 50;
    for (int round = 0; round < rounds && ok; ++round) {
      long long again = edgecrew_ms(peer, edgecrew, big, {"up"});
      ok = again >= 0;
      big_again = std::min(big_again, again);
    }
    (void)edgecrew_ms(peer, edgecrew, big, {"down", "-t", "0"});
  }
  tear_down(peer);
  if (!ok) {
    std::cerr << "the benchmark failed; figures would mean nothing\n";
    return 1;
  }
  std::printf("| %d services (ms, best of %d) | edgecrew | bare RPC sequence | edgecrew / bare |\n",
              n, rounds);
  std::printf("|---|---|---|---|\n");
  std::printf("| up (all pods created and started) | %lld | %lld | %.2f |\n", best_up, bare_up,
              static_cast<double>(best_up) / static_cast<double>(bare_up));
  std::printf("| down -t 0 | %lld | %lld | %.2f |\n", best_down, bare_down,
              static_cast<double>(best_down) / static_cast<double>(bare_down));
  std::printf("| up again, nothing changed | %lld | - | - |\n", best_again);
  std::printf("\n50 services: up %lld ms, up again (nothing changed) %lld ms\n", big_up, big_again);
  return 0;
}
