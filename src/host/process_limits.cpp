#include "host/process_limits.h"

#include <charconv>

#include "host/host_path.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::host {

namespace {

std::optional<std::uint64_t> limit_value(std::string_view word) {
  if (word == "unlimited") return k_unlimited;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return v;
}

// "Max open files            1024                 20000                files": the name is
// padded to a fixed column in the kernel's format, the values are the next two words.
std::optional<Rlimit> limit_line(std::string_view line, std::string_view name) {
  if (!line.starts_with(name)) return std::nullopt;
  std::vector<std::string> words;
  for (const auto& w : split(std::string(line.substr(name.size())), ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  if (words.size() < 2) return std::nullopt;
  auto soft = limit_value(words[0]);
  auto hard = limit_value(words[1]);
  if (!soft || !hard) return std::nullopt;
  return Rlimit{*soft, *hard};
}

}  // namespace

Result<ProcessLimits> parse_limits_text(std::string_view limits, std::string_view status,
                                        const std::string& source) {
  ProcessLimits out;
  out.source = source;
  bool any = false;
  for (const auto& line : split(std::string(limits), '\n')) {
    if (auto l = limit_line(line, "Max open files")) {
      out.nofile = *l;
      any = true;
    } else if (auto p = limit_line(line, "Max processes")) {
      out.nproc = *p;
      any = true;
    }
  }
  if (!any)
    return Error{ErrorKind::not_found, source +
                                           " names neither Max open files nor "
                                           "Max processes"};
  for (const auto& line : split(std::string(status), '\n')) {
    if (line.starts_with("CapEff:")) {
      std::string hex = trim(line.substr(7));
      std::uint64_t caps = 0;
      auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), caps, 16);
      if (ec == std::errc() && end == hex.data() + hex.size()) {
        out.cap_sys_resource = ((caps >> k_cap_sys_resource) & 1U) != 0;
      }
    } else if (line.starts_with("Uid:")) {
      std::string uid = trim(line.substr(4));
      uid = uid.substr(0, uid.find_first_of(" \t"));
      unsigned v = 0;
      auto [end, ec] = std::from_chars(uid.data(), uid.data() + uid.size(), v);
      if (ec == std::errc()) out.uid = v;
    }
  }
  return out;
}

Result<ProcessLimits> read_process_limits(const std::filesystem::path& root,
                                          const std::string& pid) {
  const std::string source = "/proc/" + pid + "/limits";
  auto limits = read_file(under(root, source));
  if (!limits) return Error{ErrorKind::not_found, source + ": " + limits.error().message};
  auto status = read_file(under(root, "/proc/" + pid + "/status"));
  return parse_limits_text(*limits, status ? std::string_view(*status) : std::string_view(),
                           source);
}

std::string limit_text(std::uint64_t value) {
  return value == k_unlimited ? "unlimited" : std::to_string(value);
}

}  // namespace edgecrew::host
