#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "fake_engine.h"
#include "fixtures/socket_server.h"
#include "plan/executor.h"
#include "plan/plan.h"
#include "plan/readiness.h"

namespace edgecrew::plan {
namespace {

using stack::DependencyCondition;
using test::depend;
using test::FakeEngine;
using test::make_service;
using test::make_stack;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Plans against what the fake holds and applies, on a virtual clock, recording the events.
class ExecutorTest : public ::testing::Test {
 protected:
  ExecutionResult up(const stack::Stack& stack, ExecutorOptions options = {}) {
    auto observed = engine.list(stack.name);
    Plan plan = make_plan(stack, test::all_services(stack), *observed);
    options.clock = &clock;
    if (!options.events) {
      options.events = [this](const Event& e) { events.push_back(e); };  // called under a lock
    }
    return apply(engine, plan, options);
  }

  // Marks every image of the stack present, so that only the calls under test are recorded.
  void have_images(const stack::Stack& stack) {
    for (const auto& service : stack.services) engine.add_image(service.image);
  }

  bool has_event(const std::string& service, Phase phase) const {
    return std::any_of(events.begin(), events.end(),
                       [&](const Event& e) { return e.service == service && e.phase == phase; });
  }

  FakeEngine engine;
  test::FakeClock clock;
  std::vector<Event> events;
};

ExecutorOptions one_thread() {
  ExecutorOptions options;
  options.parallelism = 1;
  return options;
}

ExecutorOptions waiting(std::chrono::milliseconds timeout) {
  ExecutorOptions options;
  options.wait = true;
  options.wait_timeout = timeout;
  return options;
}

ExecutorOptions on(Clock& clock) {
  ExecutorOptions options;
  options.clock = &clock;
  return options;
}

stack::Stack chain() {
  auto redis = make_service("redis");
  auto neo4j = make_service("neo4j");
  depend(neo4j, "redis");
  auto vllm = make_service("vllm");
  depend(vllm, "neo4j");
  return make_stack({redis, neo4j, vllm});
}

stack::Healthcheck redis_ping(int retries = 3) {
  stack::Healthcheck check;
  check.argv = {"redis-cli ping"};
  check.shell = true;
  check.interval = std::chrono::seconds(1);
  check.timeout = std::chrono::seconds(1);
  check.retries = retries;
  return check;
}

TEST_F(ExecutorTest, CreatesANewStackInDependencyOrder) {
  auto stack = chain();
  have_images(stack);
  auto result = up(stack);
  ASSERT_TRUE(result.ok()) << result.failures[0].why;
  EXPECT_THAT(engine.mutations(), ElementsAre("create redis", "start redis-1", "create neo4j",
                                              "start neo4j-1", "create vllm", "start vllm-1"));
  EXPECT_TRUE(has_event("vllm", Phase::started));
}

TEST_F(ExecutorTest, RunsTheServicesOfALevelInParallel) {
  auto stack = make_stack({make_service("a"), make_service("b")});
  have_images(stack);
  test::Barrier barrier(2);
  std::atomic<int> met{0};
  engine.set_hook([&](const std::string& call) {
    if (call == "create a" || call == "create b") met += barrier.arrive_and_wait() ? 1 : 0;
  });
  ASSERT_TRUE(up(stack).ok());
  EXPECT_EQ(met, 2);  // both creates were in flight at once
}

TEST_F(ExecutorTest, RunsLevelsOneAfterAnotherWithOneThread) {
  auto stack = make_stack({make_service("a"), make_service("b")});
  have_images(stack);
  ASSERT_TRUE(up(stack, one_thread()).ok());
  EXPECT_THAT(engine.mutations(), ElementsAre("create a", "start a-1", "create b", "start b-1"));
}

TEST_F(ExecutorTest, ASecondApplyOfAnUnchangedStackMutatesNothing) {
  auto stack = chain();
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  auto before = engine.mutations().size();
  ASSERT_TRUE(up(stack).ok());
  EXPECT_EQ(engine.mutations().size(), before);
  EXPECT_TRUE(has_event("redis", Phase::started));
}

TEST_F(ExecutorTest, ChangingOneEnvironmentValueRecreatesOnlyThatService) {
  auto stack = chain();
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  auto before = engine.mutations().size();
  stack::Service& neo4j = stack.services[0];
  neo4j.environment["NEO4J_AUTH"] = "none";
  neo4j.stop_signal = "SIGINT";
  neo4j.stop_grace_period = std::chrono::seconds(5);
  ASSERT_TRUE(up(stack).ok());
  auto after = engine.mutations();
  after.erase(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(before));
  EXPECT_THAT(after, ElementsAre("stop neo4j-1 5000ms SIGINT", "remove neo4j-1", "create neo4j",
                                 "start neo4j-2"));
}

TEST_F(ExecutorTest, APausedContainerIsUnpausedNotStartedNorRecreated) {
  auto stack = chain();
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  const std::string redis = engine.container_of("redis");
  auto before = engine.mutations().size();
  engine.pause(redis);
  ASSERT_TRUE(up(stack).ok());
  auto after = engine.mutations();
  after.erase(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(before));
  EXPECT_THAT(after, ElementsAre("unpause " + redis));
  EXPECT_EQ(engine.inspect(redis)->state, engine::ContainerState::running);

  engine.pause(redis);
  engine.fail_call("unpause " + redis, "cgroup freezer gone");
  auto failed = up(stack);
  ASSERT_EQ(failed.failures.size(), 1u);
  EXPECT_EQ(failed.failures[0].why, "unpause failed: cgroup freezer gone");
}

TEST_F(ExecutorTest, ANewImageUnderTheSameNameRecreatesOnlyItsService) {
  auto stack = chain();
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  auto before = engine.mutations().size();
  const std::string redis = engine.container_of("redis");
  engine.retag("docker.io/library/redis:1",
               "sha256:2222222222222222222222222222222222222222222222222222222222222222");
  auto observed = engine.list(stack.name);
  PlanOptions options;
  for (const auto& image : images_to_compare(stack, test::all_services(stack), *observed, {})) {
    options.image_ids[image] = (*engine.image(image))->id;
  }
  Plan plan = make_plan(stack, test::all_services(stack), *observed, options);
  ExecutorOptions exec;
  exec.clock = &clock;
  ASSERT_TRUE(apply(engine, plan, exec).ok());
  auto after = engine.mutations();
  after.erase(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(before));
  EXPECT_THAT(after, ElementsAre("stop " + redis + " 10000ms SIGTERM", "remove " + redis,
                                 "create redis", "start redis-2"));
}

TEST_F(ExecutorTest, PullsOnlyImagesThatAreNotPresent) {
  auto stack = make_stack({make_service("redis"), make_service("neo4j")});
  engine.add_image("docker.io/library/redis:1");
  ASSERT_TRUE(up(stack).ok());
  EXPECT_THAT(engine.calls(), Contains("pull docker.io/library/neo4j:1"));
  EXPECT_THAT(engine.calls(), Not(Contains("pull docker.io/library/redis:1")));
  EXPECT_LT(engine.index_of("pull docker.io/library/neo4j:1"), engine.index_of("create neo4j"));
  EXPECT_TRUE(has_event("neo4j", Phase::pulling));
}

TEST_F(ExecutorTest, AFailedPullFailsTheServiceWithoutCreatingIt) {
  auto stack = make_stack({make_service("redis")});
  engine.fail_call("pull docker.io/library/redis:1", "manifest unknown");
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].why, "pull docker.io/library/redis:1 failed: manifest unknown");
  EXPECT_EQ(engine.index_of("create redis"), -1);
}

