// The CLI with --engine cri against a real containerd 1.6 CRI plugin and a real Redis (an image
// built from Debian's redis-server): up waits for the native Redis probe before starting what
// depends on it, a second up changes nothing, an environment change recreates one pod, ps shows
// handlers and ids, exec returns the command's status, logs read the CRI log file, down removes
// the pods; and the errors for an unknown handler, a missing socket and a socket not permitted.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "../registry_peer.h"
#include "../unit/cli_fixture.h"
#include "../unit/fixtures/free_port.h"
#include "containerd_peer.h"

namespace edgecrew::engine::cri {
namespace {

using namespace edgecrew::engine::cri::test;
using edgecrew::testing::CliRun;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_password = "s3cret-edgecrew-cri";
constexpr const char* k_project = "eccritest";

std::string stack_text(int port) {
  const std::string p = std::to_string(port);
  return std::string("name: ") + k_project +
         "\nservices:\n"
         "  redis:\n"
         "    image: " +
         k_redis_image +
         "\n"
         "    command: [redis-server, --requirepass, \"${REDIS_PASSWORD}\", --port, \"" +
         p +
         "\", --bind, 127.0.0.1, --appendonly, \"yes\", --dir, /data]\n"
         "    network_mode: host\n"
         "    stop_grace_period: 2s\n"
         "    volumes: [\"redis-data:/data\"]\n"
         "    x-edgecrew:\n"
         "      probe:\n"
         "        redis:\n"
         "          url: redis://:${REDIS_PASSWORD}@127.0.0.1:" +
         p +
         "/0\n"
         "  app:\n"
         "    image: " +
         k_busybox_image +
         "\n"
         "    network_mode: host\n"
         "    command: [sh, -c, \"echo app ready mode=$$MODE; exec sleep 1000\"]\n"
         "    environment:\n"
         "      MODE: ${MODE:-one}\n"
         "    stop_grace_period: 1s\n"
         "    depends_on:\n"
         "      redis:\n"
         "        condition: service_healthy\n"
         "  gpu:\n"
         "    image: " +
         k_busybox_image +
         "\n"
         "    network_mode: host\n"
         "    command: [sleep, \"1000\"]\n"
         "    stop_grace_period: 1s\n"
         "    x-edgecrew:\n"
         "      runtime: nvidia\n"
         "volumes:\n"
         "  redis-data: {}\n";
}

class CliCriTest : public PeerTest<true> {
 protected:
  void SetUp() override {
    PeerTest::SetUp();
    if (HasFatalFailure()) return;
    if (which("redis-cli").empty()) GTEST_SKIP() << "redis-cli is not installed (redis-tools)";
    const fs::path dir = s_peer->dir;
    m_process.cwd = dir / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(m_process.cwd);
    m_process.environment = s_peer->environment();
    m_process.environment["HOME"] = (dir / "home").string();
    m_process.environment["XDG_CONFIG_HOME"] = (dir / "config").string();
    m_process.environment["REDIS_PASSWORD"] = k_password;
    m_process.host_root = dir / "host";
    m_port = edgecrew::testing::free_loopback_port();
    ASSERT_NE(m_port, 0);
  }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", "cri"});
    return edgecrew::testing::run_cli(args, m_process);
  }

  void write_stack(const std::string& text) { write_file(m_process.cwd / "compose.yaml", text); }

