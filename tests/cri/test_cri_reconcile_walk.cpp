// The reconcile walk of the reliability suite, shorter, on the CRI: a seeded random sequence of
// stack edits, `up`, `up SERVICE`, `up --remove-orphans`, `down`, `restart` and pods stopped or
// removed behind edgecrew's back (through the CRI itself), against a private containerd. After
// each step the invariants hold: at most one pod per service; after `up` every desired service
// runs in one container whose spec-hash label is `config --hash`'s; after `--remove-orphans` no
// other service is left; after `down` nothing is; a `plan` after `up` keeps everything.
// EDGECREW_CRI_WALK_SEED replays a walk, EDGECREW_CRI_WALK_OPS (80) sets its length.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "../unit/cli_fixture.h"
#include "containerd_peer.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using edgecrew::testing::CliRun;

constexpr const char* k_project = "eccriwalk";
const std::vector<std::string> k_pool = {"web", "db", "cache", "queue"};

struct ServiceState {
  bool present = false;
  char env = 'a';
  int sleep = 1000;
};

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

class CriReconcileWalk : public PeerTest<false> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    const fs::path dir = s_peer->dir;
    m_process.cwd = dir / "walk";
    fs::create_directories(m_process.cwd);
    m_process.environment = s_peer->environment();
    m_process.environment["HOME"] = (dir / "home").string();
    m_process.environment["XDG_CONFIG_HOME"] = (dir / "config").string();
    m_process.host_root = dir / "host";
  }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", "cri"});
    return edgecrew::testing::run_cli(args, m_process);
  }

  void write_stack() {
    std::string text = std::string("name: ") + k_project + "\nservices:\n";
    for (const auto& name : k_pool) {
      const ServiceState& s = m_services[name];
      if (!s.present) continue;
      text += "  " + name + ":\n    image: " + k_busybox_image +
              "\n    network_mode: host\n    stop_signal: SIGKILL\n"
              "    command: [sleep, \"" +
              std::to_string(s.sleep) + "\"]\n    environment:\n      V: \"" + s.env + "\"\n";
    }
    write_file(m_process.cwd / "compose.yaml", text);
  }

  std::vector<std::string> present() {
    std::vector<std::string> out;
    for (const auto& name : k_pool) {
      if (m_services[name].present) out.push_back(name);
    }
    return out;
  }

  // The project's containers as the runtime lists them: service → (spec hash, running) of each.
  std::multimap<std::string, std::pair<std::string, bool>> observed() {
    CriClient client(s_peer->socket);
    v1::ContainerFilter filter;
    (*filter.mutable_label_selector())[std::string(k_label_project)] = k_project;
    auto listed = client.list_containers(filter);
    EXPECT_TRUE(listed) << listed.error().message;
    std::multimap<std::string, std::pair<std::string, bool>> out;
    if (!listed) return out;
    for (const auto& c : listed->containers()) {
      const auto& labels = c.labels();
      auto service = labels.find(std::string(k_label_service));
      auto hash = labels.find(std::string(k_label_spec_hash));
      out.emplace(
          service == labels.end() ? "" : service->second,
          std::pair{hash == labels.end() ? "" : hash->second, c.state() == v1::CONTAINER_RUNNING});
    }
    return out;
  }

  std::map<std::string, std::string> config_hashes() {
    std::map<std::string, std::string> out;
    auto config = run({"config", "--hash", "*"});
    EXPECT_EQ(config.status, 0) << config.err;
    std::istringstream lines(config.out);
    std::string service;
    std::string hash;
    while (lines >> service >> hash) out[service] = hash;
    return out;
  }

  // After an `up` of `services`: one running container each, with config --hash's spec hash.
  void check_up(const std::string& step, const std::vector<std::string>& services) {
    SCOPED_TRACE(step);
    auto seen = observed();
    for (const auto& [service, _] : seen) {
      EXPECT_EQ(seen.count(service), 1u) << "more than one container for " << service;
    }
    auto hashes = config_hashes();
    for (const auto& service : services) {
      auto it = seen.find(service);
      ASSERT_NE(it, seen.end()) << "no container for " << service;
      EXPECT_TRUE(it->second.second) << service << " is not running";
      EXPECT_EQ(it->second.first, hashes[service]) << service << "'s spec hash";
    }
  }

  // A pod of the project stopped, or stopped and removed, through the CRI.
  void external(bool remove, std::mt19937& random) {
    CriClient client(s_peer->socket);
    v1::PodSandboxFilter filter;
    (*filter.mutable_label_selector())[std::string(k_label_project)] = k_project;
    auto pods = client.list_pod_sandbox(filter);
    ASSERT_TRUE(pods) << pods.error().message;
    if (pods->items_size() == 0) return;
    const auto& pod = pods->items(static_cast<int>(random() % pods->items_size()));
    ASSERT_TRUE(client.stop_pod_sandbox(pod.id()));
    if (remove) {
      ASSERT_TRUE(client.remove_pod_sandbox(pod.id()));
    }
  }

  cli::Process m_process;
  std::map<std::string, ServiceState> m_services;
};

