#pragma once
// What the engine sections (cri, images, services) share: the CRI runtime on its socket and the
// Podman service, each found and asked once per run (Facts::shared), and the stack the doctor
// checks against. When no Podman socket answers, the private service `up` would start is started
// for the run (Inputs::start_podman_service) and stopped with the Facts.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "doctor/check.h"
#include "doctor/facts.h"
#include "engine/cri/cri_endpoint.h"
#include "engine/cri/cri_runtime.h"
#include "engine/engine_open.h"
#include "engine/podman/podman_engine.h"
#include "host/crio_config.h"
#include "host/host_path.h"

namespace edgecrew::doctor {

struct CriFacts {
  // Set when no socket was found; the reason the CRI checks skip ("no CRI runtime found at ...").
  std::string absent;
  std::optional<engine::cri::CriEndpoint> endpoint;
  std::optional<host::FileFacts> socket_stat;  // stat() of the socket
  // Opened with 2 s deadlines for every plain call (a doctor check, not a long operation).
  std::shared_ptr<engine::cri::CriRuntime> engine;
  std::optional<Result<engine::cri::v1::VersionResponse>> version;
  std::optional<Result<engine::cri::v1::StatusResponse>> status;  // verbose
  std::string runtime_name;  // Version's runtime_name: "containerd", "cri-o"
  bool is_crio() const { return runtime_name == "cri-o"; }
  // The handlers the runtime has loaded, and where that was read; unset when it does not say.
  std::optional<std::set<std::string>> loaded;
  std::string loaded_source;
  // CRI-O's GET /config (its effective configuration), read as the files are.
  std::optional<host::CrioConfig> running_config;
};

struct PodmanFacts {
  std::shared_ptr<engine::podman::PodmanEngine> engine;  // null when no service answers
  std::string absent;  // why not: every socket asked, and why no service was started
  // How it was reached, for the evidence: "podman socket /run/podman/podman.sock (root)", or
  // the private service started for this run and the sockets that did not answer.
  std::string reached;
  // CONTAINER_HOST names a socket that does not answer: what to tell the user, else empty.
  std::string stale_container_host;
};

// A check that asks Podman may be the one that starts the private service for the run.
inline constexpr std::chrono::milliseconds k_podman_check_timeout =
    k_default_check_timeout + engine::podman::k_podman_service_start_timeout;

// The request that opens an engine as the doctor does: the run's environment, --cri-endpoint,
// stack and root.
engine::EngineRequest engine_request(const Facts& facts, engine::EngineKind kind);

const CriFacts& cri_facts(const Facts& facts);
const PodmanFacts& podman_facts(const Facts& facts);

// containers.conf as Podman reads it on this host, read once per run.
const host::ContainersConf& containers_conf(const Facts& facts);

// The engine the stack runs on: --engine, else the stack's x-edgecrew engine, else Podman.
engine::EngineKind stack_engine(const Facts& facts);

// The stack's services that run (profiles applied), or empty with no stack.
std::vector<const stack::Service*> stack_services(const Facts& facts);

// Why the stack-dependent checks skip: "no stack: ..." or "" when there is one.
std::string no_stack_reason(const Facts& facts);

// Every runtime handler the stack's services ask for (x-edgecrew runtime), sorted.
std::set<std::string> stack_handlers(const Facts& facts);

// Whether a process of `uid` in `gids` may connect to a unix socket with `socket` (connect needs
// write permission on the socket file; root may always), and the fix when it may not: who owns
// it, its mode, and the commands (sudo, a group and the socket's mode).
struct SocketAccess {
  bool allowed = true;
  std::string evidence;  // "srw-rw---- root:root (uid 0, gid 0)"
  std::string fix;
};
SocketAccess socket_access(const std::string& socket, const host::FileFacts& st, unsigned uid,
                           const std::vector<unsigned>& gids);

// "rw-rw----" for permission bits.
std::string mode_text(unsigned mode);

}  // namespace edgecrew::doctor
