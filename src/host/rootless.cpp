#include "host/rootless.h"

#include <fmt/format.h>
#include <sys/xattr.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "host/host_path.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<SubidRange> subid_ranges(const std::filesystem::path& root, const std::string& file,
                                     const std::string& user, unsigned uid) {
  std::vector<SubidRange> out;
  std::ifstream in(under(root, file));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto fields = split(line, ':');
    if (fields.size() != 3) continue;
    if (fields[0] != user && fields[0] != std::to_string(uid)) continue;
    auto start = parse_number(fields[1]);
    auto count = parse_number(fields[2]);
    if (!start || !count) continue;
    out.push_back({*start, *count, fmt::format("{}:{}", file, number)});
  }
  return out;
}

std::string user_name(const std::filesystem::path& root, unsigned uid) {
  std::ifstream in(under(root, "/etc/passwd"));
  for (std::string line; std::getline(in, line);) {
    auto fields = split(line, ':');
    if (fields.size() >= 3 && fields[2] == std::to_string(uid)) return fields[0];
  }
  return {};
}

IdMapHelper id_map_helper(const std::filesystem::path& root, const std::string& name) {
  IdMapHelper helper{.name = name};
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
    const std::string path = dir + name;
    auto facts = stat_path(under(root, path));
    if (!facts || !facts->is_regular) continue;
    helper.path = path;
    helper.setuid_root = (facts->mode & 04000) != 0 && facts->uid == 0;
    helper.file_caps = ::getxattr(under(root, path).c_str(), "security.capability", nullptr, 0) > 0;
    break;
  }
  return helper;
}

std::optional<unsigned> unprivileged_port_start(const std::filesystem::path& root) {
  auto line = read_first_line(root, "/proc/sys/net/ipv4/ip_unprivileged_port_start");
  if (!line) return std::nullopt;
  auto value = parse_number(*line);
  if (!value || *value > 65536) return std::nullopt;
  return static_cast<unsigned>(*value);
}

UserCgroups user_cgroups(const std::filesystem::path& root, unsigned uid) {
  UserCgroups out;
  out.v2 = stat_path(under(root, "/sys/fs/cgroup/cgroup.controllers")).has_value();
  out.where = fmt::format(
      "/sys/fs/cgroup/user.slice/user-{0}.slice/user@{0}.service/"
      "cgroup.controllers",
      uid);
  if (!out.v2) return out;
  std::ifstream in(under(root, out.where));
  if (!in) return out;
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::istringstream words(text);
  std::vector<std::string> controllers;
  for (std::string word; words >> word;) controllers.push_back(word);
  out.controllers = std::move(controllers);
  return out;
}

}  // namespace edgecrew::host
