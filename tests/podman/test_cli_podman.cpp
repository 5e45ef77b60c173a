// The container verbs against real Podman, run in-process as a person would run them: a stack
// file in a directory, CONTAINER_HOST naming the private service of podman_peer.h. The temp dir
// is left behind (and named) when a test fails.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <streambuf>
#include <thread>

#include "../unit/cli_fixture.h"
#include "cli/app.h"
#include "podman_peer.h"

namespace edgecrew::engine::podman {
namespace {

using namespace edgecrew::engine::podman::test;
using ::testing::HasSubstr;
using ::testing::Not;

using edgecrew::testing::CliRun;
using namespace std::chrono_literals;

// Polls `condition` until it holds, at most `timeout`: whether it held.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// What a verb prints, readable while it still runs on another thread (logs -f).
class SharedOutput : public std::streambuf {
 public:
  std::string text() const {
    std::lock_guard lock(m_mutex);
    return m_text;
  }
  // How many lines are exactly `line`.
  int count(const std::string& line) const {
    std::istringstream lines(text());
    int n = 0;
    for (std::string l; std::getline(lines, l);) n += l == line;
    return n;
  }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    std::lock_guard lock(m_mutex);
    m_text.push_back(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(m_mutex);
    m_text.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  mutable std::mutex m_mutex;
  std::string m_text;
};

// `a` writes /tmp/ready and is healthy by it; `b` waits for that. `a` keeps data in volume `data`.
std::string compose(const std::string& b_value) {
  return std::string("name: ecclitest\n") +
         "services:\n"
         "  a:\n"
         "    image: " +
         k_image +
         "\n"
         "    network_mode: host\n"
         "    command: [\"sh\", \"-c\", \"echo one; echo two; echo three; touch /tmp/ready; "
         "exec sleep 1000\"]\n"
         "    stop_grace_period: 1s\n"
         "    healthcheck:\n"
         "      test: [\"CMD-SHELL\", \"test -f /tmp/ready\"]\n"
         "      interval: 1s\n"
         "      retries: 30\n"
         "    volumes: [\"data:/data\"]\n"
         "  b:\n"
         "    image: " +
         k_image +
         "\n"
         "    network_mode: host\n"
         "    command: [\"sleep\", \"1000\"]\n"
         "    stop_grace_period: 1s\n"
         "    environment:\n"
         "      VALUE: \"" +
         b_value +
         "\"\n"
         "    depends_on:\n"
         "      a:\n"
         "        condition: service_healthy\n"
         "volumes:\n"
         "  data: {}\n";
}

class CliPodmanTest : public PodmanPeerTest {
 protected:
  void SetUp() override {
    PodmanPeerTest::SetUp();
    if (HasFatalFailure()) return;
    const fs::path dir = s_peer->dir;
    m_process.cwd = dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_process.cwd);
    m_process.environment = cli_environment(*s_peer, dir);
    m_process.host_root = dir / "host";
  }

  CliRun run(const std::vector<std::string>& args) {
    return edgecrew::testing::run_cli(args, m_process);
  }

  void write_stack(const std::string& text) { write(m_process.cwd / "compose.yaml", text); }

  // service → container id, from `ps --json`.
  std::map<std::string, std::string> ids() {
    auto ps = run({"ps", "--json"});
    EXPECT_EQ(ps.status, 0) << ps.err;
    std::map<std::string, std::string> out;
    auto doc = nlohmann::json::parse(ps.out, nullptr, false);
    if (!doc.is_array()) return out;
    for (const auto& c : doc) out[c["service"]] = c["id"];
    return out;
  }

  bool volume_exists(const std::string& name) {
    auto r = podman(*s_peer, {"volume", "exists", name});
    return r && r->status.success();
  }

  cli::Process m_process;
};

TEST_F(CliPodmanTest, UpReconcilesPsExecLogsRestart) {
  write_stack(compose("1"));
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.out, HasSubstr("ecclitest: 2 created\n"));
  auto first = ids();
  ASSERT_EQ(first.size(), 2u);

