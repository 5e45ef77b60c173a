#include "render/crio_render.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "render/crictl_json.h"
#include "render/crio_readme.h"
#include "stack/secrets.h"

namespace edgecrew::render {

namespace {

std::size_t count_unexpanded(const std::string& text) {
  std::size_t n = 0;
  for (auto at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) ++n;
  return n;
}

// The "${" a service holds on purpose: the stack file wrote "$${" to get a literal one.
std::size_t literal_unexpanded(const stack::Service& service) {
  std::size_t n = count_unexpanded(service.image) + count_unexpanded(service.working_dir) +
                  count_unexpanded(service.user) + count_unexpanded(service.hostname);
  for (const auto* words : {&service.entrypoint, &service.command}) {
    if (*words) {
      for (const auto& w : **words) n += count_unexpanded(w);
    }
  }
  for (const auto* map : {&service.environment, &service.labels}) {
    for (const auto& [key, value] : *map) n += count_unexpanded(key) + count_unexpanded(value);
  }
  return n;
}

void check_host_path(const std::string& path, const stack::Service& service) {
  if (!path.starts_with("/") || path.find("${") != std::string::npos) {
    throw std::logic_error("render crio: host path \"" + path + "\" of service \"" + service.name +
                           "\" is not an absolute, expanded path");
  }
}

void check_expanded(const engine::cri::CriSpec& spec, const stack::Service& service,
                    const std::string& pod_json, const std::string& ctr_json) {
  check_host_path(spec.pod.log_directory(), service);
  for (const auto& m : spec.container.mounts()) check_host_path(m.host_path(), service);
  for (const auto& d : spec.container.devices()) check_host_path(d.host_path(), service);
  if (count_unexpanded(pod_json) + count_unexpanded(ctr_json) > literal_unexpanded(service)) {
    throw std::logic_error("render crio: the files of service \"" + service.name +
                           "\" hold an unexpanded \"${\"");
  }
}

// Secrets as they appear inside a JSON string.
std::vector<std::string> json_escaped(const std::vector<std::string>& secrets) {
  std::vector<std::string> out;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    std::string quoted = nlohmann::json(secret).dump();
    out.push_back(quoted.substr(1, quoted.size() - 2));
  }
  return out;
}

bool holds_any(const std::string& text, const std::vector<std::string>& needles) {
  for (const auto& needle : needles) {
    if (text.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<RenderedFile> render_crio(const stack::Stack& stack,
                                      const std::vector<const stack::Service*>& services,
                                      const engine::cri::CriMappingOptions& options) {
  const auto secrets = json_escaped(stack::collect_secrets(stack));
  std::map<std::string, engine::cri::CriSpec> specs;
  std::vector<RenderedFile> files;
  for (const stack::Service* service : services) {
    auto mapped = engine::cri::map_service(*service, stack, options);
    // Only a stack the loader would have refused fails to map: a bug, as check_expanded's are.
    if (!mapped) throw std::logic_error("render crio: " + mapped.error().message);
    engine::cri::CriSpec& spec = *mapped;
    std::string pod_json = to_crictl_json(spec.pod);
    std::string ctr_json = to_crictl_json(spec.container);
    check_expanded(spec, *service, pod_json, ctr_json);
    bool pod_secret = holds_any(pod_json, secrets);
    bool ctr_secret = holds_any(ctr_json, secrets);
    files.push_back({service->name + "-pod.json", std::move(pod_json), pod_secret});
    files.push_back({service->name + "-ctr.json", std::move(ctr_json), ctr_secret});
    specs.emplace(service->name, std::move(spec));
  }
  std::string readme = crio_readme(stack, services, specs, options);
  bool readme_secret = holds_any(readme, secrets);  // a healthcheck command may hold one
  files.push_back({"README.txt", std::move(readme), readme_secret});
  return files;
}

}  // namespace edgecrew::render
