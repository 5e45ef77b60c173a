#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "fake_engine.h"
#include "plan/executor.h"
#include "plan/plan.h"

namespace edgecrew::plan {
namespace {

using engine::ContainerState;
using test::depend;
using test::FakeEngine;
using test::make_service;
using test::make_stack;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

ExecutorOptions one_thread() {
  ExecutorOptions options;
  options.parallelism = 1;
  return options;
}

ExecutorOptions stop_timeout(std::chrono::milliseconds timeout) {
  ExecutorOptions options;
  options.stop_timeout = timeout;
  return options;
}

ExecutorOptions remove_volumes() {
  ExecutorOptions options;
  options.remove_volumes = true;
  return options;
}

class TeardownTest : public ::testing::Test {
 protected:
  ExecutionResult down(const stack::Stack& stack, ExecutorOptions options = {}) {
    options.clock = &clock;
    return teardown(engine, stack, options);
  }

  FakeEngine engine;
  test::FakeClock clock;
};

TEST_F(TeardownTest, StopsInReverseDependencyOrderThenRemoves) {
  auto redis = make_service("redis");
  auto neo4j = make_service("neo4j");
  depend(neo4j, "redis");
  auto vllm = make_service("vllm");
  depend(vllm, "neo4j");
  auto stack = make_stack({redis, neo4j, vllm});
  engine.add_container("redis", "h", ContainerState::running);
  engine.add_container("neo4j", "h", ContainerState::running);
  engine.add_container("vllm", "h", ContainerState::running);
  ASSERT_TRUE(down(stack).ok());
  EXPECT_THAT(engine.mutations(),
              ElementsAre("stop vllm-1 10000ms SIGTERM", "remove vllm-1",
                          "stop neo4j-1 10000ms SIGTERM", "remove neo4j-1",
                          "stop redis-1 10000ms SIGTERM", "remove redis-1", "remove_networks app"));
  EXPECT_THAT(engine.containers(), IsEmpty());
}

TEST_F(TeardownTest, StopsTheServicesOfALevelInParallel) {
  auto stack = make_stack({make_service("a"), make_service("b")});
  engine.add_container("a", "h", ContainerState::running);
  engine.add_container("b", "h", ContainerState::running);
  test::Barrier barrier(2);
  std::atomic<int> met{0};
  engine.set_hook([&](const std::string& call) {
    if (call.starts_with("stop ")) met += barrier.arrive_and_wait() ? 1 : 0;
  });
  ASSERT_TRUE(down(stack).ok());
  EXPECT_EQ(met, 2);
}

// Stopping is waiting (each stop may take its whole grace period): every service of a level stops
// at once, past the executor's parallelism, so that down takes one grace period, not several.
TEST_F(TeardownTest, StopsAWholeLevelAtOnceWhateverTheParallelism) {
  std::vector<stack::Service> services;
  for (int i = 0; i < 10; ++i) services.push_back(make_service("s" + std::to_string(i)));
  auto stack = make_stack(services);
  for (const auto& s : services) engine.add_container(s.name, "h", ContainerState::running);
  test::Barrier barrier(10);
  std::atomic<int> met{0};
  engine.set_hook([&](const std::string& call) {
    if (call.starts_with("stop ")) met += barrier.arrive_and_wait() ? 1 : 0;
  });
  ExecutorOptions options;
  options.parallelism = 4;
  ASSERT_TRUE(down(stack, options).ok());
  EXPECT_EQ(met, 10);
}

TEST_F(TeardownTest, HonoursStopGracePeriodAndSignalAndSkipsStoppingExitedOnes) {
  auto neo4j = make_service("neo4j");
  neo4j.stop_grace_period = std::chrono::seconds(30);
  neo4j.stop_signal = "SIGINT";
  auto stack = make_stack({neo4j, make_service("init")});
  engine.add_container("neo4j", "h", ContainerState::running);
  engine.add_container("init", "h", ContainerState::exited);
  engine.add_container("gone", "h", ContainerState::running);  // not in the stack any more
  ASSERT_TRUE(down(stack, one_thread()).ok());  // one thread: a level's order is fixed
  EXPECT_THAT(engine.mutations(),
              ElementsAre("stop gone-1 10000ms SIGTERM", "remove gone-1", "remove init-1",
                          "stop neo4j-1 30000ms SIGINT", "remove neo4j-1", "remove_networks app"));
}

TEST_F(TeardownTest, StopTimeoutOverridesTheGracePeriod) {
  auto stack = make_stack({make_service("redis")});
  engine.add_container("redis", "h", ContainerState::running);
  ASSERT_TRUE(down(stack, stop_timeout(std::chrono::seconds(2))).ok());
  EXPECT_THAT(engine.calls(), Contains("stop redis-1 2000ms SIGTERM"));
}

stack::Stack with_volumes() {
  auto stack = make_stack({make_service("redis")});
  stack.volumes["data"] = test::make_volume("data", "app_data");
  stack.volumes["models"] = test::make_volume("models", "models", true);
  return stack;
}

TEST_F(TeardownTest, KeepsVolumesByDefault) {
  engine.add_container("redis", "h", ContainerState::running);
  ASSERT_TRUE(down(with_volumes()).ok());
  for (const auto& call : engine.calls()) EXPECT_FALSE(call.starts_with("remove_volume")) << call;
}

TEST_F(TeardownTest, RemovesVolumesOnRequestButNeverExternalOnes) {
  engine.add_container("redis", "h", ContainerState::running);
  ASSERT_TRUE(down(with_volumes(), remove_volumes()).ok());
  EXPECT_THAT(engine.calls(), Contains("remove_volume app_data"));
  EXPECT_THAT(engine.calls(), Not(Contains("remove_volume models")));
  EXPECT_LT(engine.index_of("remove redis-1"), engine.index_of("remove_volume app_data"));
}

TEST_F(TeardownTest, ReportsOnlyTheVolumesThatExistedAndRemovesNetworksAfterContainers) {
  engine.add_container("redis", "h", ContainerState::running);
  auto stack = with_volumes();
  stack.networks["default"] = {.key = "default", .name = "app_default"};
  stack.networks["corp"] = {.key = "corp", .name = "corp", .external = true};
  // app_data was never created: nothing to report for it.
  auto result = down(stack, remove_volumes());
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result.removed_volumes, ::testing::IsEmpty());
  EXPECT_THAT(result.removed_networks, ::testing::ElementsAre("app_default"));
  EXPECT_LT(engine.index_of("remove redis-1"), engine.index_of("remove_networks app"));
  EXPECT_THAT(engine.calls(), Contains("remove_anonymous_volumes app"));

