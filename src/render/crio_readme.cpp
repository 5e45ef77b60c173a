#include "render/crio_readme.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "stack/dependency_order.h"
#include "util/strings.h"

namespace edgecrew::render {

namespace {

const char* waited_state(stack::DependencyCondition condition) {
  switch (condition) {
    case stack::DependencyCondition::service_started:
      return "has started";
    case stack::DependencyCondition::service_healthy:
      return "is healthy";
    case stack::DependencyCondition::service_completed_successfully:
      return "has exited successfully";
  }
  return "is up";
}

std::string start_lines(const stack::Service& service, const engine::cri::CriSpec& spec) {
  std::string out = fmt::format("# {}\n", service.name);
  for (const auto& dep : service.depends_on) {
    out += fmt::format("# start it once {} {}\n", dep.service, waited_state(dep.condition));
  }
  std::string runtime = spec.runtime_handler.empty() ? "" : " --runtime " + spec.runtime_handler;
  out += fmt::format("crictl pull {}\n", shell_quote(spec.container.image().image()));
  out += fmt::format("POD=$(crictl runp{} {}-pod.json)\n", runtime, service.name);
  out += fmt::format("CTR=$(crictl create \"$POD\" {0}-ctr.json {0}-pod.json)\n", service.name);
  out += "crictl start \"$CTR\"\n";
  if (service.healthcheck && !service.healthcheck->disabled()) {
    std::vector<std::string> words = stack::healthcheck_argv(*service.healthcheck);
    for (auto& w : words) w = shell_quote(w);
    out += fmt::format("# healthy once this succeeds: crictl exec \"$CTR\" {}\n", join(words, " "));
  }
  return out;
}

// Found by label, so that it works in a later shell; an empty id makes crictl fail, not widen.
std::string teardown_lines(const stack::Stack& stack, const stack::Service& service) {
  auto grace = std::chrono::duration_cast<std::chrono::seconds>(service.stop_grace_period);
  std::string labels = fmt::format("--label io.edgecrew.project={} --label io.edgecrew.service={}",
                                   shell_quote(stack.name), service.name);
  return fmt::format(
      "# {0}\n"
      "CTR=$(crictl ps -q {1})\n"
      "POD=$(crictl pods -q {1})\n"
      "crictl stop --timeout {2} \"$CTR\"\n"
      "crictl stopp \"$POD\"\n"
      "crictl rmp \"$POD\"\n",
      service.name, labels, grace.count());
}

}  // namespace

std::string crio_readme(const stack::Stack& stack,
                        const std::vector<const stack::Service*>& services,
                        const std::map<std::string, engine::cri::CriSpec>& specs,
                        const engine::cri::CriMappingOptions& options) {
  std::set<std::string> directories;
  std::set<std::string> bind_sources;
  for (const stack::Service* s : services) {
    directories.insert(specs.at(s->name).pod.log_directory());
    for (const auto& m : s->mounts) {
      if (m.type == stack::MountType::volume && !m.source.empty()) {
        directories.insert(engine::cri::volume_host_path(stack.volumes.at(m.source), options));
      } else if (m.type == stack::MountType::bind) {
        bind_sources.insert(m.source);
      }
    }
  }
  const auto levels = stack::dependency_order(services);

  std::string out = fmt::format(
      "CRI-O pods for the project \"{}\", rendered by `edgecrew render crio`.\n"
      "Run these commands as root on the CRI-O host, in this directory. crictl expands nothing:\n"
      "the JSON files hold final values. Files with passwords in them have mode 0600.\n"
      "A pod that is already there is refused: tear it down first (below).\n"
      "`edgecrew up --engine cri` does all of this through the CRI API instead.\n",
      stack.name);

  out += "\nCreate the host directories (named volumes and pod logs):\n\n";
  for (const auto& dir : directories) out += "mkdir -p " + shell_quote(dir) + "\n";
  if (!bind_sources.empty()) {
    out += "\nThese bind-mounted host paths must exist:\n\n";
    for (const auto& path : bind_sources) out += "  " + path + "\n";
  }

  out += "\nStart the services, dependencies first (a level's services may start together):\n";
  for (std::size_t i = 0; i < levels.size(); ++i) {
    std::vector<std::string> names;
    for (const stack::Service* s : levels[i]) names.push_back(s->name);
    out += fmt::format("\n# level {}: {}\n", i + 1, join(names, ", "));
    for (const stack::Service* s : levels[i]) out += "\n" + start_lines(*s, specs.at(s->name));
  }

  out += "\nTear down, dependents first (volume and log directories stay):\n";
  for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
    for (auto s = level->rbegin(); s != level->rend(); ++s) {
      out += "\n" + teardown_lines(stack, **s);
    }
  }

  std::string notes;
  for (const stack::Service* s : services) {
    for (const auto& note : specs.at(s->name).unmapped) notes += s->name + ": " + note + "\n";
  }
  if (!notes.empty()) out += "\nNot carried by the CRI:\n\n" + notes;
  std::string refused;
  for (const stack::Service* s : services) {
    for (const auto& note : specs.at(s->name).refused) refused += s->name + ": " + note + "\n";
  }
  if (!refused.empty()) {
    out +=
        "\nNot runnable on the CRI as written (edgecrew up --engine cri refuses these "
        "services; the files above leave the setting out):\n\n" +
        refused;
  }
  return out;
}

}  // namespace edgecrew::render
