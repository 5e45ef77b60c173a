#pragma once
// CRI-O also serves plain HTTP on its CRI socket: GET /info (storage driver and root, cgroup
// driver) and GET /config (the effective configuration as TOML), which the doctor shows. Another
// CRI runtime (containerd speaks only gRPC there) answers nothing of the kind: that is not an
// error, just "not CRI-O".

#include <chrono>
#include <optional>
#include <string>

#include "util/result.h"

namespace edgecrew::engine::cri {

inline constexpr std::chrono::milliseconds k_crio_http_timeout{2'000};

struct CrioInfo {
  std::string storage_driver;
  std::string storage_root;
  std::string cgroup_driver;
  std::string body;  // the whole JSON answer
};

// nullopt when the socket answers but not as CRI-O does. Errors: what net::http_request gives
// for a socket that cannot be reached (unavailable, permission_denied, timeout).
Result<std::optional<CrioInfo>> crio_info(const std::string& socket,
                                          std::chrono::milliseconds timeout = k_crio_http_timeout);

// The TOML text of GET /config; nullopt as for crio_info.
Result<std::optional<std::string>> crio_config(
    const std::string& socket, std::chrono::milliseconds timeout = k_crio_http_timeout);

}  // namespace edgecrew::engine::cri
