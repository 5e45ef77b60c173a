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

// --- images, recreate policies and states (issue: a new image under the same name was kept) ---

constexpr const char* k_old_id =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
constexpr const char* k_new_id =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

// The three services up to date, each created from k_old_id.
std::vector<Container> up_to_date(const stack::Stack& stack) {
  std::vector<Container> observed;
  for (const char* service : {"redis", "neo4j", "vllm"}) {
    Container c =
        container(std::string(service).substr(0, 1) + "1", service, hash_of(stack, service));
    c.image_id = k_old_id;
    observed.push_back(c);
  }
  return observed;
}

std::map<std::string, std::string> ids(const stack::Stack& stack, const std::string& redis_id) {
  std::map<std::string, std::string> out;
  for (const auto& s : stack.services) out[s.image] = k_old_id;
  out[stack.find("redis")->image] = redis_id;
  return out;
}

TEST(PlanTest, RecreatesWhenTheStoresImageIdDiffersFromTheContainers) {
  auto stack = three_services();
  auto observed = up_to_date(stack);
  Plan plan =
      make_plan(stack, test::all_services(stack), observed, {.image_ids = ids(stack, k_new_id)});
  EXPECT_EQ(describe(plan),
            "recreate redis  (image changed)\n"
            "keep    neo4j\n"
            "keep    vllm\n");
  EXPECT_EQ(plan.action_for("redis")->container_id, "r1");
  // The same id, with or without its "sha256:" prefix: kept.
  std::string bare = std::string(k_old_id).substr(7);
  EXPECT_FALSE(
      make_plan(stack, test::all_services(stack), observed, {.image_ids = ids(stack, bare)})
          .changes());
}

TEST(PlanTest, AnImageIdNotKnownOnEitherSideIsNotCompared) {
  auto stack = three_services();
  auto observed = up_to_date(stack);
  // Not looked up (or gone from the store): kept.
  auto no_redis = ids(stack, k_new_id);
  no_redis.erase(stack.find("redis")->image);
  EXPECT_FALSE(
      make_plan(stack, test::all_services(stack), observed, {.image_ids = no_redis}).changes());
  // The engine does not say which image the container has: kept.
  observed[0].image_id.clear();  // redis
  EXPECT_FALSE(
      make_plan(stack, test::all_services(stack), observed, {.image_ids = ids(stack, k_new_id)})
          .changes());
}

TEST(PlanTest, ForceRecreateReplacesTheNamedServicesOnly) {
  auto stack = three_services();
  auto observed = up_to_date(stack);
  Plan all = make_plan(stack, test::all_services(stack), observed,
                       {.recreate = RecreatePolicy::always, .image_ids = ids(stack, k_old_id)});
  EXPECT_EQ(describe(all),
            "recreate redis  (forced)\n"
            "recreate neo4j  (forced)\n"
            "recreate vllm  (forced)\n");
  // `up --force-recreate vllm`: its dependencies are recreated only when they changed.
  Plan named = make_plan(
      stack, test::all_services(stack), observed,
      {.recreate = RecreatePolicy::always, .named = {"vllm"}, .image_ids = ids(stack, k_new_id)});
  EXPECT_EQ(describe(named),
            "recreate redis  (image changed)\n"
            "keep    neo4j\n"
            "recreate vllm  (forced)\n");
}

TEST(PlanTest, NoRecreateKeepsChangedContainersAndStartsStoppedOnes) {
  auto stack = three_services();
  auto observed = up_to_date(stack);
  observed[1].spec_hash = "old-hash";          // neo4j's spec changed
  observed[0].state = ContainerState::exited;  // redis stopped, and its image changed
  Plan plan = make_plan(stack, test::all_services(stack), observed,
                        {.recreate = RecreatePolicy::never, .image_ids = ids(stack, k_new_id)});
  EXPECT_EQ(describe(plan),
            "start   redis  (exited)\n"
            "keep    neo4j\n"
            "keep    vllm\n");
  // Without it, both are recreated.
  Plan changed =
      make_plan(stack, test::all_services(stack), observed, {.image_ids = ids(stack, k_new_id)});
  EXPECT_EQ(describe(changed),
            "recreate redis  (image changed)\n"
            "recreate neo4j  (spec changed)\n"
            "keep    vllm\n");
}

TEST(PlanTest, EachContainerStateHasItsAction) {
  auto stack = make_stack({make_service("a"), make_service("b"), make_service("c"),
                           make_service("d"), make_service("e"), make_service("f")});
  std::vector<Container> observed = {
      container("a1", "a", hash_of(stack, "a"), ContainerState::paused),
      container("b1", "b", hash_of(stack, "b"), ContainerState::restarting),
      container("c1", "c", hash_of(stack, "c"), ContainerState::dead),
      container("d1", "d", hash_of(stack, "d"), ContainerState::removing),
      container("e1", "e", hash_of(stack, "e"), ContainerState::stopping),
      container("f1", "f", "old-hash", ContainerState::paused)};
  Plan plan = make_plan(stack, test::all_services(stack), observed);
  EXPECT_EQ(describe(plan),
            "unpause a  (paused)\n"
            "keep    b  (restarting)\n"
            "recreate c  (dead)\n"
            "remove  d  (removing app_d1)\n"
            "create  d\n"
            "start   e  (stopping)\n"
            "recreate f  (spec changed)\n");
  EXPECT_EQ(plan.action_for("a")->container_id, "a1");
  // A dead container is replaced even with --no-recreate: it can neither start nor run.
  Plan never =
      make_plan(stack, test::all_services(stack), observed, {.recreate = RecreatePolicy::never});
  EXPECT_EQ(never.action_for("c")->kind, ActionKind::recreate);
  EXPECT_EQ(never.action_for("f")->kind, ActionKind::unpause);
}

TEST(PlanTest, ImagesToCompareAreThoseOfContainersThatWouldBeKept) {
  auto stack = three_services();
  auto observed = up_to_date(stack);
  observed[1].spec_hash = "old-hash";  // neo4j is recreated anyway
  const auto& redis = stack.find("redis")->image;
  const auto& vllm = stack.find("vllm")->image;
  EXPECT_EQ(images_to_compare(stack, test::all_services(stack), observed, {}),
            (std::vector<std::string>{redis, vllm}));
  EXPECT_EQ(images_to_compare(stack, test::all_services(stack), observed,
                              {.recreate = RecreatePolicy::always, .named = {"vllm"}}),
            (std::vector<std::string>{redis}));
  EXPECT_TRUE(images_to_compare(stack, test::all_services(stack), observed,
                                {.recreate = RecreatePolicy::never})
                  .empty());
  EXPECT_TRUE(images_to_compare(stack, test::all_services(stack), {}, {}).empty());
}

}  // namespace
}  // namespace edgecrew::plan
