#include <gtest/gtest.h>

#include "fake_engine.h"
#include "plan/plan.h"
#include "stack/normalize.h"

namespace edgecrew::plan {
namespace {

using engine::Container;
using engine::ContainerState;
using test::depend;
using test::make_service;
using test::make_stack;

// redis <- neo4j <- vllm: three levels, so the plan's order is visible.
stack::Stack three_services() {
  auto redis = make_service("redis");
  auto neo4j = make_service("neo4j");
  depend(neo4j, "redis");
  auto vllm = make_service("vllm");
  depend(vllm, "neo4j");
  return make_stack({redis, neo4j, vllm});
}

Container container(const std::string& id, const std::string& service, const std::string& hash,
                    ContainerState state = ContainerState::running, int started = 1) {
  Container c;
  c.id = id;
  c.name = "app_" + id;
  c.service = service;
  c.spec_hash = hash;
  c.state = state;
  c.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(started));
  return c;
}

std::string hash_of(const stack::Stack& stack, const std::string& service) {
  return stack::spec_hash(*stack.find(service), stack);
}

TEST(PlanTest, CreatesEveryServiceOfAnEmptyProjectInDependencyOrder) {
  auto stack = three_services();
  Plan plan = make_plan(stack, test::all_services(stack), {});
  EXPECT_EQ(describe(plan),
            "create  redis\n"
            "create  neo4j\n"
            "create  vllm\n");
  ASSERT_EQ(plan.levels.size(), 3u);
  EXPECT_TRUE(plan.changes());
  EXPECT_EQ(plan.action_for("neo4j")->spec_hash, hash_of(stack, "neo4j"));
}

TEST(PlanTest, KeepsRunningContainersWithTheSameHash) {
  auto stack = three_services();
  std::vector<Container> observed = {container("r1", "redis", hash_of(stack, "redis")),
                                     container("n1", "neo4j", hash_of(stack, "neo4j")),
                                     container("v1", "vllm", hash_of(stack, "vllm"))};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "keep    redis\n"
            "keep    neo4j\n"
            "keep    vllm\n");
  EXPECT_FALSE(plan.changes());
  EXPECT_EQ(plan.action_for("redis")->container_id, "r1");
}

TEST(PlanTest, RecreatesWhenTheSpecHashDiffersAndStartsStoppedOnes) {
  auto stack = three_services();
  std::vector<Container> observed = {
      container("r1", "redis", hash_of(stack, "redis"), ContainerState::exited),
      container("n1", "neo4j", "old-hash"),
      container("v1", "vllm", hash_of(stack, "vllm"), ContainerState::created)};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "start   redis  (exited)\n"
            "recreate neo4j  (spec changed)\n"
            "start   vllm  (created)\n");
  EXPECT_EQ(plan.action_for("neo4j")->kind, ActionKind::recreate);
  EXPECT_EQ(plan.action_for("neo4j")->container_id, "n1");
}

TEST(PlanTest, AChangedEnvironmentValueChangesOnlyThatServicesAction) {
  auto stack = three_services();
  std::vector<Container> observed = {container("r1", "redis", hash_of(stack, "redis")),
                                     container("n1", "neo4j", hash_of(stack, "neo4j")),
                                     container("v1", "vllm", hash_of(stack, "vllm"))};
  stack.services[0].environment["NEO4J_AUTH"] = "none";  // sorted by name: neo4j is first
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "keep    redis\n"
            "recreate neo4j  (spec changed)\n"
            "keep    vllm\n");
}

TEST(PlanTest, OrphansAreAWarningWithoutRemoveOrphans) {
  auto stack = make_stack({make_service("redis")});
  std::vector<Container> observed = {container("r1", "redis", hash_of(stack, "redis")),
                                     container("o1", "old", "h")};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "keep    redis\n"
            "warning: container app_o1 of service \"old\" is not in the stack (--remove-orphans "
            "removes it)\n");
  EXPECT_FALSE(plan.changes());
}

TEST(PlanTest, OrphansAreRemovedWithRemoveOrphans) {
  auto stack = make_stack({make_service("redis")});
  std::vector<Container> observed = {container("r1", "redis", hash_of(stack, "redis")),
                                     container("o2", "old", "h"), container("o1", "old", "h")};
  Plan plan = make_plan(stack, test::all_services(stack), observed, {.remove_orphans = true});
  EXPECT_EQ(describe(plan),
            "keep    redis\n"
            "remove  old  (orphan app_o1)\n"
            "remove  old  (orphan app_o2)\n");
  EXPECT_TRUE(plan.warnings.empty());
  EXPECT_EQ(plan.actions[1].spec, nullptr);
}

TEST(PlanTest, ServicesNotSelectedAreNeitherOrphansNorTouched) {
  auto stack = make_stack({make_service("redis"), make_service("insight")});
  std::vector<Container> observed = {container("i1", "insight", "h")};
  Plan plan = make_plan(stack, {stack.find("redis")}, observed, {.remove_orphans = true});
  EXPECT_EQ(describe(plan), "create  redis\n");
}

TEST(PlanTest, DuplicatesKeepTheNewestMatchingContainer) {
  auto stack = make_stack({make_service("redis")});
  std::string hash = hash_of(stack, "redis");
  std::vector<Container> observed = {
      container("r1", "redis", hash, ContainerState::running, 1),
      container("r3", "redis", "stale", ContainerState::running, 9),  // newest, but not matching
      container("r2", "redis", hash, ContainerState::running, 5)};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "remove  redis  (duplicate app_r1)\n"
            "remove  redis  (duplicate app_r3)\n"
            "keep    redis\n");
  EXPECT_EQ(plan.action_for("redis")->container_id, "r2");
}

TEST(PlanTest, DuplicatesWithoutAMatchRecreateTheNewest) {
  auto stack = make_stack({make_service("redis")});
  std::vector<Container> observed = {container("r1", "redis", "a", ContainerState::running, 1),
                                     container("r2", "redis", "b", ContainerState::exited, 2)};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "remove  redis  (duplicate app_r1)\n"
            "recreate redis  (spec changed)\n");
  EXPECT_EQ(plan.action_for("redis")->container_id, "r2");
}

}  // namespace
}  // namespace edgecrew::plan
