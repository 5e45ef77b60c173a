#include "util/fs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgecrew {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot read {}: {}", path.string(), std::strerror(err))};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<std::string> read_input_file(const std::filesystem::path& path, std::size_t max_bytes,
                                    const std::string& raise_hint) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot read {}: {}", path.string(), std::strerror(err))};
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const char* what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    ::close(fd);
    return Error{ErrorKind::invalid_input,
                 fmt::format("{} is {}, not a file edgecrew reads", path.string(), what)};
  }
  std::string out;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Error{error_kind_from_errno(err),
                   fmt::format("cannot read {}: {}", path.string(), std::strerror(err))};
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {  // also for a file that grows while it is read
      ::close(fd);
      return Error{ErrorKind::invalid_input,
                   fmt::format("{} is larger than {} bytes, the most edgecrew reads ({})",
                               path.string(), max_bytes, raise_hint)};
    }
  }
  ::close(fd);
  return out;
}

Status write_file_atomic(const std::filesystem::path& path, const std::string& content,
                         unsigned mode) {
  std::string tmp = path.string() + ".edgecrew-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot write {}: {}", path.string(), std::strerror(err))};
  }
  // The umask may have narrowed or the file may have existed with other bits: set them exactly.
  ::fchmod(fd, mode);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{ErrorKind::io,
                   fmt::format("cannot write {}: {}", path.string(), std::strerror(err))};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error{error_kind_from_errno(err),
                 fmt::format("cannot write {}: {}", path.string(), std::strerror(err))};
  }
  return Ok{};
}

std::filesystem::path absolute_from(const std::filesystem::path& base, const std::string& path,
                                    const std::string& home) {
  std::filesystem::path p;
  if (path == "~" || path.starts_with("~/")) {
    p = std::filesystem::path(home) / path.substr(path.size() > 1 ? 2 : 1);
  } else {
    p = path;
  }
  if (p.is_relative()) p = base / p;
  p = p.lexically_normal();
  std::string s = p.string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace edgecrew
