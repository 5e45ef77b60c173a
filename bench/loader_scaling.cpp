// How the stack loader scales: stacks with N environment keys (mapping and list form, plus an
// env_file of N keys) and with N services, loaded as `edgecrew config` loads them. Linear means
// the time per 1000 items stays flat from the small to the large size. Prints a Markdown table;
// milliseconds are the best of `rounds` runs.
//   loader_scaling [ROUNDS]

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

#include "bench_clock.h"
#include "stack/compose_loader.h"

namespace {

using namespace edgecrew;
using edgecrew::bench::now_ms;

std::string environment_stack(int keys, bool list) {
  std::string text = "services:\n  app:\n    image: busybox\n    environment:\n";
  for (int i = 0; i < keys; ++i) {
    text += list ? fmt::format("      - KEY_{}=value-{}\n", i, i)
                 : fmt::format("      KEY_{}: value-{}\n", i, i);
  }
  return text;
}

std::string services_stack(int services) {
  std::string text = "services:\n";
  for (int i = 0; i < services; ++i) {
    text += fmt::format(
        "  s{}:\n    image: busybox\n    environment: {{A: '1'}}\n    ports: ['{}:80']\n", i,
        10000 + i);
    if (i > 0) text += fmt::format("    depends_on: [s{}]\n", i - 1);
  }
  return text;
}

long long best_of(int rounds, const std::function<void()>& run) {
  long long best = -1;
  for (int r = 0; r < rounds; ++r) {
    long long start = now_ms();
    run();
    long long took = now_ms() - start;
    if (best < 0 || took < best) best = took;
  }
  return best;
}

long long load_ms(const std::string& text, int rounds, const std::filesystem::path& dir) {
  return best_of(rounds, [&] {
    stack::LoadOptions options;
    options.fallback_project_name = "bench";
    auto result = stack::load_stack({{"compose.yaml", text, dir}}, options);
    if (!result.stack) {
      for (const auto& d : result.diagnostics.items()) std::cerr << d.message << "\n";
      std::cerr << "the bench stack did not load\n";
      std::exit(1);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 3;
  auto dir = std::filesystem::temp_directory_path() / "edgecrew-loader-scaling";
  std::filesystem::create_directories(dir);

  struct Row {
    std::string what;
    std::function<std::string(int)> make;
    int small;
    int large;
  };
  auto env_file_stack = [&](int keys) {
    std::ofstream out(dir / "big.env");
    for (int i = 0; i < keys; ++i) out << "KEY_" << i << "=value-" << i << "\n";
    return std::string("services:\n  app:\n    image: busybox\n    env_file: big.env\n");
  };
  std::vector<Row> rows = {
      {"environment keys, mapping", [](int n) { return environment_stack(n, false); }, 10000,
       100000},
      {"environment keys, list", [](int n) { return environment_stack(n, true); }, 10000, 100000},
      {"env_file keys", env_file_stack, 10000, 100000},
      {"services (ports, depends_on)", services_stack, 500, 5000},
  };
  std::cout << "| stack | small | ms | large | ms | ms per 1000, small → large |\n"
               "|---|---|---|---|---|---|\n";
  for (const auto& row : rows) {
    long long small = load_ms(row.make(row.small), rounds, dir);
    long long large = load_ms(row.make(row.large), rounds, dir);
    std::cout << fmt::format("| {} | {} | {} | {} | {} | {:.1f} → {:.1f} |\n", row.what, row.small,
                             small, row.large, large, 1000.0 * small / row.small,
                             1000.0 * large / row.large);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
