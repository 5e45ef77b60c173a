#pragma once
// What decides how far Podman gets as a non-root user: the user's subordinate id ranges
// (/etc/subuid, /etc/subgid), the setuid helpers that write a user namespace's maps
// (newuidmap, newgidmap), the lowest port an unprivileged process may bind, and which cgroup
// controllers systemd delegates to the user (what `cpus:` and `mem_limit` need).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgecrew::host {

// One "NAME_OR_UID:START:COUNT" line of /etc/subuid or /etc/subgid.
struct SubidRange {
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  std::string where;  // "/etc/subuid:3"
};

// The ranges `file` ("/etc/subuid") gives the user, by name or by uid, in file order.
std::vector<SubidRange> subid_ranges(const std::filesystem::path& root, const std::string& file,
                                     const std::string& user, unsigned uid);

// The name /etc/passwd gives `uid`; "" when it has none.
std::string user_name(const std::filesystem::path& root, unsigned uid);

// newuidmap / newgidmap: found where Debian and Fedora put them, and whether they may write maps
// (setuid root, or file capabilities in security.capability).
struct IdMapHelper {
  std::string name;  // "newuidmap"
  std::string path;  // the host path found; "" when none
  bool setuid_root = false;
  bool file_caps = false;
  bool usable() const { return !path.empty() && (setuid_root || file_caps); }
};
IdMapHelper id_map_helper(const std::filesystem::path& root, const std::string& name);

// net.ipv4.ip_unprivileged_port_start; nullopt when not readable.
std::optional<unsigned> unprivileged_port_start(const std::filesystem::path& root);

// The cgroup v2 controllers the user's systemd service gets
// (/sys/fs/cgroup/user.slice/user-UID.slice/user@UID.service/cgroup.controllers). `v2` false: no
// unified hierarchy at /sys/fs/cgroup (v1 or hybrid), where rootless containers get no limits.
struct UserCgroups {
  bool v2 = false;
  std::optional<std::vector<std::string>> controllers;  // nullopt: the file is not there
  std::string where;
};
UserCgroups user_cgroups(const std::filesystem::path& root, unsigned uid);

}  // namespace edgecrew::host