TEST_F(ExecutorTest, EnsuresNamedVolumesBeforeCreating) {
  auto redis = make_service("redis");
  stack::Mount mount;
  mount.source = "data";
  mount.target = "/data";
  redis.mounts.push_back(mount);
  auto stack = make_stack({redis});
  stack.volumes["data"] = test::make_volume("data", "app_data");
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  ASSERT_NE(engine.index_of("ensure_volume app_data"), -1);
  EXPECT_LT(engine.index_of("ensure_volume app_data"), engine.index_of("create redis"));
  EXPECT_TRUE(engine.volumes().contains("app_data"));
}

TEST_F(ExecutorTest, ServiceHealthyWaitsThroughTheExecHealthcheck) {
  auto redis = make_service("redis");
  redis.healthcheck = redis_ping();
  auto app = make_service("app");
  depend(app, "redis", DependencyCondition::service_healthy);
  auto stack = make_stack({redis, app});
  have_images(stack);
  engine.script_exec("redis", {1, 1});  // unhealthy twice, then healthy
  auto result = up(stack);
  ASSERT_TRUE(result.ok()) << result.failures[0].why;
  std::vector<std::string> execs;
  for (const auto& call : engine.calls()) {
    if (call.starts_with("exec")) execs.push_back(call);
  }
  EXPECT_THAT(execs, ElementsAre("exec redis-1 /bin/sh -c redis-cli ping",
                                 "exec redis-1 /bin/sh -c redis-cli ping",
                                 "exec redis-1 /bin/sh -c redis-cli ping"));
  auto all = engine.calls();
  int last_exec = 0;
  for (int i = 0; i < static_cast<int>(all.size()); ++i) {
    if (all[i].starts_with("exec")) last_exec = i;
  }
  EXPECT_GT(engine.index_of("start app-1"), last_exec);
  EXPECT_TRUE(has_event("redis", Phase::healthy));
}

