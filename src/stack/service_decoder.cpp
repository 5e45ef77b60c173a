#include "stack/service_decoder.h"

#include <fmt/format.h>

#include <algorithm>

#include "stack/compose_files.h"
#include "stack/dotenv.h"
#include "stack/merge.h"
#include "stack/networks.h"
#include "stack/validate.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::stack {

namespace {

std::optional<RestartPolicy> parse_restart(const std::string& v, int& max_attempts) {
  if (v == "no" || v.empty()) return RestartPolicy::no;
  if (v == "always") return RestartPolicy::always;
  if (v == "unless-stopped") return RestartPolicy::unless_stopped;
  if (v == "on-failure") return RestartPolicy::on_failure;
  if (v.starts_with("on-failure:")) {
    std::string n = v.substr(11);
    if (!n.empty() && std::all_of(n.begin(), n.end(), ::isdigit) && n.size() < 6) {
      max_attempts = std::stoi(n);
      return RestartPolicy::on_failure;
    }
  }
  return std::nullopt;
}

void decode_env_files(const Node& n, Service& s, Decoder& d, const DecodeContext& ctx) {
  std::vector<std::pair<const Node*, bool>> files;  // path node, required
  std::vector<const Node*> entries;
  if (n.is_sequence()) {
    for (const auto& item : n.items) entries.push_back(&item);
  } else {
    entries.push_back(&n);
  }
  for (const Node* e : entries) {
    if (e->is_scalar()) {
      files.emplace_back(e, true);
    } else if (e->is_mapping() && d.check_section(*e, "env_file entry", "env_file")) {
      const Node* path = e->find("path");
      if (path == nullptr) {
        d.diags().error(e->where, "env_file entry has no path");
        continue;
      }
      bool required = true;
      if (const Node* r = e->find("required"))
        required = d.boolean(*r, "env_file required").value_or(true);
      if (d.string(*path, "env_file path")) files.emplace_back(path, required);
    } else {
      d.type_error(*e, "env_file", "a path or a list of paths");
    }
  }
  VariableLookup lookup = [&ctx](const std::string& name) -> std::optional<std::string> {
    if (ctx.variables == nullptr) return std::nullopt;
    auto it = ctx.variables->find(name);
    if (it == ctx.variables->end()) return std::nullopt;
    return it->second;
  };
  for (const auto& [node, required] : files) {
    auto path = absolute_from(ctx.dir, node->scalar, ctx.home);
    auto text = read_stack_input(path);
    if (!text) {
      if (required) {
        d.diags().error(node->where, fmt::format("env_file {} cannot be read", path.string()),
                        text.error().message);
      }
      continue;
    }
    for (auto& [key, entry] : parse_dotenv(*text, path.string(), lookup, d.diags())) {
      s.environment[key] = entry.value;
    }
  }
}

void decode_depends_on(const Node& n, Service& s, Decoder& d) {
  if (n.is_sequence()) {
    for (const auto& item : n.items) {
      if (auto name = d.string(item, "depends_on entry")) {
        s.depends_on.push_back(
            {*name, DependencyCondition::service_started, true, false, item.where});
      }
    }
    return;
  }
  if (!d.mapping(n, "depends_on")) return;
  for (const auto& [k, v] : n.entries) {
    DependsOn dep{k.scalar, DependencyCondition::service_started, true, false, k.where};
    if (!v.is_null() &&
        d.check_section(v, fmt::format("depends_on \"{}\"", k.scalar), "depends_on")) {
      if (const Node* c = v.find("condition")) {
        static const std::vector<std::string> conditions = {"service_started", "service_healthy",
                                                            "service_completed_successfully"};
        std::string cond = c->is_scalar() ? c->scalar : "";
        if (cond == conditions[0]) {
          dep.condition = DependencyCondition::service_started;
        } else if (cond == conditions[1]) {
          dep.condition = DependencyCondition::service_healthy;
        } else if (cond == conditions[2]) {
          dep.condition = DependencyCondition::service_completed_successfully;
        } else {
          std::string hint = did_you_mean(cond, conditions);
          d.diags().error(c->where, fmt::format("unknown depends_on condition \"{}\"", cond),
                          hint.empty() ? "use service_started, service_healthy or "
                                         "service_completed_successfully"
                                       : hint);
        }
      }
      if (const Node* r = v.find("required"))
        dep.required = d.boolean(*r, "required").value_or(true);
      if (const Node* r = v.find("restart")) dep.restart = d.boolean(*r, "restart").value_or(false);
    }
    s.depends_on.push_back(std::move(dep));
  }
}

void decode_healthcheck(const Node& n, Service& s, Decoder& d) {
  if (!d.check_section(n, "healthcheck", "healthcheck")) {
    return;
  }
  Healthcheck h;
  bool none = false;  // test: ["NONE"]
  if (const Node* t = n.find("test")) {
    if (t->is_scalar()) {
      h.argv = {t->scalar};
      h.shell = true;
    } else if (auto list = d.string_list(*t, "healthcheck test")) {
      static const std::vector<std::string> forms = {"CMD", "CMD-SHELL", "NONE"};
      if (list->empty() || std::find(forms.begin(), forms.end(), list->front()) == forms.end()) {
        d.diags().error(t->where, "healthcheck test must start with CMD, CMD-SHELL or NONE",
                        "for example [\"CMD\", \"redis-cli\", \"ping\"]");
      } else if (list->front() == "CMD-SHELL" && list->size() != 2) {
        d.diags().error(t->where, "healthcheck test CMD-SHELL takes exactly one command string");
      } else if (list->front() == "CMD" && list->size() < 2) {
        d.diags().error(t->where, "healthcheck test CMD needs a command after it");
      } else if (list->front() != "NONE") {
        h.shell = list->front() == "CMD-SHELL";
        h.argv.assign(list->begin() + 1, list->end());
      } else {
        none = true;
      }
    }
  }
  auto dur = [&](const char* key, Duration& out) {
    if (const Node* v = n.find(key))
      out = d.duration(*v, fmt::format("healthcheck {}", key)).value_or(out);
  };
  dur("interval", h.interval);
  dur("timeout", h.timeout);
  dur("start_period", h.start_period);
  dur("start_interval", h.start_interval);
  if (const Node* r = n.find("retries")) {
    auto v = d.integer(*r, "healthcheck retries");
    if (v && *v < 0) d.diags().error(r->where, "healthcheck retries must not be negative");
    if (v && *v >= 0) h.retries = static_cast<int>(*v);
  }
  bool disabled = false;
  if (const Node* dis = n.find("disable")) {
    disabled = d.boolean(*dis, "healthcheck disable").value_or(false);
  }
  if (disabled || none) {
    h.argv.clear();
    h.shell = false;
  } else if (h.argv.empty()) {
    // A test that is not valid was reported above; without any test there is nothing to run.
    if (!n.find("test")) {
      d.diags().error(n.where, "healthcheck has no test",
                      "add test: [\"CMD\", ...] or disable: true");
    }
    return;
  }
  s.healthcheck = std::move(h);
}

// NEO4J_AUTH=user/password: Neo4j 5 exits at first start when the password is too short.
void check_neo4j_password(const Node* environment, Service& s, Decoder& d) {
  auto it = s.environment.find("NEO4J_AUTH");
  if (it == s.environment.end() || it->second == "none") return;
  auto slash = it->second.find('/');
  Location where = s.where;
  if (environment != nullptr) {
    Node mapping = list_to_mapping(*environment);
    if (const Node* v = mapping.find("NEO4J_AUTH")) where = v->where;
  }
  if (slash == std::string::npos) {
    d.diags().error(where, "NEO4J_AUTH must be USER/PASSWORD or none",
                    "for example NEO4J_AUTH: neo4j/${NEO4J_PASSWORD}");
    return;
  }
  std::size_t length = it->second.size() - slash - 1;
  if (length < k_neo4j_min_password) {
    d.diags().error(where,
                    fmt::format("the Neo4j password in NEO4J_AUTH of service \"{}\" has {} "
                                "characters; Neo4j 5 requires at least {}",
                                s.name, length, k_neo4j_min_password),
                    "set a longer NEO4J_PASSWORD; edgecrew init generates one");
  }
}

// Compose refuses a service-level value (cpus, mem_limit, mem_reservation) that differs from the
// deploy.resources one it spells differently; the same value twice is fine.
template <typename T>
void same_as_deploy(const std::pair<std::optional<T>, const Node*>& service_level,
                    std::optional<T>& deploy_level, const char* key, const char* deploy_key,
                    Decoder& d) {
  const auto& [value, node] = service_level;
  if (!value) return;
  if (deploy_level && *deploy_level != *value) {
    d.diags().error(node->where,
                    fmt::format("{} and {} of the same service differ", key, deploy_key),
                    "set the value once, under deploy.resources");
    return;
  }
  deploy_level = value;
}

// pull_policy: `build` builds on every up; `missing` (if_not_present) is what edgecrew always does;
// the others are accepted with a warning, since a local image is never pulled again.
void decode_pull_policy(const Node& n, Service& s, Decoder& d) {
  const std::string what = fmt::format("pull_policy of service \"{}\"", s.name);
  auto policy = d.string(n, what);
  if (!policy) return;
  if (*policy == "build") {
    if (!s.build) {
      d.diags().error(n.where, fmt::format("{} is build, but the service has no build:", what),
                      "add build: with the directory to build the image from");
      return;
    }
    s.pull_policy = PullPolicy::build;
  } else if (*policy == "missing" || *policy == "if_not_present") {
    s.pull_policy = PullPolicy::missing;
  } else if (*policy == "always" || *policy == "never" || *policy == "daily" ||
             *policy == "weekly" || policy->starts_with("every_")) {
    d.diags().warning(n.where, fmt::format("{} \"{}\" is not applied", what, *policy),
                      "edgecrew pulls (or builds) only an image the store lacks; remove the local "
                      "image to get a newer one");
  } else {
    d.diags().error(n.where, fmt::format("unknown {} \"{}\"", what, *policy),
                    "use missing, build, always, never, daily, weekly or every_<duration>");
  }
}

}  // namespace