  // Again: nothing changes.
  EXPECT_EQ(run({"plan"}).out, "keep    a\nkeep    b\n");
  auto again = run({"up"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("ecclitest: 2 kept\n"));
  EXPECT_EQ(ids(), first);

  // One env value changed: only that service is recreated.
  write_stack(compose("2"));
  EXPECT_EQ(run({"up", "--dry-run"}).out, "keep    a\nrecreate b  (spec changed)\n");
  auto changed = run({"up"});
  ASSERT_EQ(changed.status, 0) << changed.err;
  auto second = ids();
  EXPECT_EQ(second["a"], first["a"]);
  EXPECT_NE(second["b"], first["b"]);

  auto ps = run({"ps"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  EXPECT_THAT(ps.out, ::testing::StartsWith("SERVICE  STATE    HEALTH"));
  EXPECT_THAT(ps.out, ::testing::ContainsRegex("\na +running .* Up [0-9]+ seconds? +" +
                                               std::string("localhost/edgecrew-test/busybox")));
  EXPECT_THAT(ps.out, ::testing::ContainsRegex("\nb +running "));

  auto exec = run({"exec", "a", "--", "sh", "-c", "echo hi; exit 3"});
  EXPECT_EQ(exec.status, 3) << exec.err;
  EXPECT_EQ(exec.out, "hi\n");

  auto logs = run({"logs", "--tail", "2", "a"});
  ASSERT_EQ(logs.status, 0) << logs.err;
  EXPECT_EQ(logs.out, "two\nthree\n");
  auto both = run({"logs", "--tail", "1"});
  ASSERT_EQ(both.status, 0) << both.err;
  EXPECT_THAT(both.out, HasSubstr("a | three\n"));

  auto before = s_peer->engine->inspect(second["a"]);
  ASSERT_TRUE(before) << before.error().message;
  // Start times have a resolution of a second in places: the restart comes in a later second.
  ASSERT_TRUE(
      wait_until([&] { return std::chrono::system_clock::now() >= before->started_at + 1s; }, 5s));
  // Paused outside edgecrew, it is restarted all the same (a start alone is refused by Podman).
  auto paused = podman(*s_peer, {"pause", second["a"]});
  ASSERT_TRUE(paused && paused->status.success()) << (paused ? paused->err : "");
  auto restart = run({"restart", "a"});
  ASSERT_EQ(restart.status, 0) << restart.out << restart.err;
  auto after = s_peer->engine->inspect(second["a"]);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->state, ContainerState::running);
  EXPECT_GT(after->started_at, before->started_at);

  ASSERT_EQ(run({"down", "-t", "0"}).status, 0);
  EXPECT_TRUE(ids().empty());
}

// Services on the project network reach each other by service name (Compose's promise) and by
// container name: the network is created with DNS on and each container carries its service name
// as an alias.
TEST_F(CliPodmanTest, ServicesResolveEachOtherByName) {
  write_stack(std::string("name: ecdns\nservices:\n") + "  first:\n    image: " + k_image +
              "\n    command: [\"sleep\", \"1000\"]\n"
              "    stop_grace_period: 1s\n"
              "  second:\n    image: " +
              k_image + "\n    command: [\"sleep\", \"1000\"]\n    stop_grace_period: 1s\n");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto inspected =
      podman(*s_peer,
             {"inspect", "-f", "{{(index .NetworkSettings.Networks \"ecdns_default\").IPAddress}}",
              "ecdns-first-1"});
  ASSERT_TRUE(inspected && inspected->status.success());
  std::string ip = inspected->out.substr(0, inspected->out.find_last_not_of("\n") + 1);
  ASSERT_FALSE(ip.empty());
  for (const std::string name : {"first", "ecdns-first-1"}) {
    // busybox's own resolver (glibc's, in a static busybox, crashes): the name answers with first's
    // address on the project network.
    auto looked_up = run({"exec", "second", "--", "busybox", "nslookup", name});
    EXPECT_EQ(looked_up.status, 0) << name << ": " << looked_up.out << looked_up.err;
    EXPECT_THAT(looked_up.out, ::testing::ContainsRegex("Address:[ \t]*" + ip + "\n")) << name;
  }
  auto unknown = run({"exec", "second", "--", "busybox", "nslookup", "no-such-service"});
  EXPECT_NE(unknown.status, 0);
  EXPECT_EQ(run({"down"}).status, 0);
}

// Two named networks, a service on both: a client on one resolves the service by its alias there;
// a fixed address on the internal network, which has no route out; an external network is joined
// and left alone by down; a project network an older edgecrew made without DNS is made again.
TEST_F(CliPodmanTest, NamedNetworksAliasesInternalExternalAndDown) {
  // Networks are the host's (CNI configuration files), not the private service's: a failed run's
  // are gone before this one starts.
  (void)podman(*s_peer, {"network", "rm", "-f", "ecnet-ext", "ecnet_front", "ecnet_back"});
  auto created = podman(*s_peer, {"network", "create", "ecnet-ext"});
  ASSERT_TRUE(created && created->status.success());
  // As an older edgecrew left it: labelled with the project, no DNS.
  auto old = podman(*s_peer, {"network", "create", "--disable-dns", "--label",
                              "io.edgecrew.project=ecnet", "ecnet_front"});
  ASSERT_TRUE(old && old->status.success());
  const std::string sleeper = std::string("    image: ") + k_image +
                              "\n    command: [\"sleep\", \"1000\"]\n    stop_grace_period: 1s\n";
  write_stack(
      "name: ecnet\nservices:\n  web:\n" + sleeper +
      "    networks:\n      front:\n        aliases: [portal]\n      back: {}\n"
      "  client:\n" +
      sleeper +
      "    networks: [front]\n"
      "  db:\n" +
      sleeper +
      "    networks:\n      back:\n        ipv4_address: 172.29.77.10\n"
      "  outside:\n" +
      sleeper +
      "    networks: [corp]\n"
      "networks:\n  front: {}\n  back:\n    internal: true\n    ipam:\n      config:\n"
      "        - subnet: 172.29.77.0/24\n  corp:\n    external: true\n    name: ecnet-ext\n");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;

  auto front = nlohmann::json::parse(podman(*s_peer, {"network", "inspect", "ecnet_front"})->out);
  EXPECT_EQ(front[0]["dns_enabled"], true);
  auto ip_on = [&](const std::string& container, const std::string& network) {
    auto r = podman(*s_peer, {"inspect", "-f",
                              "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}",
                              container});
    return r && r->status.success() ? r->out.substr(0, r->out.find_last_not_of('\n') + 1)
                                    : std::string();
  };
  const std::string web_front = ip_on("ecnet-web-1", "ecnet_front");
  ASSERT_FALSE(web_front.empty());
  EXPECT_FALSE(ip_on("ecnet-web-1", "ecnet_back").empty());  // on both
  for (const std::string name : {"portal", "web"}) {
    auto looked_up = run({"exec", "client", "--", "busybox", "nslookup", name});
    EXPECT_EQ(looked_up.status, 0) << name << ": " << looked_up.out << looked_up.err;
    EXPECT_THAT(looked_up.out, ::testing::ContainsRegex("Address:[ \t]*" + web_front + "\n"))
        << name;
  }
  // db is on back only: client (front only) does not find it.
  EXPECT_NE(run({"exec", "client", "--", "busybox", "nslookup", "db"}).status, 0);
  EXPECT_EQ(ip_on("ecnet-db-1", "ecnet_back"), "172.29.77.10");
  auto routes = run({"exec", "db", "--", "busybox", "ip", "route"});
  EXPECT_EQ(routes.status, 0) << routes.err;
  EXPECT_THAT(routes.out, Not(HasSubstr("default")));  // internal: no way out
  EXPECT_FALSE(ip_on("ecnet-outside-1", "ecnet-ext").empty());

  auto again = run({"up"});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("ecnet: 4 kept"));  // nothing recreated

  auto down = run({"down"});
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_THAT(down.out, HasSubstr("network(s) removed: ecnet_back ecnet_front"));
  for (const std::string name : {"ecnet_front", "ecnet_back"}) {
    auto exists = podman(*s_peer, {"network", "exists", name});
    EXPECT_FALSE(exists && exists->status.success()) << name;
  }
  auto kept = podman(*s_peer, {"network", "exists", "ecnet-ext"});
  EXPECT_TRUE(kept && kept->status.success());
  (void)podman(*s_peer, {"network", "rm", "ecnet-ext"});
}

// A network the project made that another project's container joined (as external) outlives
// `down`: Podman refuses to remove it, down says so and succeeds; once the other project is down,
// the next `down` removes it.
TEST_F(CliPodmanTest, DownKeepsANetworkAnotherProjectStillUses) {
  (void)podman(*s_peer, {"network", "rm", "-f", "ecshared"});
  const std::string sleeper = std::string("    image: ") + k_image +
                              "\n    command: [\"sleep\", \"1000\"]\n    stop_grace_period: 1s\n";
  write(m_process.cwd / "a.yaml", "name: ecowner\nservices:\n  a:\n" + sleeper +
                                      "    networks: [shared]\n"
                                      "networks:\n  shared:\n    name: ecshared\n");
  write(m_process.cwd / "b.yaml", "name: ecguest\nservices:\n  b:\n" + sleeper +
                                      "    networks: [shared]\n"
                                      "networks:\n  shared:\n    external: true\n"
                                      "    name: ecshared\n");
  ASSERT_EQ(run({"-f", "a.yaml", "up"}).status, 0);
  auto guest = run({"-f", "b.yaml", "up"});
  ASSERT_EQ(guest.status, 0) << guest.out << guest.err;

  auto down = run({"-f", "a.yaml", "down"});
  EXPECT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_THAT(down.err, HasSubstr("network ecshared kept: containers outside project ecowner "
                                  "still use it"));
  EXPECT_THAT(down.out, Not(HasSubstr("network(s) removed")));
  auto exists = podman(*s_peer, {"network", "exists", "ecshared"});
  EXPECT_TRUE(exists && exists->status.success());

  EXPECT_EQ(run({"-f", "b.yaml", "down"}).status, 0);
  auto again = run({"-f", "a.yaml", "down"});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr("network(s) removed: ecshared"));
  exists = podman(*s_peer, {"network", "exists", "ecshared"});
  EXPECT_FALSE(exists && exists->status.success());
}

// An anonymous volume keeps its data across a recreate (one volume, none leaked) and goes with
// down --volumes, which names only what it removed.
TEST_F(CliPodmanTest, AnonymousVolumeIsCarriedOverAndRemovedByDownVolumes) {
  auto stack = [&](const std::string& value) {
    write_stack(std::string("name: ecanon\nservices:\n  a:\n    image: ") + k_image +
                "\n    command: [\"sleep\", \"1000\"]\n    stop_grace_period: 1s\n"
                "    volumes: [/data]\n    environment:\n      V: \"" +
                value + "\"\n");
  };
  auto volumes = [&] {
    auto r =
        podman(*s_peer, {"volume", "ls", "-q", "--filter", "label=io.edgecrew.project=ecanon"});
    std::vector<std::string> out;
    std::istringstream lines(r ? r->out : "");
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  };
  stack("1");
  ASSERT_EQ(run({"up"}).status, 0);
  const std::string first = ids()["a"];
  ASSERT_EQ(run({"exec", "a", "--", "sh", "-c", "echo kept > /data/file"}).status, 0);
  stack("2");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_NE(ids()["a"], first);  // recreated
  auto read = run({"exec", "a", "--", "cat", "/data/file"});
  EXPECT_EQ(read.out, "kept\n") << read.err;
  ASSERT_EQ(volumes().size(), 1u);
  const std::string volume = volumes().front();

  ASSERT_EQ(run({"down"}).status, 0);
  EXPECT_TRUE(volume_exists(volume));
  auto down = run({"down", "--volumes"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("volume(s) removed: " + volume));
  EXPECT_FALSE(volume_exists(volume));
  auto nothing = run({"down", "--volumes"});
  EXPECT_THAT(nothing.out, HasSubstr("no volume to remove"));
}

TEST_F(CliPodmanTest, DownKeepsNamedVolumesUnlessAskedToRemoveThem) {
  write_stack(compose("1"));
  ASSERT_EQ(run({"up", "a"}).status, 0);
  ASSERT_EQ(run({"exec", "a", "--", "sh", "-c", "echo kept > /data/file"}).status, 0);
  auto down = run({"down"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("named volumes kept"));
  EXPECT_TRUE(volume_exists("ecclitest_data"));

  ASSERT_EQ(run({"up", "a"}).status, 0);
  auto read = run({"exec", "a", "--", "cat", "/data/file"});
  EXPECT_EQ(read.status, 0) << read.err;
  EXPECT_EQ(read.out, "kept\n");

  ASSERT_EQ(run({"down", "--volumes"}).status, 0);
  EXPECT_FALSE(volume_exists("ecclitest_data"));
}

TEST_F(CliPodmanTest, UpFailsNamingAServiceThatExits) {
  write_stack(std::string("name: ecclifail\n") +
              "services:\n"
              "  bad:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sh\", \"-c\", \"exit 2\"]\n"
              "  after:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sleep\", \"1000\"]\n"
              "    depends_on:\n"
              "      bad:\n"
              "        condition: service_completed_successfully\n");
  auto up = run({"up"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("  after: dependency bad: bad exited with code 2\n"));
  EXPECT_THAT(up.out, HasSubstr("failed"));
  ASSERT_EQ(run({"down", "-t", "0"}).status, 0);
}

TEST_F(CliPodmanTest, UpWithoutWaitFailsForAServiceThatExitsAtOnce) {
  // Nothing depends on it and there is no --wait: the start itself must still be checked.
  write_stack(std::string("name: ecclicrash\n") +
              "services:\n"
              "  crash:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sh\", \"-c\", \"echo no config >&2; exit 2\"]\n"
              "  done:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"true\"]\n");
  auto up = run({"up", "-d"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("  crash: exited with code 2 right after it started"));
  EXPECT_THAT(up.err, Not(HasSubstr("done:")));
  ASSERT_EQ(run({"down", "-t", "0"}).status, 0);
}

TEST_F(CliPodmanTest, UpOnATerminalRedrawsOneLinePerServiceInPlace) {
  ASSERT_FALSE(which("tmux").empty()) << "tmux is not installed: run scripts/setup.sh --test";
  write_stack(std::string("name: ecclitty\n") +
              "services:\n"
              "  db:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sleep\", \"1000\"]\n"
              "    stop_grace_period: 1s\n"
              "    healthcheck:\n"
              "      test: [\"CMD\", \"true\"]\n"
              "      interval: 1s\n"
              "  web:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sleep\", \"1000\"]\n"
              "    stop_grace_period: 1s\n"
              "    depends_on:\n"
              "      db:\n"
              "        condition: service_healthy\n");
  const std::string screen =
      terminal_screen(EDGECREW_BINARY, "up --wait", m_process.cwd, m_process.environment, 100);
  ASSERT_EQ(run({"down", "-t", "0"}).status, 0);
  // The final screen: one line per service, each showing its whole way, then the summary.
  EXPECT_THAT(screen,
              ::testing::ContainsRegex("(^|\n)db   created → started → healthy [0-9]+\\.[0-9]s\n"))
      << screen;
  EXPECT_THAT(screen,
              ::testing::ContainsRegex("\nweb  created → started → healthy [0-9]+\\.[0-9]s\n"))
      << screen;
  EXPECT_THAT(screen, HasSubstr("ecclitty: 2 created\nEXIT=0")) << screen;
  // Redrawn in place: no service has a second line (plain output would have one per event).
  std::istringstream lines(screen);
  int db_lines = 0;
  for (std::string line; std::getline(lines, line);) db_lines += line.rfind("db ", 0) == 0;
  EXPECT_EQ(db_lines, 1) << screen;
}

TEST_F(CliPodmanTest, LogsFollowMovesToTheRestartedContainerWithoutRepeatingLines) {
  write_stack(std::string("name: ecclifollow\n") +
              "services:\n"
              "  t:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; echo start; "
              "while true; do sleep 0.1; done\"]\n"
              "  u:\n"
              "    image: " +
              k_image +
              "\n"
              "    network_mode: host\n"
              "    command: [\"sh\", \"-c\", \"echo hello from u; exec sleep 1000\"]\n"
              "    stop_grace_period: 1s\n");
  ASSERT_EQ(run({"up"}).status, 0);
  SharedOutput out;
  SharedOutput err;
  std::ostream out_stream(&out);
  std::ostream err_stream(&err);
  int followed = -1;
  std::thread follower([&] {
    cli::Io io{out_stream, err_stream, false};
    followed = cli::run({"logs", "-f"}, io, m_process);
  });
  // Following: each service's first line is shown.
  EXPECT_TRUE(wait_until(
      [&] { return out.count("t | start") == 1 && out.count("u | hello from u") == 1; }, 30s))
      << out.text() << err.text();
  auto restarted = run({"restart", "t"});
  EXPECT_EQ(restarted.status, 0) << restarted.err;
  // The follow has moved to the restarted container: its second start is shown.
  EXPECT_TRUE(wait_until([&] { return out.count("t | start") >= 2; }, 30s)) << out.text();
  // Once the containers are gone, the follow ends by itself.
  ASSERT_EQ(run({"down", "-t", "1"}).status, 0);
  follower.join();
  EXPECT_EQ(followed, 0) << err.text();
  // The restarted container's log holds both starts; each is shown once, prefixed.
  std::istringstream lines(out.text());
  int starts = 0, hellos = 0, others = 0;
  for (std::string line; std::getline(lines, line);) {
    starts += line == "t | start";
    hellos += line == "u | hello from u";
    others += line != "t | start" && line != "u | hello from u";
  }
  EXPECT_EQ(starts, 2) << out.text();
  EXPECT_EQ(hellos, 1) << out.text();
  EXPECT_EQ(others, 0) << out.text();
}

// A new image under the name a service uses (here a commit of its own container, tagged with that
// name) recreates that service alone; --no-recreate keeps it, --force-recreate replaces every
// container; a paused container is unpaused by up, and a paused one can be recreated.
TEST_F(CliPodmanTest, RecreatesOnANewImageAndHandlesPausedContainers) {
  const std::string retagged = "localhost/edgecrew-test/retagged:1";
  auto tagged = podman(*s_peer, {"tag", k_image, retagged});
  ASSERT_TRUE(tagged && tagged->status.success()) << (tagged ? tagged->err : "");
  auto service = [](const std::string& name, const std::string& image) {
    return "  " + name + ":\n    image: " + image +
           "\n    network_mode: host\n    command: [\"sleep\", \"1000\"]\n"
           "    stop_grace_period: 1s\n";
  };
  write_stack("name: ecrecreate\nservices:\n" + service("x", retagged) + service("y", k_image));
  ASSERT_EQ(run({"up"}).status, 0);
  auto first = ids();
  ASSERT_EQ(first.size(), 2u);

  auto committed = podman(*s_peer, {"commit", "-q", first["x"], retagged});
  ASSERT_TRUE(committed && committed->status.success()) << (committed ? committed->err : "");
  EXPECT_EQ(run({"plan"}).out, "recreate x  (image changed)\nkeep    y\n");
  auto kept = run({"up", "--no-recreate"});
  ASSERT_EQ(kept.status, 0) << kept.err;
  EXPECT_EQ(ids(), first);
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("ecrecreate: 1 recreated, 1 kept\n"));
  auto second = ids();
  EXPECT_NE(second["x"], first["x"]);
  EXPECT_EQ(second["y"], first["y"]);
  auto inspected = s_peer->engine->inspect(second["x"]);
  ASSERT_TRUE(inspected) << inspected.error().message;
  auto image = s_peer->engine->image(retagged);
  ASSERT_TRUE(image && *image);
  EXPECT_EQ(inspected->image_id, (*image)->id);
  EXPECT_EQ(run({"plan"}).out, "keep    x\nkeep    y\n");

  // Paused by hand: up resumes it, same container.
  auto paused = podman(*s_peer, {"pause", second["y"]});
  ASSERT_TRUE(paused && paused->status.success()) << (paused ? paused->err : "");
  EXPECT_EQ(run({"plan"}).out, "keep    x\nunpause y  (paused)\n");
  auto resumed = run({"up"});
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("ecrecreate: 1 unpaused, 1 kept\n"));
  auto y = s_peer->engine->inspect(second["y"]);
  ASSERT_TRUE(y) << y.error().message;
  EXPECT_EQ(y->state, ContainerState::running);

  // Forced, with y paused again: stopping a paused container works.
  paused = podman(*s_peer, {"pause", second["y"]});
  ASSERT_TRUE(paused && paused->status.success()) << (paused ? paused->err : "");
  auto forced = run({"up", "--force-recreate"});
  ASSERT_EQ(forced.status, 0) << forced.out << forced.err;
  EXPECT_THAT(forced.out, HasSubstr("ecrecreate: 2 recreated\n"));
  auto third = ids();
  ASSERT_EQ(third.size(), 2u);
  EXPECT_NE(third["x"], second["x"]);
  EXPECT_NE(third["y"], second["y"]);
  ASSERT_EQ(run({"down", "-t", "0"}).status, 0);
}

}  // namespace
}  // namespace edgecrew::engine::podman
