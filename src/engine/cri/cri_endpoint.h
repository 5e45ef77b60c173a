#pragma once
// Which CRI socket to talk to, in crictl's order: --cri-endpoint, CONTAINER_RUNTIME_ENDPOINT,
// (edgecrew's own: the stack's x-edgecrew cri_endpoint), runtime-endpoint in /etc/crictl.yaml,
// then CRI-O's and containerd's default sockets. Files and
// default sockets are looked up under a root directory, so that tests can give their own.

#include <filesystem>
#include <string>
#include <vector>

#include "util/result.h"

namespace edgecrew::engine::cri {

inline constexpr const char* k_crio_socket = "/var/run/crio/crio.sock";
inline constexpr const char* k_containerd_socket = "/run/containerd/containerd.sock";
inline constexpr const char* k_crictl_config = "/etc/crictl.yaml";

struct EndpointInputs {
  std::string flag;                  // --cri-endpoint
  std::string environment;           // CONTAINER_RUNTIME_ENDPOINT
  std::string stack;                 // x-edgecrew cri_endpoint
  std::filesystem::path root = "/";  // crictl.yaml and the default sockets are read under it
};

struct CriEndpoint {
  std::string socket;  // a filesystem path
  std::string
      source;  // "--cri-endpoint" | "CONTAINER_RUNTIME_ENDPOINT" | "x-edgecrew cri_endpoint"
               // | "<root>/etc/crictl.yaml"
               // | "CRI-O's default" | "containerd's default"
  std::string describe() const;  // for -v: "CRI socket /run/crio/crio.sock (CRI-O's default)"
};

// "unix:///run/x.sock" or "/run/x.sock" → "/run/x.sock"; anything else (tcp://, npipe://, a
// relative path) is invalid_input naming `where` it came from.
Result<std::string> unix_socket_path(const std::string& endpoint, const std::string& where);

// The first source that names an endpoint; for the defaults, the first socket that exists.
// Errors: invalid_input (an endpoint that is not a unix socket, an unreadable crictl.yaml),
// unavailable (nothing configured and no default socket present: lists where it looked).
Result<CriEndpoint> discover_endpoint(const EndpointInputs& inputs);

}  // namespace edgecrew::engine::cri
