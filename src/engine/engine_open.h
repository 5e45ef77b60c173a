#pragma once
// Choosing and opening an engine, in one place for the verbs and the doctor: which engine
// (podman | cri), which socket (Podman's discovery and the private service, the CRI endpoint in
// crictl's order), the CRI mapping options, and what was tried on the way.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "util/result.h"

namespace edgecrew::engine {

enum class EngineKind { podman, cri };

std::string_view to_string(EngineKind kind);
// "podman" | "cri"; nullopt for any other name.
std::optional<EngineKind> engine_kind(std::string_view name);

struct EngineRequest {
  EngineKind kind = EngineKind::podman;
  // The process's environment: CONTAINER_HOST, XDG_RUNTIME_DIR, CONTAINERS_CONF...,
  // CONTAINER_RUNTIME_ENDPOINT, EDGECREW_CRI_* (the mapping options).
  std::map<std::string, std::string> environment;
  std::string cri_endpoint;             // --cri-endpoint
  const stack::Stack* stack = nullptr;  // its x-edgecrew cri_endpoint; the CRI maps against it
  // crictl.yaml, the default CRI sockets and Podman's root socket are looked up under it.
  std::filesystem::path root = "/";
  bool start_service = true;  // Podman: start the private service when no socket answers
  // Shorter deadlines for every plain call (the doctor's); unset: each engine's own.
  std::optional<std::chrono::milliseconds> call_timeout;
};

// A socket asked before the one used, or every socket asked when none could be used.
struct SocketTried {
  std::string socket;
  std::string source;  // "CONTAINER_HOST", "root", "XDG_RUNTIME_DIR", "--cri-endpoint", ...
  std::string why;     // "does not answer"
};

struct OpenedEngine {
  EngineKind kind = EngineKind::podman;
  std::shared_ptr<Engine> engine;
  std::string socket;
  std::string where;    // "podman socket /run/podman/podman.sock": named in every engine error
  std::string reached;  // how: "podman socket /run/podman/podman.sock (root)", for -v
  // What writers of one project exclude each other on: the engine and its socket; every private
  // Podman service of this user counts as one, since they share storage.
  std::string lock_key;
  bool started_service = false;  // a private Podman service was started for this process
};

struct EngineAttempt {
  Result<OpenedEngine> opened = Error{ErrorKind::internal, "not opened"};
  std::vector<SocketTried> tried;
  // CONTAINER_HOST names a socket that does not answer: what to tell the user, else empty.
  std::string stale_container_host;
};

// Opens the requested engine without throwing; the error is discovery's: why no socket could be
// used (for Podman, also why no private service could be started).
EngineAttempt open_engine(const EngineRequest& request);

}  // namespace edgecrew::engine
