// The engine facts the cri, images and services sections share, each asked once per run.
#include "doctor/engine_facts.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/cri/crio_http.h"
#include "host/crio_config.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

namespace cri = engine::cri;
namespace podman = engine::podman;
using nlohmann::json;

// containerd reports its CRI plugin configuration in Status's verbose info under "config":
// containerd.runtimes holds every handler it loaded.
std::optional<std::set<std::string>> containerd_handlers(const cri::v1::StatusResponse& status) {
  auto found = status.info().find("config");
  if (found == status.info().end()) return std::nullopt;
  json config = json::parse(found->second, nullptr, false);
  if (config.is_discarded() || !config.is_object()) return std::nullopt;
  auto c = config.find("containerd");
  if (c == config.end() || !c->is_object()) return std::nullopt;
  auto r = c->find("runtimes");
  if (r == c->end() || !r->is_object()) return std::nullopt;
  std::set<std::string> out;
  for (const auto& [name, value] : r->items()) out.insert(name);
  return out;
}

CriFacts read_cri(const Facts& facts) {
  CriFacts out;
  engine::EngineRequest request = engine_request(facts, engine::EngineKind::cri);
  request.call_timeout = std::chrono::milliseconds(2'000);  // a doctor check, not a long operation
  auto attempt = engine::open_engine(request);
  if (!attempt.opened) {
    if (attempt.opened.error().kind == ErrorKind::unavailable) {
      // Host paths, as every check names them (under --root they were looked up below it).
      out.absent = fmt::format("no CRI runtime found at {}, {}", cri::k_crio_socket,
                               cri::k_containerd_socket);
    } else {
      out.absent = attempt.opened.error().message;
    }
    return out;
  }
  out.engine = std::dynamic_pointer_cast<cri::CriRuntime>(attempt.opened->engine);
  out.endpoint = out.engine->endpoint();
  out.socket_stat = host::stat_path(out.endpoint->socket);
  if (!out.socket_stat) {
    out.absent =
        fmt::format("no CRI runtime found at {} ({})", out.endpoint->socket, out.endpoint->source);
    out.engine.reset();
    return out;
  }
  out.version = out.engine->version();
  if (!out.version->ok()) return out;
  out.runtime_name = (*out.version)->runtime_name();
  out.status = out.engine->status(true);
  if (out.status->ok()) {
    if (auto handlers = containerd_handlers(**out.status)) {
      out.loaded = std::move(handlers);
      out.loaded_source = "Status verbose info (config.containerd.runtimes)";
    }
  }
  if (out.is_crio()) {
    // CRI-O's GET /config is its effective configuration: handlers it dropped are not in it.
    auto text = cri::crio_config(out.endpoint->socket);
    if (text && *text) {
      host::CrioConfig running;
      host::apply_crio_config_text(running, **text, "GET /config");
      if (!out.loaded) {
        std::set<std::string> names;
        for (const auto& [name, rt] : running.runtimes) names.insert(name);
        out.loaded = std::move(names);
        out.loaded_source = "CRI-O's GET /config";
      }
      out.running_config = std::move(running);
    }
  }
  return out;
}

std::string socket_list(const std::vector<engine::SocketTried>& sockets) {
  std::vector<std::string> out;
  for (const auto& c : sockets) out.push_back(fmt::format("{} ({})", c.socket, c.source));
  return join(out, ", ");
}

PodmanFacts read_podman(const Facts& facts) {
  PodmanFacts out;
  engine::EngineRequest request = engine_request(facts, engine::EngineKind::podman);
  request.start_service = facts.inputs().start_podman_service;
  request.call_timeout = std::chrono::milliseconds(3'000);
  auto attempt = engine::open_engine(request);
  out.stale_container_host = attempt.stale_container_host;
  if (!attempt.opened) {
    if (attempt.tried.empty()) {
      out.absent = "Podman: " + attempt.opened.error().message;
    } else if (!request.start_service) {
      out.absent = "Podman's service is not running: nothing answers on " +
                   socket_list(attempt.tried) + " (with --root the doctor starts no service)";
    } else {
      out.absent = fmt::format(
          "nothing answers on {}, and the private Podman service `up` starts "
          "could not be started: {}",
          socket_list(attempt.tried), attempt.opened.error().message);
    }
    return out;
  }
  out.reached = attempt.opened->reached;
  if (attempt.opened->started_service) {
    out.reached += fmt::format(", for this run: nothing answers on {} (what `up` does too)",
                               socket_list(attempt.tried));
  }
  out.engine = std::dynamic_pointer_cast<podman::PodmanEngine>(attempt.opened->engine);
  return out;
}

std::string user_name(unsigned uid) {
  if (const passwd* p = ::getpwuid(uid)) return p->pw_name;
  return std::to_string(uid);
}

std::string group_name(unsigned gid) {
  if (const group* g = ::getgrgid(gid)) return g->gr_name;
  return std::to_string(gid);
}

}  // namespace

engine::EngineRequest engine_request(const Facts& facts, engine::EngineKind kind) {
  engine::EngineRequest request;
  request.kind = kind;
  request.environment = facts.inputs().environment;
  request.cri_endpoint = facts.inputs().cri_endpoint;
  request.stack = facts.inputs().stack.get();
  request.root = facts.root();
  return request;
}

const CriFacts& cri_facts(const Facts& facts) {
  return facts.shared<CriFacts>(read_cri);
}

const host::ContainersConf& containers_conf(const Facts& facts) {
  return facts.shared<host::ContainersConf>(
      [](const Facts& f) { return host::read_containers_conf(f.root(), f.inputs().environment); });
}

const PodmanFacts& podman_facts(const Facts& facts) {
  return facts.shared<PodmanFacts>(read_podman);
}

engine::EngineKind stack_engine(const Facts& facts) {
  const auto* st = facts.inputs().stack.get();
  const std::string& name = !facts.inputs().engine.empty() ? facts.inputs().engine
                            : st != nullptr                ? st->engine
                                                           : std::string();
  return engine::engine_kind(name).value_or(engine::EngineKind::podman);
}

std::vector<const stack::Service*> stack_services(const Facts& facts) {
  const auto* st = facts.inputs().stack.get();
  if (st == nullptr) return {};
  return stack::enabled_services(*st, facts.inputs().profiles);
}

std::string no_stack_reason(const Facts& facts) {
  if (facts.inputs().stack) return {};
  return facts.inputs().stack_error.empty() ? "no stack given"
                                            : "no stack: " + facts.inputs().stack_error;
}

std::set<std::string> stack_handlers(const Facts& facts) {
  std::set<std::string> out;
  for (const auto* s : stack_services(facts)) {
    if (!s->runtime.empty()) out.insert(s->runtime);
  }
  return out;
}

std::string mode_text(unsigned mode) {
  std::string out;
  for (int shift : {6, 3, 0}) {
    out += (mode >> shift) & 4 ? 'r' : '-';
    out += (mode >> shift) & 2 ? 'w' : '-';
    out += (mode >> shift) & 1 ? 'x' : '-';
  }
  return out;
}

SocketAccess socket_access(const std::string& socket, const host::FileFacts& st, unsigned uid,
                           const std::vector<unsigned>& gids) {
  SocketAccess out;
  std::string owner = user_name(st.uid), grp = group_name(st.gid);
  out.evidence = fmt::format("s{} {}:{} (uid {}, gid {}), mode {:04o}", mode_text(st.mode), owner,
                             grp, st.uid, st.gid, st.mode & 07777);
  // connect(2) on a unix socket needs write permission on the socket file.
  bool in_group = std::find(gids.begin(), gids.end(), st.gid) != gids.end();
  if (uid == 0 || (uid == st.uid && (st.mode & 0200)) || (in_group && (st.mode & 0020)) ||
      (st.mode & 0002)) {
    return out;
  }
  out.allowed = false;
  out.fix = fmt::format(
      "connecting needs write permission on the socket, which {} (uid {}) lacks; either\n"
      "$ sudo edgecrew doctor\n"
      "or give a group access (the runtime recreates the socket at start, so make it permanent "
      "in its config or a systemd drop-in):\n"
      "$ sudo chgrp {} {}\n$ sudo chmod 0660 {}\n$ sudo usermod -aG {} {}",
      user_name(uid), uid, grp == "root" ? "GROUP" : grp, socket, socket,
      grp == "root" ? "GROUP" : grp, user_name(uid));
  return out;
}

}  // namespace edgecrew::doctor