TEST_F(CriReconcileWalk, ASeededWalkOfEditsAndVerbsKeepsTheInvariants) {
  const int seed =
      env_int("EDGECREW_CRI_WALK_SEED", static_cast<int>(std::random_device{}() % 100000));
  const int ops = env_int("EDGECREW_CRI_WALK_OPS", 80);
  RecordProperty("seed", seed);
  std::cout << "CRI walk: seed " << seed << ", " << ops << " operations (replay: "
            << "EDGECREW_CRI_WALK_SEED=" << seed << ")\n";
  std::mt19937 random(static_cast<unsigned>(seed));
  for (const auto& name : {"web", "db"}) m_services[name].present = true;
  write_stack();
  ASSERT_EQ(run({"up"}).status, 0);
  std::map<std::string, int> counts;
  for (int op = 0; op < ops && !HasFatalFailure(); ++op) {
    const int pick = static_cast<int>(random() % 100);
    auto names = present();
    const std::string one = names[random() % names.size()];
    std::string step = "op " + std::to_string(op) + " (seed " + std::to_string(seed) + "): ";
    if (pick < 35) {  // an edit: environment, command, a service added or removed
      const std::string& target = k_pool[random() % k_pool.size()];
      ServiceState& s = m_services[target];
      const int kind = static_cast<int>(random() % 3);
      if (!s.present) {
        s = {true, 'a', 1000};
      } else if (kind == 0) {
        s.env = s.env == 'a' ? 'b' : 'a';
      } else if (kind == 1) {
        s.sleep = s.sleep == 1000 ? 1001 : 1000;
      } else if (names.size() > 1) {
        s.present = false;
      }
      write_stack();
      ++counts["edit"];
      continue;
    }
    CliRun result;
    if (pick < 55) {
      step += "up";
      result = run({"up"});
      ASSERT_EQ(result.status, 0) << step << "\n" << result.out << result.err;
      check_up(step, names);
      if (op % 3 == 0) {
        auto plan = run({"plan"});
        EXPECT_EQ(plan.status, 0) << plan.err;
        for (const auto& name : names) {
          EXPECT_THAT(plan.out, ::testing::HasSubstr("keep    " + name)) << step << " then plan";
        }
      }
    } else if (pick < 65) {
      step += "up " + one;
      result = run({"up", one});
      ASSERT_EQ(result.status, 0) << step << "\n" << result.out << result.err;
      check_up(step, {one});
    } else if (pick < 73) {
      step += "up --remove-orphans";
      result = run({"up", "--remove-orphans"});
      ASSERT_EQ(result.status, 0) << step << "\n" << result.out << result.err;
      check_up(step, names);
      std::set<std::string> wanted(names.begin(), names.end());
      for (const auto& [service, _] : observed()) {
        EXPECT_TRUE(wanted.count(service)) << step << ": orphan " << service << " left";
      }
    } else if (pick < 80) {
      step += "down";
      result = run({"down"});
      ASSERT_EQ(result.status, 0) << step << "\n" << result.out << result.err;
      EXPECT_TRUE(observed().empty()) << step << ": containers left";
    } else if (pick < 88) {
      step += "restart";
      result = run({"restart"});
      // Services without a container are passed over; a stopped pod is made anew.
      EXPECT_EQ(result.status, 0) << step << "\n" << result.out << result.err;
    } else {
      step += "external stop/remove";
      external(pick >= 94, random);
    }
    ++counts[step.substr(step.find(": ") + 2)];
  }
  // Whatever the walk left, a last up converges and a down removes everything.
  auto last = run({"up"});
  ASSERT_EQ(last.status, 0) << last.out << last.err;
  check_up("the last up", present());
  ASSERT_EQ(run({"down"}).status, 0);
  EXPECT_TRUE(observed().empty());
  for (const auto& [what, n] : counts) std::cout << "  " << n << " x " << what << "\n";
}

}  // namespace
}  // namespace edgecrew::engine::cri