  std::string redis_cli(const std::vector<std::string>& command) {
    SubprocessOptions options;
    options.argv = {"redis-cli", "-h", "127.0.0.1", "-p", std::to_string(m_port)};
    options.argv.insert(options.argv.end(), command.begin(), command.end());
    options.env = {{"REDISCLI_AUTH", k_password}};
    auto r = run_process(options, 30s);
    if (!r) return "redis-cli: " + r.error().message;
    std::string out = r->out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // service → its container id, from ps --json.
  std::map<std::string, json> ps_json() {
    auto ps = run({"ps", "--json"});
    EXPECT_EQ(ps.status, 0) << ps.err;
    std::map<std::string, json> out;
    for (const auto& item : json::parse(ps.out)) out[item["service"]] = item;
    return out;
  }

  int pod_count() {
    CriClient client(s_peer->socket);
    auto pods = client.list_pod_sandbox({});
    EXPECT_TRUE(pods) << pods.error().message;
    return pods ? pods->items_size() : -1;
  }

  cli::Process m_process;
  int m_port = 0;
};

TEST_F(CliCriTest, UpWaitsForRedisThenKeepsRecreatesExecsLogsAndDown) {
  write_stack(stack_text(m_port));
  auto up = run({"up", "--wait"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  const std::string pong =
      "redis  healthy   redis 127.0.0.1:" + std::to_string(m_port) + ": PONG\n";
  EXPECT_THAT(up.out, HasSubstr("app    waiting   for redis (service_healthy)\n"));
  EXPECT_THAT(up.out, HasSubstr(pong));
  EXPECT_LT(up.out.find(pong), up.out.find("app    started"));
  EXPECT_EQ(redis_cli({"SET", "edgecrew:key", "through-the-cri"}), "OK");
  EXPECT_EQ(redis_cli({"GET", "edgecrew:key"}), "through-the-cri");
  EXPECT_EQ(pod_count(), 3);

  auto ps = run({"ps"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  EXPECT_THAT(ps.out, HasSubstr("SERVICE  HANDLER"));
  EXPECT_THAT(ps.out, HasSubstr("gpu      nvidia   running"));
  EXPECT_THAT(ps.out, HasSubstr("redis    default  running"));
  auto first = ps_json();
  ASSERT_EQ(first.size(), 3u);
  for (const auto& [service, item] : first) {
    EXPECT_EQ(item["container_id"], item["id"]) << service;
    EXPECT_EQ(item["sandbox_id"].get<std::string>().size(), 64u) << service;
    EXPECT_NE(item["sandbox_id"], item["container_id"]) << service;
  }
  EXPECT_EQ(first["gpu"]["runtime_handler"], "nvidia");

  // Nothing changed: a second up plans only keep and touches no pod.
  auto plan = run({"plan"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_EQ(plan.out, "keep    gpu\nkeep    redis\nkeep    app\n");
  auto again = run({"up", "--wait"});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  auto second = ps_json();
  for (const auto& service : {"redis", "app", "gpu"}) {
    EXPECT_EQ(second[service]["id"], first[service]["id"]) << service;
  }

  // A changed environment recreates that service's pod only.
  m_process.environment["MODE"] = "two";
  auto changed = run({"up", "--wait"});
  ASSERT_EQ(changed.status, 0) << changed.out << changed.err;
  auto third = ps_json();
  EXPECT_NE(third["app"]["id"], first["app"]["id"]);
  EXPECT_NE(third["app"]["sandbox_id"], first["app"]["sandbox_id"]);
  EXPECT_EQ(third["redis"]["id"], first["redis"]["id"]);
  EXPECT_EQ(third["app"]["state"], "running");
  EXPECT_EQ(pod_count(), 3) << "the old pod of app is gone";

  auto exec = run({"exec", "app", "--", "sh", "-c", "echo in-pod $MODE; exit 4"});
  EXPECT_EQ(exec.status, 4) << exec.err;
  EXPECT_EQ(exec.out, "in-pod two\n");

  auto logs = run({"logs", "app"});
  ASSERT_EQ(logs.status, 0) << logs.err;
  EXPECT_EQ(logs.out, "app ready mode=two\n") << "only the current pod's log";

  // restart: a CRI container cannot start again, so its pod is made anew.
  auto restart = run({"restart", "app"});
  ASSERT_EQ(restart.status, 0) << restart.out << restart.err;
  auto fourth = ps_json();
  EXPECT_EQ(fourth["app"]["state"], "running");
  EXPECT_EQ(pod_count(), 3);

  auto down = run({"down"});
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  EXPECT_EQ(pod_count(), 0);
  const fs::path volume = s_peer->dir / "data/volumes" / (std::string(k_project) + "_redis-data");
  EXPECT_TRUE(fs::exists(volume / "appendonlydir")) << "redis wrote into the named volume";
  auto gone = run({"down", "--volumes"});
  ASSERT_EQ(gone.status, 0) << gone.out << gone.err;
  EXPECT_FALSE(fs::exists(volume));
}

TEST_F(CliCriTest, ACrashIsReportedWithItsExitCode) {
  write_stack(std::string("name: eccrash\nservices:\n  crash:\n    image: ") + k_busybox_image +
              "\n    network_mode: host\n    command: [sh, -c, \"echo bye; exit 3\"]\n");
  // `up` looks once, 100 ms after the starts: a container the runtime already reports as exited
  // fails it, naming the exit code. containerd may record the exit later than that (its shim
  // reports it asynchronously), and then `up` succeeds as compose's `up -d` does; `ps` tells.
  auto up = run({"up"});
  if (up.status != 0) {
    EXPECT_EQ(up.status, 1) << up.out << up.err;
    EXPECT_THAT(up.err, HasSubstr("crash: exited with code 3 right after it started"));
  }
  std::string status;
  for (int i = 0; i < 100 && status.find("Exited") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    status = run({"ps"}).out;
  }
  EXPECT_THAT(status, HasSubstr("Exited (3)"));
  auto logs = run({"logs", "crash"});
  EXPECT_EQ(logs.out, "bye\n");
  ASSERT_EQ(run({"down"}).status, 0);
  EXPECT_EQ(pod_count(), 0);
}

TEST_F(CliCriTest, AComposeHealthcheckRunsThroughExecSyncAndGatesTheDependent) {
  write_stack(std::string("name: echealth\nservices:\n  web:\n    image: ") + k_busybox_image +
              "\n    network_mode: host\n"
              "    command: [sh, -c, \"sleep 1; touch /tmp/ready; exec sleep 1000\"]\n"
              "    stop_grace_period: 1s\n"
              "    healthcheck:\n      test: [CMD, test, -f, /tmp/ready]\n"
              "      interval: 300ms\n      timeout: 2s\n      retries: 20\n"
              "  app:\n    image: " +
              k_busybox_image +
              "\n    network_mode: host\n    command: [sleep, \"1000\"]\n"
              "    stop_grace_period: 1s\n"
              "    depends_on:\n      web:\n        condition: service_healthy\n");
  auto up = run({"-v", "up", "--wait"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  EXPECT_THAT(up.err, HasSubstr("using CRI socket " + s_peer->socket +
                                " (CONTAINER_RUNTIME_ENDPOINT): containerd"));
  const auto healthy = up.out.find("web  healthy");
  ASSERT_NE(healthy, std::string::npos) << up.out;
  EXPECT_LT(healthy, up.out.find("app  started"));
  // The file the check looks for exists only after a second: the check ran more than once.
  ASSERT_EQ(run({"down"}).status, 0);
  EXPECT_EQ(pod_count(), 0);
}

TEST_F(CliCriTest, AnImageThatIsNeitherLocalNorPullableFailsClearly) {
  write_stack(
      "name: ecpull\nservices:\n  app:\n    image: localhost/edgecrew-test/absent:1\n"
      "    network_mode: host\n");
  auto up = run({"up"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  // Refused by up's image stage, before any pod: neither store has it, and a localhost/ name has
  // no registry to pull it from.
  EXPECT_THAT(up.err, HasSubstr("image localhost/edgecrew-test/absent:1 is in no store and its "
                                "name has no registry to pull it from"));
  EXPECT_EQ(pod_count(), 0);
}

TEST_F(CliCriTest, APodNetworkWithoutCniIsExplained) {
  write_stack(std::string("name: ecnet\nservices:\n  app:\n    image: ") + k_busybox_image +
              "\n    command: [sleep, \"100\"]\n");
  // The second up finds the sandbox containerd keeps (it cannot tear down a network it never
  // set up), and is refused with the same explanation rather than "name reserved".
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto up = run({"up"});
    EXPECT_EQ(up.status, 1) << up.out << up.err;
    EXPECT_THAT(up.out + up.err, HasSubstr("cni plugin not initialized"));
    EXPECT_THAT(up.out + up.err, HasSubstr("service app asks for the pod network"));
    EXPECT_THAT(up.out + up.err, HasSubstr("network_mode: host"));
    EXPECT_THAT(up.out + up.err, Not(HasSubstr("reserved")));
    EXPECT_LE(pod_count(), 1) << "retries do not pile up sandboxes";
  }
}

TEST_F(CliCriTest, AnUnknownHandlerIsReportedWithTheSocketAndNothingIsLeft) {
  write_stack(std::string("name: echandler\nservices:\n  odd:\n    image: ") + k_busybox_image +
              "\n    network_mode: host\n    command: [sleep, \"100\"]\n"
              "    x-edgecrew:\n      runtime: kata-not-here\n");
  auto up = run({"up"});
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  EXPECT_THAT(up.out + up.err, HasSubstr("no runtime handler \"kata-not-here\""));
  EXPECT_THAT(up.out + up.err, HasSubstr(s_peer->socket));
  EXPECT_EQ(pod_count(), 0);
}

TEST_F(CliCriTest, AMissingSocketSaysWhereAndWhatToDo) {
  write_stack(std::string("name: ecmissing\nservices:\n  app:\n    image: ") + k_busybox_image +
              "\n");
  auto ps = run({"--cri-endpoint", "unix:///nonexistent/cri.sock", "ps"});
  EXPECT_EQ(ps.status, 1);
  EXPECT_THAT(ps.err, HasSubstr("no CRI runtime answers on /nonexistent/cri.sock"));
  EXPECT_THAT(ps.err, HasSubstr("is CRI-O or containerd running?"));
  auto tcp = run({"--cri-endpoint", "tcp://127.0.0.1:1", "ps"});
  EXPECT_EQ(tcp.status, 1);
  EXPECT_THAT(tcp.err, HasSubstr("is not a unix socket"));
}

TEST_F(CliCriTest, ASocketNotPermittedSaysWhoOwnsIt) {
  if (which("setpriv").empty()) GTEST_SKIP() << "setpriv is not installed (util-linux)";
  // The real binary as nobody, with a stack it can read; the socket's folder is root's (0700).
  std::string pattern = (fs::temp_directory_path() / "edgecrew-cri-nobody-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  write_file(dir / "compose.yaml", std::string("name: ecdenied\nservices:\n  app:\n    image: ") +
                                       k_busybox_image + "\n");
  SubprocessOptions options;
  options.argv = {"setpriv",
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  EDGECREW_BINARY,
                  "--engine",
                  "cri",
                  "--cri-endpoint",
                  s_peer->socket,
                  "-f",
                  (dir / "compose.yaml").string(),
                  "ps"};
  options.env = {{"HOME", dir.string()}, {"XDG_CONFIG_HOME", dir.string()}};
  options.working_dir = dir;
  auto r = run_process(options, 60s);
  fs::remove_all(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status.code, 1) << r->out << r->err;
  EXPECT_THAT(r->err, HasSubstr("permission denied on the CRI socket " + s_peer->socket));
  // nobody cannot even look at the socket: the folder that shuts it out is named instead.
  EXPECT_THAT(r->err, HasSubstr("whose folder " + s_peer->dir.string() +
                                " is owned by uid 0 gid 0 with mode 700"));
}

// The binary links no gRPC: it loads the CRI module beside it when a verb reaches a CRI runtime
// (LD_DEBUG=files names each library as the loader opens it), and the engine it gets there asks
// the runtime as the linked one does (-v names containerd from its Version). Alone, without the
// module, it says where it looked and how to build it.
TEST_F(CliCriTest, TheBinaryLoadsTheCriModuleAndGrpcOnlyForTheCri) {
  write_file(
      m_process.cwd / "compose.yaml",
      std::string("name: ecmodule\nservices:\n  app:\n    image: ") + k_busybox_image + "\n");
  auto binary = [&](const std::string& exe, std::vector<std::string> args) {
    SubprocessOptions options;
    options.argv = {exe};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = {{"HOME", m_process.environment["HOME"]}, {"LD_DEBUG", "files"}};
    options.working_dir = m_process.cwd;
    auto r = run_process(options, 60s);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Completed{};
  };
  auto version = binary(EDGECREW_BINARY, {"--version"});
  EXPECT_EQ(version.status.code, 0) << version.err;
  EXPECT_THAT(version.err, Not(HasSubstr("libgrpc")));
  EXPECT_THAT(version.err, Not(HasSubstr("edgecrew-cri.so")));
  auto config = binary(EDGECREW_BINARY, {"config"});
  EXPECT_EQ(config.status.code, 0) << config.err;
  EXPECT_THAT(config.err, Not(HasSubstr("libgrpc")));

  auto ps =
      binary(EDGECREW_BINARY, {"--engine", "cri", "--cri-endpoint", s_peer->socket, "-v", "ps"});
  EXPECT_EQ(ps.status.code, 0) << ps.err;
  EXPECT_THAT(ps.err, HasSubstr("edgecrew-cri.so"));
  EXPECT_THAT(ps.err, HasSubstr("libgrpc"));
  EXPECT_THAT(ps.err, HasSubstr(": containerd "));

  // The binary alone in a folder: no module beside it, nor in ../lib/edgecrew.
  std::string pattern = (fs::temp_directory_path() / "edgecrew-alone-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path alone = fs::path(pattern) / "bin";
  fs::create_directories(alone);
  fs::copy_file(EDGECREW_BINARY, alone / "edgecrew");
  auto lone = binary((alone / "edgecrew").string(),
                     {"--engine", "cri", "--cri-endpoint", s_peer->socket, "ps"});
  EXPECT_EQ(lone.status.code, 1);
  EXPECT_THAT(lone.err, HasSubstr("the CRI module edgecrew-cri.so is not beside the edgecrew "
                                  "binary (looked for " +
                                  (alone / "edgecrew-cri.so").string() + ", " + pattern +
                                  "/lib/edgecrew/edgecrew-cri.so)"));
  // A file of that name that is not the module is named, with dlopen's reason.
  write_file(alone / "edgecrew-cri.so", "not an ELF file\n");
  auto junk = binary((alone / "edgecrew").string(),
                     {"--engine", "cri", "--cri-endpoint", s_peer->socket, "ps"});
  EXPECT_EQ(junk.status.code, 1);
  EXPECT_THAT(junk.err, HasSubstr("the CRI module " + (alone / "edgecrew-cri.so").string() +
                                  " could not be loaded"));
  fs::remove_all(pattern);
}

// Podman's store (no Podman service: storage.conf names it) holds an image containerd lacks:
// `images` shows the two stores apart, `images sync --to cri` writes the archive and says the
// ctr command, `--yes` runs it, and `up` then runs the image on the CRI with no registry; with the
// image gone from containerd, `up` copies it over by itself.
TEST_F(CliCriTest, ImagesSyncIntoContainerdThenUpRunsItWithoutARegistry) {
  const fs::path store = m_process.cwd / "podman-store";
  write_file(m_process.cwd / "containers.conf",
             "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
             "[engine]\nruntime = \"runc\"\n");
  // Where a rootful Podman reads it; edgecrew reads host files under its host root.
  const fs::path storage_conf = m_process.host_root / "etc/containers/storage.conf";
  write_file(storage_conf, "[storage]\ndriver = \"vfs\"\ngraphroot = \"" +
                               (store / "root").string() + "\"\nrunroot = \"" +
                               (store / "run").string() + "\"\n");
  const fs::path rootfs = m_process.cwd / "rootfs";
  add_busybox(rootfs);
  write_file(rootfs / "etc/edgecrew-synced", "synced\n");
  const std::string image = "localhost/edgecrew-test/synced:1";
  const std::map<std::string, std::string> podman_env = {
      {"CONTAINERS_CONF", (m_process.cwd / "containers.conf").string()},
      {"CONTAINERS_STORAGE_CONF", storage_conf.string()}};
  auto tar = run_process(
      {.argv = {"tar", "-C", rootfs.string(), "-cf", (m_process.cwd / "rootfs.tar").string(), "."}},
      60s);
  ASSERT_TRUE(tar && tar->status.success());
  auto imported = run_process({.argv = {"podman", "import", "-q", "--change", "ENV PATH=/bin",
                                        (m_process.cwd / "rootfs.tar").string(), image},
                               .env = podman_env},
                              120s);
  ASSERT_TRUE(imported && imported->status.success()) << (imported ? imported->err : "");
  // No Podman service for this test: the Podman side is storage.conf's store, read with skopeo.
  m_process.environment["CONTAINER_HOST"] = "unix://" + (m_process.cwd / "none.sock").string();
  write_stack("name: ecsync\nservices:\n  app:\n    image: " + image +
              "\n    network_mode: host\n    command: [sleep, \"1000\"]\n"
              "    stop_grace_period: 1s\n");

  auto listed = run({"images"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_THAT(
      listed.out,
      HasSubstr(
          "Podman store: containers-storage, vfs at " + (store / "root").string() +
          " (storage.conf (/etc/containers/storage.conf)); not reachable: cannot reach Podman: no "
          "Podman socket answers\n"));
  EXPECT_THAT(listed.out, HasSubstr("CRI store:    containerd (its own store) (containerd "));
  EXPECT_THAT(listed.out, ::testing::ContainsRegex(" +- +podman-only\n"));
  std::cout << "--- images, Podman's store and containerd ---\n" << listed.out;

  auto printed = run({"images", "sync", "--archive-dir", m_process.cwd.string()});
  ASSERT_EQ(printed.status, 0) << printed.out << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("archive written"));
  EXPECT_THAT(printed.out, HasSubstr("ctr --address " + s_peer->socket +
                                     " -n k8s.io images import " + m_process.cwd.string() + "/"));
  EXPECT_THAT(run({"images", "--json"}).out, HasSubstr("\"state\": \"podman-only\""));

  auto synced = run({"images", "sync", "--yes"});
  ASSERT_EQ(synced.status, 0) << synced.out << synced.err;
  EXPECT_THAT(synced.out, ::testing::ContainsRegex(image + " +copied\n"));
  auto doc = nlohmann::json::parse(run({"images", "--json"}).out);
  const auto& row = doc["images"][0];
  EXPECT_EQ(row["state"], "same") << doc.dump(2);
  EXPECT_EQ(row["podman"]["id"], row["cri"]["id"]);
  std::cout << "--- images, after sync --yes ---\n" << run({"images"}).out;

  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  auto shown = run({"exec", "app", "--", "cat", "/etc/edgecrew-synced"});
  EXPECT_EQ(shown.status, 0) << shown.err;
  EXPECT_EQ(shown.out, "synced\n");
  EXPECT_EQ(run({"down", "-t", "0"}).status, 0);
  EXPECT_EQ(pod_count(), 0);

  // Gone from containerd again: up itself copies it over (ctr included), and says so.
  auto removed = run_process(
      {.argv = {"ctr", "--address", s_peer->socket, "-n", "k8s.io", "images", "rm", image}}, 60s);
  ASSERT_TRUE(removed && removed->status.success()) << (removed ? removed->err : "");
  auto again = run({"up"});
  ASSERT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_THAT(again.out, HasSubstr(image + ": copied from the Podman store ("));
  EXPECT_THAT(again.out, HasSubstr("), not pulled\n"));
  EXPECT_EQ(run({"down", "-t", "0"}).status, 0);
  EXPECT_EQ(pod_count(), 0);
}

// A real registry (tests/registry_peer.h) serving the peer's busybox image; containerd 1.6
// pulls from a loopback registry over plain HTTP by itself. PullImage says nothing until it ends:
// the line says the pull started, then its size from ImageStatus.
TEST_F(CliCriTest, ImagesPullGoesThroughTheCriAndSaysTheSize) {
  edgecrew::test::RegistryPeer registry;
  auto started = registry.start();
  ASSERT_EQ(started, "") << started;
  const fs::path layout =
      s_peer->dir / "images" / std::to_string(std::hash<std::string>{}(k_busybox_image)) / "layout";
  auto pushed = registry.push("oci:" + layout.string(), "edgecrew/cri-pulled:1");
  ASSERT_EQ(pushed, "") << pushed;
  const std::string image = registry.address() + "/edgecrew/cri-pulled:1";
  write_stack("name: ecpulled\nservices:\n  app:\n    image: " + image +
              "\n    network_mode: host\n");
  auto pulled = run({"images", "pull"});
  ASSERT_EQ(pulled.status, 0) << pulled.out << pulled.err;
  EXPECT_THAT(pulled.out, HasSubstr(image + "  pulling   pulling through the CRI runtime\n"));
  EXPECT_THAT(pulled.out, ::testing::ContainsRegex(image + "  pulled    [0-9.]+ [kM]B\n"))
      << pulled.out;
  auto doc = nlohmann::json::parse(run({"images", "--json"}).out);
  EXPECT_EQ(doc["images"][0]["cri"]["present"], true) << doc.dump(2);
  EXPECT_EQ(doc["images"][0]["cri"]["id"], s_peer->image_ids[k_busybox_image]);
  auto removed = run_process(
      {.argv = {"ctr", "--address", s_peer->socket, "-n", "k8s.io", "images", "rm", image}}, 60s);
  EXPECT_TRUE(removed && removed->status.success());
}

}  // namespace
}  // namespace edgecrew::engine::cri
