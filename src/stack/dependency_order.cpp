#include "stack/dependency_order.h"

#include <algorithm>
#include <set>
#include <string>

namespace edgecrew::stack {

std::vector<std::vector<const Service*>> dependency_order(
    const std::vector<const Service*>& services) {
  std::set<std::string> pending;
  for (const Service* s : services) pending.insert(s->name);

  std::vector<const Service*> rest = services;
  std::sort(rest.begin(), rest.end(),
            [](const Service* a, const Service* b) { return a->name < b->name; });
  std::vector<std::vector<const Service*>> levels;
  while (!rest.empty()) {
    auto ready = [&pending](const Service* s) {
      return std::none_of(s->depends_on.begin(), s->depends_on.end(),
                          [&pending](const DependsOn& d) { return pending.contains(d.service); });
    };
    std::vector<const Service*> level;
    std::copy_if(rest.begin(), rest.end(), std::back_inserter(level), ready);
    if (level.empty()) level = rest;  // a cycle: nothing is ready, so nothing else will be
    for (const Service* s : level) pending.erase(s->name);
    std::erase_if(rest, [&level](const Service* s) {
      return std::find(level.begin(), level.end(), s) != level.end();
    });
    levels.push_back(std::move(level));
  }
  return levels;
}

}  // namespace edgecrew::stack