// A healthcheck through the engine is a process in the container (and on Podman a conmon that
// lingers for minutes): it runs at most once a second, not at the probes' 50 ms.
TEST_F(ExecutorTest, ExecHealthchecksRunAtMostOncePerSecond) {
  auto redis = make_service("redis");
  redis.healthcheck = redis_ping();  // interval 30 s
  auto app = make_service("app");
  depend(app, "redis", DependencyCondition::service_healthy);
  auto stack = make_stack({redis, app});
  have_images(stack);
  engine.script_exec("redis", {1, 1});
  auto before = clock.now();
  ASSERT_TRUE(up(stack).ok());
  auto waited = clock.now() - before;
  EXPECT_GE(waited, std::chrono::seconds(2));  // two failures, each followed by a 1 s pause
  EXPECT_LT(waited, std::chrono::seconds(3));  // and not the 30 s interval
}

TEST_F(ExecutorTest, AHealthcheckThatKeepsFailingFailsTheDependent) {
  auto redis = make_service("redis");
  redis.healthcheck = redis_ping(2);
  auto app = make_service("app");
  depend(app, "redis", DependencyCondition::service_healthy);
  auto stack = make_stack({redis, app});
  have_images(stack);
  engine.script_exec("redis", std::vector<int>(1000, 1), "NOAUTH Authentication required.");
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].service, "app");
  EXPECT_THAT(result.failures[0].why,
              HasSubstr("dependency redis: redis is unhealthy: healthcheck \"redis-cli ping\""));
  EXPECT_THAT(result.failures[0].why,
              HasSubstr("last answer: exit 1: NOAUTH Authentication required."));
  EXPECT_EQ(engine.index_of("start app-1"), -1);
}

TEST_F(ExecutorTest, CompletedSuccessfullyStartsTheDependentAfterExitZero) {
  auto init = make_service("init");
  auto app = make_service("app");
  depend(app, "init", DependencyCondition::service_completed_successfully);
  auto stack = make_stack({init, app});
  have_images(stack);
  engine.exit_on_start("init", 0);
  auto result = up(stack);
  ASSERT_TRUE(result.ok()) << result.failures[0].why;
  EXPECT_GT(engine.index_of("start app-1"), engine.index_of("start init-1"));
}

TEST_F(ExecutorTest, CompletedSuccessfullyWithExitTwoDoesNotStartTheDependent) {
  auto init = make_service("init");
  auto app = make_service("app");
  depend(app, "init", DependencyCondition::service_completed_successfully);
  auto stack = make_stack({init, app});
  have_images(stack);
  engine.exit_on_start("init", 2);
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].service, "app");
  EXPECT_EQ(result.failures[0].why, "dependency init: init exited with code 2");
  EXPECT_EQ(engine.index_of("start app-1"), -1);
  EXPECT_TRUE(has_event("app", Phase::failed));
}

