// dependency_order: levels from depends_on, names sorted within a level, cycles contained.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stack/dependency_order.h"

namespace edgecrew::stack {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Service service(std::string name, std::vector<std::string> needs = {}) {
  Service s;
  s.name = std::move(name);
  for (auto& n : needs) {
    DependsOn d;
    d.service = std::move(n);
    s.depends_on.push_back(std::move(d));
  }
  return s;
}

std::vector<const Service*> pointers(const std::vector<Service>& services) {
  std::vector<const Service*> out;
  for (const auto& s : services) out.push_back(&s);
  return out;
}

// Levels as "a,b|c".
std::string levels_of(const std::vector<Service>& services) {
  std::string out;
  for (const auto& level : dependency_order(pointers(services))) {
    if (!out.empty()) out += "|";
    for (std::size_t i = 0; i < level.size(); ++i) out += (i ? "," : "") + level[i]->name;
  }
  return out;
}

TEST(DependencyOrder, Empty) {
  EXPECT_THAT(dependency_order({}), IsEmpty());
}

TEST(DependencyOrder, IndependentServicesShareTheFirstLevelSortedByName) {
  EXPECT_EQ(levels_of({service("vllm"), service("neo4j"), service("redis")}), "neo4j,redis,vllm");
}

TEST(DependencyOrder, DependenciesComeInEarlierLevels) {
  EXPECT_EQ(levels_of({service("web", {"api", "redis"}), service("api", {"db", "redis"}),
                       service("redis"), service("db"), service("ui", {"redis"})}),
            "db,redis|api,ui|web");
}

TEST(DependencyOrder, BuiltinShape) {
  EXPECT_EQ(levels_of({service("neo4j"), service("redis"), service("redisinsight", {"redis"}),
                       service("vllm")}),
            "neo4j,redis,vllm|redisinsight");
}

TEST(DependencyOrder, DependenciesOutsideTheSelectionAreIgnored) {
  EXPECT_EQ(levels_of({service("ui", {"redis"}), service("web", {"ui"})}), "ui|web");
}

TEST(DependencyOrder, ACycleEndsInOneLastLevel) {
  EXPECT_EQ(levels_of({service("base"), service("a", {"b", "base"}), service("b", {"a"}),
                       service("c", {"a"}), service("self", {"self"})}),
            "base|a,b,c,self");
}

TEST(DependencyOrder, ReturnsThePointersItWasGiven) {
  std::vector<Service> services = {service("b", {"a"}), service("a")};
  auto levels = dependency_order(pointers(services));
  ASSERT_EQ(levels.size(), 2u);
  EXPECT_THAT(levels[0], ElementsAre(&services[1]));
  EXPECT_THAT(levels[1], ElementsAre(&services[0]));
}

}  // namespace
}  // namespace edgecrew::stack
