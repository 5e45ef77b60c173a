#include "host/host_path.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::host {

std::filesystem::path under(const std::filesystem::path& root, const std::string& host_path) {
  return root / std::filesystem::path(host_path).relative_path();
}

std::string normal_dir(const std::string& dir) {
  std::string out = std::filesystem::path(dir).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::optional<FileFacts> stat_path(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileFacts f;
  f.is_char_device = S_ISCHR(st.st_mode);
  f.is_block_device = S_ISBLK(st.st_mode);
  f.is_directory = S_ISDIR(st.st_mode);
  f.is_regular = S_ISREG(st.st_mode);
  f.executable = f.is_regular && (st.st_mode & 0111) != 0;
  if (f.is_char_device || f.is_block_device) {
    f.major = ::major(st.st_rdev);
    f.minor = ::minor(st.st_rdev);
  }
  f.mode = st.st_mode & 07777;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  return f;
}

std::optional<std::string> read_first_line(const std::filesystem::path& root,
                                           const std::string& host_path) {
  auto text = read_file(under(root, host_path));
  if (!text) return std::nullopt;
  auto nl = text->find('\n');
  return trim(text->substr(0, nl));
}

}  // namespace edgecrew::host