TEST_F(ExecutorTest, WithoutWaitAContainerThatExitsWithAnErrorAtStartFailsTheUp) {
  auto bad = make_service("bad");
  auto once = make_service("once");
  auto fine = make_service("fine");
  auto stack = make_stack({bad, once, fine});
  have_images(stack);
  engine.exit_on_start("bad", 3);
  engine.exit_on_start("once", 0);  // a one-shot that did its job
  auto start = clock.now();
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].service, "bad");
  EXPECT_EQ(result.failures[0].why,
            "exited with code 3 right after it started (see `edgecrew logs bad`)");
  // One look, k_start_settle after the last start: cheap, and only then.
  EXPECT_EQ(clock.now() - start, k_start_settle);
  EXPECT_TRUE(has_event("bad", Phase::failed));
}

TEST_F(ExecutorTest, WithoutWaitNothingStartedMeansNoSettleCheck) {
  auto stack = make_stack({make_service("a")});
  have_images(stack);
  ASSERT_TRUE(up(stack).ok());
  auto start = clock.now();
  ASSERT_TRUE(up(stack).ok());  // kept: nothing started, nothing to look at
  EXPECT_EQ(clock.now(), start);
}

TEST_F(ExecutorTest, AFailureInALevelStopsTheLevelsAfterIt) {
  auto stack = chain();
  have_images(stack);
  engine.fail_call("create redis", "no space left on device");
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].service, "redis");
  EXPECT_EQ(result.failures[0].why, "create failed: no space left on device");
  EXPECT_THAT(result.skipped, ElementsAre("neo4j", "vllm"));
  EXPECT_THAT(engine.mutations(), ElementsAre("create redis"));
}

TEST_F(ExecutorTest, AFailureInALevelLetsTheRestOfThatLevelFinish) {
  auto stack = make_stack({make_service("a"), make_service("b")});
  have_images(stack);
  engine.fail_call("start a-1", "port is already allocated");
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].why, "start failed: port is already allocated");
  EXPECT_THAT(engine.calls(), Contains("start b-1"));
}

TEST_F(ExecutorTest, WaitTimeoutNamesTheHealthcheckAndItsLastAnswer) {
  auto redis = make_service("redis");
  redis.healthcheck = redis_ping(100'000);  // never unhealthy before the timeout
  auto stack = make_stack({redis});
  have_images(stack);
  engine.script_exec("redis", std::vector<int>(100'000, 1), "NOAUTH Authentication required.");
  auto result = up(stack, waiting(std::chrono::seconds(10)));
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].why,
            "timed out after 10.0 s waiting for redis to be healthy: healthcheck \"redis-cli "
            "ping\" last answered: exit 1: NOAUTH Authentication required.");
}

TEST_F(ExecutorTest, WaitCountsAOneShotThatExitedZeroAsReady) {
  auto init = make_service("init");
  auto redis = make_service("redis");
  redis.healthcheck = redis_ping();
  auto stack = make_stack({init, redis});
  have_images(stack);
  engine.exit_on_start("init", 0);
  engine.script_exec("redis", {1});
  auto result = up(stack, waiting(std::chrono::seconds(10)));
  ASSERT_TRUE(result.ok()) << result.failures[0].why;
  EXPECT_TRUE(has_event("init", Phase::healthy));
  EXPECT_TRUE(has_event("redis", Phase::healthy));
}

TEST_F(ExecutorTest, RemovesOrphansWhenThePlanSaysSo) {
  auto stack = make_stack({make_service("redis")});
  have_images(stack);
  engine.add_container("old", "h", engine::ContainerState::running);
  auto observed = engine.list("app");
  Plan plan = make_plan(stack, test::all_services(stack), *observed, {.remove_orphans = true});
  ASSERT_TRUE(apply(engine, plan, on(clock)).ok());
  EXPECT_THAT(engine.mutations(), ElementsAre("stop old-1 10000ms SIGTERM", "remove old-1",
                                              "create redis", "start redis-1"));
}

TEST_F(ExecutorTest, FailuresAndEventsNeverShowASecret) {
  auto stack = make_stack({make_service("redis")});
  stack.secret_values = {"hunter2"};
  have_images(stack);
  engine.fail_call("create redis", "bad env REDIS_PASSWORD=hunter2");
  auto result = up(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_THAT(result.failures[0].why, Not(HasSubstr("hunter2")));
  for (const Event& e : events) EXPECT_THAT(e.detail, Not(HasSubstr("hunter2")));
}

TEST(ExecutorHealthcheckTest, CmdRunsItsArgumentsAndCmdShellRunsAShell) {
  stack::Healthcheck check;
  check.argv = {"redis-cli", "ping"};
  EXPECT_THAT(stack::healthcheck_argv(check), ElementsAre("redis-cli", "ping"));
  check.argv = {"redis-cli ping || exit 1"};
  check.shell = true;
  EXPECT_THAT(stack::healthcheck_argv(check),
              ElementsAre("/bin/sh", "-c", "redis-cli ping || exit 1"));
}

TEST_F(ExecutorTest, EventsNeverInterleave) {
  std::vector<stack::Service> services;
  for (const char* name : {"a", "b", "c", "d", "e", "f"}) services.push_back(make_service(name));
  auto stack = make_stack(services);
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::atomic<int> count{0};
  ExecutorOptions options;
  options.events = [&](const Event&) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    ++count;
    inside.fetch_sub(1);
  };
  ASSERT_TRUE(up(stack, options).ok());
  EXPECT_FALSE(overlapped);
  EXPECT_GE(count, 6 * 5);  // pulling x2, creating, created, starting, started per service
}

// --- a native probe's wait budget follows Compose's healthcheck timing ------------------------

// Waits for `service` to be healthy by a tcp probe on a port that refuses, on a virtual clock:
// how long (virtual) it waited, and why it gave up.
struct ProbeWait {
  std::chrono::milliseconds waited;
  Readiness readiness;
};

ProbeWait wait_refusing_probe(stack::Service service,
                              std::optional<std::chrono::milliseconds> wait_timeout = {}) {
  edgecrew::testing::SocketServer refusing(edgecrew::testing::stall, /*listen_now=*/false);
  stack::Probe probe;
  probe.kind = stack::Probe::Kind::tcp;
  probe.host = "127.0.0.1";
  probe.port = refusing.port();
  service.probe = probe;
  FakeEngine engine;
  test::FakeClock clock;
  auto start = clock.now();
  WaitContext context{engine,
                      clock,
                      std::chrono::milliseconds(50),
                      std::chrono::milliseconds(1000),
                      {},
                      std::chrono::milliseconds(0)};
  if (wait_timeout) {
    context.deadline = start + *wait_timeout;
    context.budget = *wait_timeout;
  }
  Readiness readiness =
      wait_for_condition(context, service, "id", DependencyCondition::service_healthy);
  return {std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start), readiness};
}

