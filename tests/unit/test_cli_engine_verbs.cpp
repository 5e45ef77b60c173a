// The container verbs in-process against the recording fake engine: their output formats and
// what they ask the engine to do. The same verbs against real Podman: tests/podman/.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/context.h"
#include "cli/project_lock.h"
#include "cli_fixture.h"
#include "fake_engine.h"

namespace edgecrew::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_stack =
    "name: app\n"
    "services:\n"
    "  a:\n"
    "    image: busybox\n"
    "  b:\n"
    "    image: busybox\n"
    "    depends_on: [a]\n";

class CliEngineVerbs : public ::testing::Test {
 protected:
  void SetUp() override { f.write("compose.yaml", k_stack); }

  CliRun run(const std::vector<std::string>& args) {
    std::ostringstream out;
    std::ostringstream err;
    cli::Io io{out, err, false};
    CliRun r;
    cli::Reach reach;
    reach.engine = [this](const stack::Stack&, const std::string& engine) {
      opened.push_back(engine);
      return fake;
    };
    // No other store to copy from; every registry answers: an image the fake lacks is pulled.
    reach.other_store = [this](const stack::Stack&, const std::string& engine) {
      other_stores.push_back(engine);
      return images::make_side(engine, nullptr, "", "no such engine here");
    };
    reach.registries = [this](const std::set<std::string>& registries) {
      std::map<std::string, images::RegistryAnswer> answers;
      for (const auto& registry : registries) {
        asked_registries.push_back(registry);
        answers[registry] = {true, "HTTP 401 on HEAD /v2/: reachable"};
      }
      return answers;
    };
    r.status = cli::run(args, io, f.process, std::move(reach));
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  int calls_starting_with(const std::string& prefix) {
    int n = 0;
    for (const auto& c : fake->calls()) n += c.starts_with(prefix) ? 1 : 0;
    return n;
  }

  CliFixture f;
  std::shared_ptr<plan::test::FakeEngine> fake = std::make_shared<plan::test::FakeEngine>("app");
  std::vector<std::string> opened;            // the engine each verb asked the factory for
  std::vector<std::string> other_stores;      // the other engine whose store up looked at
  std::vector<std::string> asked_registries;  // the registries up asked before creating
};

TEST_F(CliEngineVerbs, PlanAndDryRunPrintThePlanAndChangeNothing) {
  auto plan = run({"plan"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_EQ(plan.out, "create  a\ncreate  b\n");
  auto dry = run({"up", "--dry-run"});
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_EQ(dry.out, plan.out);
  EXPECT_EQ(calls_starting_with("create"), 0);
  EXPECT_EQ(calls_starting_with("pull"), 0);
}

TEST_F(CliEngineVerbs, UpPrintsOneLinePerEventThenASummary) {
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(up.out, HasSubstr("a  creating  busybox\n"));
  EXPECT_THAT(up.out, HasSubstr("b  started   "));
  EXPECT_THAT(up.out, ::testing::EndsWith("app: 2 created\n"));

  auto again = run({"up"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("a  started   unchanged\n"));
  EXPECT_THAT(again.out, ::testing::EndsWith("app: 2 kept\n"));
  EXPECT_EQ(run({"plan"}).out, "keep    a\nkeep    b\n");
}

TEST_F(CliEngineVerbs, UpsImageStageLooksAtTheOtherStoreAndTheRegistryBeforeCreating) {
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(other_stores, std::vector<std::string>{"cri"});
  EXPECT_EQ(asked_registries, std::vector<std::string>{"registry-1.docker.io"});
  EXPECT_EQ(calls_starting_with("pull "), 1);  // the executor pulls it, once

  other_stores.clear();
  asked_registries.clear();
  fake->add_image("busybox:2");
  f.write("compose.yaml", "name: app\nservices:\n  a:\n    image: busybox:2\n");
  ASSERT_EQ(run({"up"}).status, 0);
  EXPECT_TRUE(other_stores.empty()) << "an image the engine holds needs no other store";
  EXPECT_TRUE(asked_registries.empty());
}

TEST_F(CliEngineVerbs, UpOfANamedServiceBringsItsDependencies) {
  auto plan = run({"plan", "b"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_EQ(plan.out, "create  a\ncreate  b\n");
  EXPECT_EQ(run({"plan", "a"}).out, "create  a\n");
  auto unknown = run({"up", "c"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no service \"c\" in the stack"));
}

// up makes the networks of the services it brings up only: one that only a service switched off
// by profiles joins is not made, as compose drops it.
TEST_F(CliEngineVerbs, UpMakesOnlyTheNetworksOfTheServicesItBringsUp) {
  f.write("compose.yaml",
          "name: app\nservices:\n"
          "  a:\n    image: busybox\n    networks: [front]\n"
          "  debug:\n    image: busybox\n    profiles: [debug]\n    networks: [tools]\n"
          "networks:\n  front: {}\n  tools: {}\n");
  ASSERT_EQ(run({"up"}).status, 0);
  EXPECT_EQ(calls_starting_with("ensure_networks app a"), 1);
  EXPECT_EQ(calls_starting_with("ensure_networks app a debug"), 0);
  ASSERT_EQ(run({"--profile", "debug", "up"}).status, 0);
  EXPECT_EQ(calls_starting_with("ensure_networks app a debug"), 1);
}

TEST_F(CliEngineVerbs, UpFailureExitsOneNamingTheService) {
  fake->fail_call("create a", "no space left on device");
  auto up = run({"up"});
  EXPECT_EQ(up.status, 1);
  EXPECT_THAT(up.err, HasSubstr("edgecrew: up failed for 1 service(s):\n"
                                "  a: create failed: no space left on device\n"));
  EXPECT_THAT(up.err, HasSubstr("  b: not attempted\n"));
}

TEST_F(CliEngineVerbs, PsTableAndJson) {
  fake->add_container("a", "h", engine::ContainerState::exited, 1, 2);
  fake->add_container("b", "h", engine::ContainerState::created);
  auto ps = run({"ps"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  EXPECT_EQ(ps.out,
            "SERVICE  STATE    HEALTH  PORTS  STATUS      IMAGE\n"
            "a        exited   -       -      Exited (2)  \n"
            "b        created  -       -      Created     \n");
  auto json = run({"ps", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["id"], "a-1");
  EXPECT_EQ(doc[0]["state"], "exited");
  EXPECT_EQ(doc[0]["exit_code"], 2);
}

// `logs -f` follows a container that started again under the same id within the same second
// (Podman lists start times in whole seconds): the new run's line is shown, the old one not again,
// and the follow ends once the container has stopped.
TEST_F(CliEngineVerbs, LogsFollowSeesARestartWithinTheSameSecond) {
  const std::string id = fake->add_container("a", "h", engine::ContainerState::running, 5);
  fake->set_log(id, {"start"});
  int follows = 0;
  fake->set_hook([&](const std::string& call) {
    if (call != "logs " + id || ++follows != 2) return;
    // The first follow has ended: the container ran again (same id, same start second) and
    // wrote its line, then stopped.
    fake->set_log(id, {"start", "start"});
    (void)fake->stop(id, std::chrono::milliseconds(0), "SIGTERM");
  });
  auto logs = run({"logs", "-f", "a"});
  ASSERT_EQ(logs.status, 0) << logs.err;
  EXPECT_EQ(follows, 2);
  std::istringstream lines(logs.out);
  int starts = 0;
  for (std::string line; std::getline(lines, line);) starts += line.ends_with("start") ? 1 : 0;
  EXPECT_EQ(starts, 2) << logs.out;
}

TEST_F(CliEngineVerbs, DownRemovesEveryContainerAndKeepsVolumes) {
  ASSERT_EQ(run({"up"}).status, 0);
  auto down = run({"down", "-t", "0"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("app: 2 container(s) removed, network(s) removed: app_default, "
                                  "named volumes kept\n"));
  EXPECT_EQ(run({"plan"}).out, "create  a\ncreate  b\n");
}

TEST_F(CliEngineVerbs, ASecondWriterWaitsForTheProjectLockAndSaysWhoHoldsIt) {
  f.process.environment["XDG_RUNTIME_DIR"] = (f.dir / "run").string();
  ASSERT_EQ(run({"up"}).status, 0);
  std::ostringstream out;
  std::ostringstream err;
  cli::Io io{out, err, false};
  cli::Context ctx{{}, f.process, io, std::nullopt, {}};
  {
    cli::ProjectLock held(ctx, "app", "the engine given", "up", std::chrono::milliseconds(0));
    EXPECT_EQ(held.path().parent_path(), f.dir / "run" / "edgecrew");
    const auto started = std::chrono::steady_clock::now();
    for (const char* verb : {"down", "restart", "up"}) {
      auto blocked = run({verb, "--wait-lock", "0.3"});
      EXPECT_EQ(blocked.status, 1) << verb;
      const std::string who = "pid " + std::to_string(::getpid()) + ", `edgecrew up`, since ";
      EXPECT_THAT(blocked.err, HasSubstr("project app on the engine given is locked by " + who))
          << verb;
      EXPECT_THAT(blocked.err, HasSubstr("project app on the engine given is busy: " + who))
          << verb;
      EXPECT_THAT(blocked.err, HasSubstr("pass --wait-lock SECONDS")) << verb;
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
    EXPECT_EQ(calls_starting_with("remove"), 0);
    EXPECT_EQ(calls_starting_with("stop"), 0);
    // Reading is not writing: ps and a dry run do not wait.
    EXPECT_EQ(run({"ps"}).status, 0);
    EXPECT_EQ(run({"up", "--dry-run", "--wait-lock", "0"}).status, 0);
  }
  auto down = run({"down", "-t", "0", "--wait-lock", "0"});
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_GE(calls_starting_with("remove"), 2);
}

// The holder writes its note just after it takes the lock: a writer that comes in between still
// names it (seen as "locked by another edgecrew" when the note was read once).
TEST_F(CliEngineVerbs, AWriterArrivingBeforeTheHoldersNoteStillNamesTheHolder) {
  f.process.environment["XDG_RUNTIME_DIR"] = (f.dir / "run").string();
  std::ostringstream out;
  std::ostringstream err;
  cli::Io io{out, err, false};
  cli::Context ctx{{}, f.process, io, std::nullopt, {}};
  std::filesystem::path path;
  {
    cli::ProjectLock once(ctx, "app", "the engine given", "up", std::chrono::milliseconds(0));
    path = once.path();
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  std::thread late([fd] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    const std::string note = "pid 42, `edgecrew up`, since 2026-12-06T06:00:00Z\n";
    EXPECT_EQ(::pwrite(fd, note.data(), note.size(), 0), static_cast<ssize_t>(note.size()));
  });
  auto blocked = run({"down", "--wait-lock", "0"});
  late.join();
  ::close(fd);
  EXPECT_EQ(blocked.status, 1);
  EXPECT_THAT(blocked.err, HasSubstr("is busy: pid 42, `edgecrew up`, since "));
  EXPECT_THAT(blocked.err, Not(HasSubstr("another edgecrew")));
}

TEST_F(CliEngineVerbs, PodmanAndCriAreTheEngines) {
  auto other = run({"--engine", "docker", "ps"});
  EXPECT_EQ(other.status, 2);
  EXPECT_THAT(other.err, HasSubstr("--engine"));
  EXPECT_TRUE(opened.empty());  // refused before any engine is opened
  EXPECT_EQ(run({"ps"}).status, 0);
  EXPECT_EQ(run({"--engine", "cri", "ps"}).status, 0);
  f.write("compose.yaml", std::string(k_stack) + "x-edgecrew:\n  engine: cri\n");
  EXPECT_EQ(run({"ps"}).status, 0);
  EXPECT_EQ(run({"--engine", "podman", "ps"}).status, 0);
  EXPECT_EQ(opened, (std::vector<std::string>{"podman", "cri", "cri", "podman"}));
}

TEST_F(CliEngineVerbs, ANewImageUnderTheSameNameIsPlannedAndRecreated) {
  ASSERT_EQ(run({"up"}).status, 0);
  const std::string a = fake->container_of("a");
  fake->retag("busybox", "sha256:2222222222222222222222222222222222222222222222222222222222222222");
  // Both services name busybox: both were created from the old image.
  EXPECT_EQ(run({"plan"}).out, "recreate a  (image changed)\nrecreate b  (image changed)\n");
  EXPECT_EQ(run({"up", "--dry-run"}).out, run({"plan"}).out);
  EXPECT_EQ(run({"plan", "--no-recreate"}).out, "keep    a\nkeep    b\n");
  auto up = run({"up", "a"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(up.out, ::testing::EndsWith("app: 1 recreated\n"));
  EXPECT_NE(fake->container_of("a"), a);
  EXPECT_EQ(run({"plan"}).out, "keep    a\nrecreate b  (image changed)\n");
}

TEST_F(CliEngineVerbs, ForceRecreateAndNoRecreate) {
  ASSERT_EQ(run({"up"}).status, 0);
  EXPECT_EQ(run({"plan", "--force-recreate"}).out, "recreate a  (forced)\nrecreate b  (forced)\n");
  // A named service is forced; what it depends on only when changed.
  EXPECT_EQ(run({"plan", "--force-recreate", "b"}).out, "keep    a\nrecreate b  (forced)\n");
  auto forced = run({"up", "--force-recreate"});
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_THAT(forced.out, ::testing::EndsWith("app: 2 recreated\n"));
  EXPECT_EQ(calls_starting_with("create"), 4);

  f.write("compose.yaml", std::string(k_stack) + "    environment: {X: \"1\"}\n");
  EXPECT_EQ(run({"plan"}).out, "keep    a\nrecreate b  (spec changed)\n");
  auto kept = run({"up", "--no-recreate"});
  ASSERT_EQ(kept.status, 0) << kept.err;
  EXPECT_THAT(kept.out, ::testing::EndsWith("app: 2 kept\n"));
  EXPECT_EQ(calls_starting_with("create"), 4);

  for (const auto& verb : {"plan", "up"}) {
    auto both = run({verb, "--force-recreate", "--no-recreate"});
    EXPECT_EQ(both.status, 2) << verb;
    EXPECT_THAT(both.err, HasSubstr("--force-recreate and --no-recreate are incompatible"));
  }
}

TEST_F(CliEngineVerbs, PullAlwaysMissingNever) {
  auto never = run({"up", "--pull", "never"});
  EXPECT_EQ(never.status, 1);
  EXPECT_THAT(never.err, HasSubstr("--pull never: this image is not in fake's store: busybox"));
  EXPECT_EQ(calls_starting_with("create"), 0);
  EXPECT_EQ(calls_starting_with("pull"), 0);

  ASSERT_EQ(run({"up"}).status, 0);  // missing: pulled once, for both services
  EXPECT_EQ(calls_starting_with("pull"), 1);
  ASSERT_EQ(run({"up", "--pull", "never"}).status, 0);
  ASSERT_EQ(run({"up", "--pull", "missing"}).status, 0);
  EXPECT_EQ(calls_starting_with("pull"), 1);
  // always: pulled although present, before planning.
  auto always = run({"up", "--pull", "always"});
  ASSERT_EQ(always.status, 0) << always.err;
  EXPECT_EQ(calls_starting_with("pull"), 2);
  EXPECT_THAT(always.out, ::testing::EndsWith("app: 2 kept\n"));
  EXPECT_EQ(run({"up", "--dry-run", "--pull", "always"}).status, 0);
  EXPECT_EQ(calls_starting_with("pull"), 2);  // a dry run pulls nothing

  auto bad = run({"up", "--pull", "sometimes"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("--pull"));
}

TEST_F(CliEngineVerbs, UpUnpausesAPausedContainer) {
  ASSERT_EQ(run({"up"}).status, 0);
  const std::string a = fake->container_of("a");
  fake->pause(a);
  EXPECT_EQ(run({"plan"}).out, "unpause a  (paused)\nkeep    b\n");
  auto up = run({"up"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_THAT(up.out, ::testing::EndsWith("app: 1 unpaused, 1 kept\n"));
  EXPECT_EQ(fake->container_of("a"), a);
  EXPECT_EQ(fake->inspect(a)->state, engine::ContainerState::running);
}

}  // namespace
}  // namespace edgecrew::testing
