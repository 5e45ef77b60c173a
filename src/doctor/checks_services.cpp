// Section "services" (--check-services): the stack as the engine that runs it reports it — each
// service's state, its native probe (src/probe), the CDI devices actually injected into the
// containers that ask for them (from the OCI spec the runtime was given), and Redis exposed on
// every address with protected mode off or a weak password.
#include "doctor/checks_services.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "probe/probe.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

constexpr const char* k_flag = "--check-services";
// edgecrew init generates 24 random characters; fewer than this is a guessable password.
constexpr std::size_t k_strong_password = 16;
// Every probe runs at once with this budget; the check waits for the slowest.
constexpr std::chrono::milliseconds k_probe_timeout{3'000};

struct Running {
  engine::EngineKind engine = engine::EngineKind::podman;
  std::string absent;   // why the engine could not be asked
  std::string reached;  // which socket answered, and whether the service was started for the run
  std::string stale;    // CONTAINER_HOST names a dead socket: the advice, else empty
  std::shared_ptr<engine::Engine> handle;
  std::vector<engine::Container> containers;
};

const Running& running(const Facts& facts) {
  return facts.shared<Running>([](const Facts& f) {
    Running r;
    r.engine = stack_engine(f);
    if (r.engine == engine::EngineKind::cri) {
      const auto& c = cri_facts(f);
      if (!c.absent.empty()) {
        r.absent = c.absent;
        return r;
      }
      if (!c.version->ok()) {
        r.absent = "the CRI runtime did not answer (see cri.socket)";
        return r;
      }
      r.handle = c.engine;
      r.reached = "CRI socket " + c.endpoint->socket;
    } else {
      const auto& p = podman_facts(f);
      r.stale = p.stale_container_host;
      if (!p.engine) {
        r.absent = p.absent;
        if (!r.stale.empty()) r.absent += "; " + r.stale;
        return r;
      }
      r.handle = p.engine;
      r.reached = p.reached;
    }
    auto list = r.handle->list(f.inputs().stack->name);
    if (!list) {
      r.absent = "listing the containers failed: " + list.error().message;
      return r;
    }
    r.containers = std::move(*list);
    return r;
  });
}

const engine::Container* container_of(const Running& r, const std::string& service) {
  return engine::container_of(r.containers, service);
}

// The skip for checks that need the stack and its engine, or nullopt. An engine that cannot be
// asked fails services.state once; the other checks skip pointing at it.
std::optional<Outcome> cannot(const Facts& facts, const Running** out, bool first = false) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const auto& r = running(facts);
  if (!r.absent.empty()) {
    if (first) return fail(fmt::format("{}: {}", engine::to_string(r.engine), r.absent));
    return skip(
        fmt::format("{} cannot be asked (see services.state)", engine::to_string(r.engine)));
  }
  *out = &r;
  return std::nullopt;
}

Outcome check_state(const Facts& facts) {
  const Running* r = nullptr;
  if (auto no = cannot(facts, &r, true)) return *no;
  std::vector<std::string> evidence = {r->reached}, up, down, absent;
  for (const auto* s : stack_services(facts)) {
    const auto* c = container_of(*r, s->name);
    if (c == nullptr) {
      absent.push_back(s->name);
      evidence.push_back(s->name + ": no container");
      continue;
    }
    std::string state = engine::to_string(c->state);
    if (c->state == engine::ContainerState::exited) state += fmt::format(" ({})", c->exit_code);
    if (!c->health.empty()) state += ", health " + c->health;
    evidence.push_back(
        fmt::format("{}: {} {} ({})", s->name, state, c->id.substr(0, 12), c->image));
    (c->state == engine::ContainerState::running ? up : down).push_back(s->name);
  }
  std::string summary = fmt::format("on {}: {} running", engine::to_string(r->engine), up.size());
  if (!down.empty()) summary += ", not running: " + join(down, ", ");
  if (!absent.empty()) summary += ", not created: " + join(absent, ", ");
  if (!down.empty()) {
    return fail(summary, evidence, "see why: edgecrew logs SERVICE; start again: edgecrew up");
  }
  if (!r->stale.empty()) {
    // edgecrew got by with its own service, but every other Podman client fails on this variable.
    evidence.push_back(r->stale);
    return warn(summary + "; CONTAINER_HOST is stale", evidence,
                "unset CONTAINER_HOST, or point it at a live Podman socket");
  }
  if (!absent.empty()) return warn(summary, evidence, "$ edgecrew up");
  return pass(summary, evidence);
}