std::optional<Service> decode_service(const Node& name_node, const Node& node, Decoder& d,
                                      const DecodeContext& ctx) {
  const std::string& name = name_node.scalar;
  Service s;
  s.name = name;
  s.where = name_node.where;
  if (node.is_null()) {
    d.diags().error(name_node.where, fmt::format("service \"{}\" is empty", name),
                    "give it an image");
    return std::nullopt;
  }
  if (!d.mapping(node, fmt::format("service \"{}\"", name))) return std::nullopt;

  d.check_section(node, fmt::format("service \"{}\"", name), "service");

  const Node* environment = nullptr;
  const Node* pull_policy = nullptr;
  // The older service-level spellings of deploy.resources values, checked against them below.
  std::pair<std::optional<double>, const Node*> cpus;
  std::pair<std::optional<std::int64_t>, const Node*> mem_limit;
  std::pair<std::optional<std::int64_t>, const Node*> mem_reservation;
  for (const auto& [key_node, v] : node.entries) {
    const std::string& key = key_node.scalar;
    std::string what = fmt::format("\"{}\" of service \"{}\"", key, name);
    if (key == "x-edgecrew") {
      decode_extension(v, s, d);
    } else if (key.starts_with("x-")) {
      continue;
    } else if (key == "image") {
      s.image = d.string(v, what).value_or("");
    } else if (key == "command") {
      s.command = d.command(v, what);
    } else if (key == "entrypoint") {
      s.entrypoint = d.command(v, what);
    } else if (key == "environment") {
      environment = &v;  // applied after env_file, which it overrides
    } else if (key == "env_file") {
      decode_env_files(v, s, d, ctx);
    } else if (key == "labels") {
      if (auto kv = d.key_values(v, what, nullptr)) s.labels = std::move(*kv);
    } else if (key == "network_mode") {
      auto mode = d.string(v, what).value_or("bridge");
      if (mode == "bridge" || mode == "default") {
        s.network_mode = NetworkMode::bridge;
      } else if (mode == "host") {
        s.network_mode = NetworkMode::host;
      } else if (mode == "none") {
        s.network_mode = NetworkMode::none;
      } else {
        d.diags().error(v.where, fmt::format("network_mode \"{}\" is not supported", mode),
                        "use host, bridge or none");
      }
    } else if (key == "networks") {
      if (!v.is_null()) decode_service_networks(v, s, d);
    } else if (key == "ports") {
      decode_ports(v, s, d);
    } else if (key == "volumes") {
      decode_volumes(v, s, d, ctx);
    } else if (key == "devices") {
      decode_devices(v, s, d);
    } else if (key == "deploy") {
      decode_deploy(v, s, d);
    } else if (key == "depends_on") {
      decode_depends_on(v, s, d);
    } else if (key == "healthcheck") {
      decode_healthcheck(v, s, d);
    } else if (key == "restart") {
      auto r = d.string(v, what);
      if (r) {
        auto policy = parse_restart(*r, s.restart_max_attempts);
        if (policy) {
          s.restart = *policy;
        } else {
          d.diags().error(v.where, fmt::format("unknown restart policy \"{}\"", *r),
                          "use no, always, on-failure[:N] or unless-stopped");
        }
      }
    } else if (key == "user") {
      s.user = d.string(v, what).value_or("");
    } else if (key == "working_dir") {
      s.working_dir = d.string(v, what).value_or("");
    } else if (key == "stop_signal") {
      s.stop_signal = d.string(v, what).value_or("");
    } else if (key == "stop_grace_period") {
      s.stop_grace_period = d.duration(v, what).value_or(s.stop_grace_period);
    } else if (key == "ipc") {
      auto mode = d.string(v, what).value_or("");
      if (mode.empty()) {
        s.ipc = IpcMode::unset;
      } else if (mode == "host") {
        s.ipc = IpcMode::host;
      } else if (mode == "private") {
        s.ipc = IpcMode::private_;
      } else if (mode == "shareable") {
        s.ipc = IpcMode::shareable;
      } else {
        d.diags().error(v.where, fmt::format("ipc \"{}\" is not supported", mode),
                        "use host, private or shareable");
      }
    } else if (key == "userns_mode") {
      decode_userns(v, s, d);
    } else if (key == "shm_size") {
      s.shm_size = d.size(v, what);
    } else if (key == "profiles") {
      s.profiles = d.string_list(v, what).value_or(std::vector<std::string>{});
    } else if (key == "hostname") {
      s.hostname = d.string(v, what).value_or("");
    } else if (key == "init") {
      s.init = d.boolean(v, what);
    } else if (key == "runtime") {
      s.runtime = d.string(v, what).value_or("");
    } else if (key == "mem_limit") {
      mem_limit = {d.size(v, what), &v};
    } else if (key == "mem_reservation") {
      mem_reservation = {d.size(v, what), &v};
    } else if (key == "cpus") {
      cpus = {decode_cpus(v, d, what), &v};
    } else if (key == "gpus") {
      decode_gpus(v, s, d);
    } else if (key == "build") {
      decode_build(v, s, d, ctx);
    } else if (key == "pull_policy") {
      pull_policy = &v;
    }
  }
  same_as_deploy(cpus, s.resources.cpus, "cpus", "deploy.resources.limits.cpus", d);
  same_as_deploy(mem_limit, s.resources.memory_bytes, "mem_limit", "deploy.resources.limits.memory",
                 d);
  same_as_deploy(mem_reservation, s.resources.memory_reservation_bytes, "mem_reservation",
                 "deploy.resources.reservations.memory", d);
  if (environment != nullptr) {
    if (auto kv = d.key_values(*environment, fmt::format("environment of service \"{}\"", name),
                               ctx.variables, true)) {
      for (auto& [k, v] : *kv) s.environment[k] = std::move(v);
    }
  }
  check_neo4j_password(environment, s, d);
  if (s.probe && s.probe->kind == Probe::Kind::neo4j && !s.probe->password.empty() &&
      s.probe->password.size() < k_neo4j_min_password) {
    d.diags().error(s.probe->where,
                    fmt::format("probe neo4j password of service \"{}\" has {} characters; Neo4j 5 "
                                "requires at least {}",
                                name, s.probe->password.size(), k_neo4j_min_password));
  }
  if (pull_policy != nullptr) decode_pull_policy(*pull_policy, s, d);
  if (s.image.empty() && !node.find("image") && !node.find("build")) {
    d.diags().error(s.where, fmt::format("service \"{}\" has no image", name),
                    "add image: NAME:TAG, or build: with the directory to build it from");
  }
  return s;
}

}  // namespace edgecrew::stack