TEST(ProbeWaitBudget, WithoutAHealthcheckItIsComposesDefault90sNotAFixed15s) {
  auto wait = wait_refusing_probe(make_service("vllm"));
  EXPECT_FALSE(wait.readiness.ready);
  EXPECT_EQ(wait.waited, std::chrono::seconds(90));
  EXPECT_THAT(wait.readiness.detail, HasSubstr("vllm is not healthy: probe (tcp)"));
}

TEST(ProbeWaitBudget, AStartPeriodIsWaitedOutBeforeRetriesCount) {
  stack::Service vllm = make_service("vllm");
  stack::Healthcheck timing;
  // No command in the container (argv empty): only the timing.
  timing.start_period = std::chrono::minutes(10);
  timing.interval = std::chrono::seconds(30);
  timing.retries = 3;
  vllm.healthcheck = timing;
  auto wait = wait_refusing_probe(vllm);
  EXPECT_FALSE(wait.readiness.ready);
  EXPECT_EQ(wait.waited, std::chrono::seconds(690));
}

TEST(ProbeWaitBudget, TheWaitTimeoutEndsItFirstAndNamesTheProbe) {
  stack::Service vllm = make_service("vllm");
  stack::Healthcheck timing;
  timing.start_period = std::chrono::minutes(10);
  vllm.healthcheck = timing;
  auto wait = wait_refusing_probe(vllm, std::chrono::minutes(2));
  EXPECT_FALSE(wait.readiness.ready);
  EXPECT_GE(wait.waited, std::chrono::seconds(120));
  EXPECT_LT(wait.waited, std::chrono::milliseconds(120'100));
  EXPECT_THAT(wait.readiness.detail,
              HasSubstr("timed out after 120.0 s waiting for vllm to be healthy: probe (tcp)"));
}

}  // namespace
}  // namespace edgecrew::plan