Outcome check_probes(const Facts& facts) {
  const Running* r = nullptr;
  if (auto no = cannot(facts, &r)) return *no;
  std::vector<std::pair<std::string, std::future<probe::ProbeResult>>> asked;
  std::vector<std::string> evidence, failed, skipped;
  for (const auto* s : stack_services(facts)) {
    if (!s->probe) continue;
    const auto* c = container_of(*r, s->name);
    if (c == nullptr || c->state != engine::ContainerState::running) {
      skipped.push_back(s->name);
      evidence.push_back(s->name + ": not running, not probed");
      continue;
    }
    stack::Probe p = *s->probe;
    asked.emplace_back(s->name, std::async(std::launch::async,
                                           [p] { return probe::run_probe(p, k_probe_timeout); }));
  }
  if (asked.empty()) return skip("no running service has a probe", evidence);
  for (auto& [name, result] : asked) {
    auto res = result.get();
    evidence.push_back(fmt::format("{}: {} ({} ms)", name, res.summary, res.took.count()));
    if (!res.ready) failed.push_back(fmt::format("{} ({})", name, probe::to_string(res.failure)));
  }
  if (!failed.empty()) {
    return fail("probe failed: " + join(failed, ", "), evidence,
                "the evidence says what each service answered; edgecrew logs SERVICE shows why");
  }
  return pass(fmt::format("{} probe{} ready", asked.size(), asked.size() == 1 ? "" : "s"),
              evidence);
}

struct Injected {
  std::vector<std::string> devices;  // linux.devices[].path of the OCI spec
  bool cdi_annotation = false;       // a cdi.k8s.io/ annotation reached the spec
};

Result<Injected> injected(const Running& r, const engine::Container& c) {
  auto spec = r.handle->runtime_spec(c.id);
  if (!spec) return spec.error();
  Injected out;
  out.devices = spec->device_paths;
  out.cdi_annotation =
      std::any_of(spec->annotations.begin(), spec->annotations.end(),
                  [](const std::string& key) { return key.starts_with("cdi.k8s.io/"); });
  return out;
}

Outcome check_cdi(const Facts& facts) {
  const Running* r = nullptr;
  if (auto no = cannot(facts, &r)) return *no;
  std::vector<std::string> evidence, empty, errors, ok;
  for (const auto* s : stack_services(facts)) {
    auto names = stack::cdi_devices(*s);
    if (names.empty()) continue;
    const auto* c = container_of(*r, s->name);
    if (c == nullptr || c->state != engine::ContainerState::running) {
      evidence.push_back(fmt::format("{} (asks for {}): not running", s->name, join(names, ", ")));
      continue;
    }
    auto devices = injected(*r, *c);
    if (!devices) {
      errors.push_back(s->name);
      evidence.push_back(s->name + ": " + devices.error().message);
    } else if (devices->devices.empty()) {
      empty.push_back(s->name);
      evidence.push_back(fmt::format(
          "{} (asks for {}): no device in its OCI spec{}", s->name, join(names, ", "),
          devices->cdi_annotation
              ? "; the cdi.k8s.io/ annotation reached it, but nothing injected the devices "
                "(containerd before 1.7, or enable_cdi off; CRI-O without CDI)"
              : ""));
    } else {
      ok.push_back(s->name);
      evidence.push_back(fmt::format("{} (asks for {}): {}", s->name, join(names, ", "),
                                     join(devices->devices, ", ")));
    }
  }
  if (!empty.empty()) {
    return fail(fmt::format("no device injected into {}: the handler or the CDI spec is wrong",
                            join(empty, ", ")),
                evidence,
                "check cri.stack-handlers and cdi.*, then `edgecrew cdi explain NAME`; recreate "
                "the container after the fix (edgecrew up)");
  }
  if (!errors.empty()) {
    return warn("could not read the devices of " + join(errors, ", "), evidence);
  }
  if (ok.empty()) return skip("no running container asks for a CDI device", evidence);
  return pass("devices injected into " + join(ok, ", "), evidence);
}

