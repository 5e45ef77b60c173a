#include "render/k8s_wait.h"

#include <fmt/format.h>

#include <algorithm>

#include "render/k8s_names.h"
#include "render/k8s_services.h"

namespace edgecrew::render::k8s {

nlohmann::ordered_json wait_containers(const stack::Stack& stack, const stack::Service& service,
                                       const std::vector<const stack::Service*>& rendered,
                                       std::vector<std::string>& notes) {
  using stack::DependencyCondition;
  json out = json::array();
  for (const auto& dep : service.depends_on) {
    const stack::Service* target = stack.find(dep.service);
    bool is_rendered = std::find(rendered.begin(), rendered.end(), target) != rendered.end();
    // Compose starts without an optional dependency that is not part of the run.
    if (target == nullptr || (!dep.required && !is_rendered)) continue;
    if (dep.condition == DependencyCondition::service_completed_successfully) {
      notes.push_back(fmt::format(
          "depends_on {}: service_completed_successfully is not mapped (it would be a Job)",
          dep.service));
      continue;
    }
    auto ports = service_ports(*target);
    if (ports.empty()) {
      notes.push_back(fmt::format(
          "depends_on {}: not waited for, as it has no port (no ports, no probe) to wait on",
          dep.service));
      continue;
    }
    std::string host = object_name(*target);
    out.push_back(
        {{"name", dns_label("wait-for-" + host)},
         {"image", std::string(k_wait_image)},
         {"command",
          {"sh", "-c",
           fmt::format("until nc -z {} {}; do sleep 2; done", host, ports.front().port)}}});
  }
  return out;
}

}  // namespace edgecrew::render::k8s
