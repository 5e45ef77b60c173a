#pragma once
// The resource limits and capabilities a process runs under, from /proc/PID/limits and
// /proc/PID/status: what decides whether an OCI runtime started by it may raise a container's
// rlimits (raising a hard limit needs CAP_SYS_RESOURCE).

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace edgecrew::host {

inline constexpr std::uint64_t k_unlimited = std::numeric_limits<std::uint64_t>::max();
// capabilities(7): the bit of CAP_SYS_RESOURCE in CapEff.
inline constexpr unsigned k_cap_sys_resource = 24;

struct Rlimit {
  std::uint64_t soft = k_unlimited;
  std::uint64_t hard = k_unlimited;
};

struct ProcessLimits {
  std::string source;  // "/proc/self/limits", "/proc/1234/limits"
  Rlimit nofile;       // "Max open files"
  Rlimit nproc;        // "Max processes"
  // From CapEff in /proc/PID/status; nullopt when it could not be read.
  std::optional<bool> cap_sys_resource;
  unsigned uid = 0;  // the real uid (Uid: in status)
};

// The limits of `pid` ("self" or a number) under `root`; not_found when /proc/PID/limits is not
// there or names neither limit.
Result<ProcessLimits> read_process_limits(const std::filesystem::path& root,
                                          const std::string& pid);

// One /proc/PID/limits text; the fuzz and unit tests' entry point.
Result<ProcessLimits> parse_limits_text(std::string_view limits, std::string_view status,
                                        const std::string& source);

// "1048576", or "unlimited".
std::string limit_text(std::uint64_t value);

}  // namespace edgecrew::host