Outcome check_redis(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  std::vector<std::string> evidence, exposed;
  int seen = 0;
  for (const auto* s : stack_services(facts)) {
    auto e = redis_exposure(*s);
    if (!e) continue;
    ++seen;
    evidence.push_back(s->name + ": " + e->evidence);
    if (e->risky) exposed.push_back(s->name);
  }
  if (seen == 0) return skip("the stack has no Redis service");
  if (!exposed.empty()) {
    return warn(fmt::format("{} listens on every address with protected mode off or a weak "
                            "password",
                            join(exposed, ", ")),
                evidence,
                "bind to 127.0.0.1 (--bind 127.0.0.1), keep --protected-mode yes, and use a "
                "password of 16+ random characters (edgecrew init generates one)");
  }
  return pass("Redis is not exposed with a weak guard", evidence);
}

}  // namespace

std::optional<RedisExposure> redis_exposure(const stack::Service& service) {
  std::vector<std::string> args;
  if (service.entrypoint) args = *service.entrypoint;
  if (service.command) args.insert(args.end(), service.command->begin(), service.command->end());
  // Redis when it runs redis-server, or runs the image's own command and the image is Redis's.
  bool is_redis = false;
  for (const auto& a : args) is_redis = is_redis || a.ends_with("redis-server");
  const std::string repo = service.image.substr(0, service.image.rfind(':'));
  if (args.empty()) is_redis = repo == "redis" || repo.ends_with("/redis");
  if (!is_redis) return std::nullopt;
  std::vector<std::string> bind;
  std::string protected_mode = "yes", password;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--bind") {
      for (std::size_t j = i + 1; j < args.size() && !args[j].starts_with("--"); ++j)
        bind.push_back(args[j]);
    } else if (args[i] == "--protected-mode" && i + 1 < args.size()) {
      protected_mode = args[i + 1];
    } else if (args[i] == "--requirepass" && i + 1 < args.size()) {
      password = args[i + 1];
    }
  }
  // Without --bind, Redis 7 listens on every address ("* -::*").
  bool all = bind.empty();
  for (const auto& b : bind) all = all || b == "0.0.0.0" || b == "*" || b == "::" || b == "-::*";
  bool published_all = false;
  for (const auto& p : service.ports) published_all |= p.published && p.host_ip.empty();
  const bool on_host = service.network_mode == stack::NetworkMode::host;
  const bool exposed = (on_host && all) || published_all;
  const bool weak = password.size() < k_strong_password;
  const bool off = protected_mode == "no";
  RedisExposure out;
  // Protected mode refuses remote clients only while there is no password: off, or a weak
  // password, is what leaves Redis open.
  out.risky = exposed && (off || (weak && !password.empty()));
  out.evidence = fmt::format(
      "bind {}{}, protected-mode {}, password {}",
      bind.empty() ? "(default: every address)" : join(bind, " "),
      on_host ? " on the host network" : (published_all ? ", port published on every address" : ""),
      protected_mode,
      password.empty() ? "none"
                       : fmt::format("{} characters{}", password.size(), weak ? " (weak)" : ""));
  return out;
}

std::vector<Check> services_checks() {
  auto c = [](std::string id, std::string title, std::function<Outcome(const Facts&)> run,
              std::chrono::milliseconds timeout = k_podman_check_timeout) {
    return Check{std::move(id), "services", std::move(title), std::move(run), timeout, k_flag};
  };
  return {
      c("services.state", "each service's container on the engine that runs the stack",
        check_state),
      c("services.probes", "each running service's native probe", check_probes,
        k_podman_check_timeout + std::chrono::milliseconds(3'000)),
      c("services.cdi", "the CDI devices actually in the OCI spec of containers that ask for them",
        check_cdi),
      c("services.redis-exposure",
        "Redis on every address with protected mode off or a weak "
        "password",
        check_redis),
  };
}

}  // namespace edgecrew::doctor