  ASSERT_TRUE(engine.ensure_volume(stack.volumes.at("data"), "app"));
  EXPECT_THAT(down(stack, remove_volumes()).removed_volumes, ::testing::ElementsAre("app_data"));
}

// A network another project's containers still use is kept and named; down still succeeds.
TEST_F(TeardownTest, ANetworkStillInUseIsKeptAndNamedNotAFailure) {
  engine.add_container("redis", "h", ContainerState::running);
  auto stack = with_volumes();
  stack.networks["default"] = {.key = "default", .name = "app_default"};
  stack.networks["shared"] = {.key = "shared", .name = "shared-net"};
  engine.network_in_use("shared-net");
  auto result = down(stack, remove_volumes());
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result.removed_networks, ::testing::ElementsAre("app_default"));
  EXPECT_THAT(result.networks_in_use, ::testing::ElementsAre("shared-net"));
}

TEST_F(TeardownTest, AFailedStopIsReportedAndTheRestStillGoes) {
  auto stack = make_stack({make_service("a"), make_service("b")});
  engine.add_container("a", "h", ContainerState::running);
  engine.add_container("b", "h", ContainerState::running);
  engine.fail_call("stop a-1 10000ms SIGTERM", "timeout");
  auto result = down(stack);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].service, "a");
  EXPECT_EQ(result.failures[0].why, "stop a-1 failed: timeout");
  EXPECT_THAT(engine.calls(), Contains("remove b-1"));
}

}  // namespace
}  // namespace edgecrew::plan
