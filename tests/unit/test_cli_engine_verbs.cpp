// The container verbs in-process against the recording fake engine: their output formats and
// what they ask the engine to do. The same verbs against real Podman: tests/podman/.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

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
    r.status =
        cli::run(args, io, f.process, [this](const stack::Stack&, const std::string& engine) {
          opened.push_back(engine);
          return fake;
        });
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
  std::vector<std::string> opened;  // the engine each verb asked the factory for
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

TEST_F(CliEngineVerbs, UpOfANamedServiceBringsItsDependencies) {
  auto plan = run({"plan", "b"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_EQ(plan.out, "create  a\ncreate  b\n");
  EXPECT_EQ(run({"plan", "a"}).out, "create  a\n");
  auto unknown = run({"up", "c"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no service \"c\" in the stack"));
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
  cli::Context ctx{{}, f.process, io};
  {
    cli::ProjectLock held(ctx, "app", "the test engine", "up", std::chrono::milliseconds(0));
    EXPECT_EQ(held.path().parent_path(), f.dir / "run" / "edgecrew");
    const auto started = std::chrono::steady_clock::now();
    for (const char* verb : {"down", "restart", "up"}) {
      auto blocked = run({verb, "--wait-lock", "0.3"});
      EXPECT_EQ(blocked.status, 1) << verb;
      const std::string who = "pid " + std::to_string(::getpid()) + ", `edgecrew up`, since ";
      EXPECT_THAT(blocked.err, HasSubstr("project app on the test engine is locked by " + who))
          << verb;
      EXPECT_THAT(blocked.err, HasSubstr("project app on the test engine is busy: " + who)) << verb;
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

}  // namespace
}  // namespace edgecrew::testing
