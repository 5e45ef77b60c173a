#include "stack/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "util/strings.h"

namespace edgecrew::stack {

namespace {

void check_dependencies(const Stack& stack, Diagnostics& diags) {
  std::vector<std::string> names;
  // Looked up once per depends_on entry: an index, not Stack::find's scan (5000 services).
  std::map<std::string, const Service*> by_name;
  for (const auto& s : stack.services) {
    names.push_back(s.name);
    by_name.emplace(s.name, &s);
  }
  auto find = [&by_name](const std::string& name) -> const Service* {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : it->second;
  };
  for (const auto& s : stack.services) {
    for (const auto& dep : s.depends_on) {
      if (dep.service == s.name) {
        diags.error(dep.where, fmt::format("service \"{}\" depends on itself", s.name));
        continue;
      }
      const Service* target = find(dep.service);
      if (target == nullptr) {
        std::string hint = did_you_mean(dep.service, names);
        diags.error(dep.where,
                    fmt::format("service \"{}\" depends on \"{}\", which is not defined", s.name,
                                dep.service),
                    hint.empty() ? fmt::format("services are: {}", join(names, ", ")) : hint);
        continue;
      }
      bool has_healthcheck = target->healthcheck && !target->healthcheck->disabled();
      if (dep.condition == DependencyCondition::service_healthy && !target->probe &&
          !has_healthcheck) {
        diags.error(dep.where,
                    fmt::format("service \"{}\" waits for \"{}\" to be healthy, but \"{}\" has no "
                                "healthcheck and no x-edgecrew probe",
                                s.name, dep.service, dep.service),
                    fmt::format("give \"{}\" a healthcheck or an x-edgecrew probe, or use "
                                "condition: service_started",
                                dep.service));
      }
    }
  }

  // Cycles: depth-first search; a back edge closes a cycle, printed from where it starts.
  enum class Mark { none, active, done };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  std::set<std::string> reported;
  std::function<void(const Service&)> visit = [&](const Service& s) {
    marks[s.name] = Mark::active;
    path.push_back(s.name);
    for (const auto& dep : s.depends_on) {
      const Service* next = find(dep.service);
      if (next == nullptr || next == &s) continue;
      if (marks[next->name] == Mark::active) {
        auto start = std::find(path.begin(), path.end(), next->name);
        std::vector<std::string> cycle(start, path.end());
        cycle.push_back(next->name);
        std::string text = join(cycle, " -> ");
        if (reported.insert(text).second) {
          diags.error(dep.where, fmt::format("dependency cycle: {}", text),
                      "remove one of these depends_on entries");
        }
      } else if (marks[next->name] == Mark::none) {
        visit(*next);
      }
    }
    path.pop_back();
    marks[s.name] = Mark::done;
  };
  for (const auto& s : stack.services) {
    if (marks[s.name] == Mark::none) visit(s);
  }
}

bool is_wildcard(const std::string& ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::";
}

void check_ports(const Stack& stack, Diagnostics& diags) {
  struct Claim {
    const Service* service;
    const PortMapping* port;
  };
  std::vector<Claim> claims;
  for (const auto& s : stack.services) {
    if (s.network_mode == NetworkMode::host && !s.ports.empty()) {
      diags.warning(
          s.ports.front().where,
          fmt::format("ports of service \"{}\" are ignored with network_mode: host", s.name),
          "on the host network the service listens on the host's ports directly");
      continue;
    }
    for (const auto& p : s.ports) {
      if (!p.published || p.host_port == 0) continue;
      for (const auto& c : claims) {
        if (c.port->host_port == p.host_port && c.port->protocol == p.protocol &&
            (c.port->host_ip == p.host_ip || is_wildcard(c.port->host_ip) ||
             is_wildcard(p.host_ip))) {
          // With several -f files the other port may be in another file: then name it.
          const Location& other = c.port->where;
          std::string at = other.file == p.where.file
                               ? fmt::format("line {}", other.line)
                               : fmt::format("{}:{}", other.file, other.line);
          diags.error(p.where,
                      fmt::format("host port {}/{} of service \"{}\" is already published by "
                                  "service \"{}\" ({})",
                                  p.host_port, p.protocol, s.name, c.service->name, at),
                      "publish it on another host port");
          break;
        }
      }
      claims.push_back({&s, &p});
    }
  }
}

void check_mounts(const Stack& stack, Diagnostics& diags) {
  for (const auto& s : stack.services) {
    for (const auto& m : s.mounts) {
      if (m.type == MountType::volume && !m.source.empty() && !stack.volumes.contains(m.source)) {
        diags.error(m.where,
                    fmt::format("service \"{}\" mounts volume \"{}\", which is not declared under "
                                "the top-level volumes",
                                s.name, m.source),
                    fmt::format("add \"volumes: {{{}: {{}}}}\" at the top level, or start the "
                                "source with / or ./ for a host path",
                                m.source));
      }
      std::error_code ec;
      if (m.type == MountType::bind && !std::filesystem::exists(m.source, ec)) {
        diags.warning(
            m.where,
            fmt::format("bind source {} of service \"{}\" does not exist", m.source, s.name),
            m.create_host_path ? "create it first; an engine may create it empty, owned by root"
                               : "create it first; the container will not start without it");
      }
    }
  }
}

}  // namespace

void validate_stack(const Stack& stack, Diagnostics& diags) {
  check_dependencies(stack, diags);
  check_ports(stack, diags);
  check_mounts(stack, diags);
}

}  // namespace edgecrew::stack
