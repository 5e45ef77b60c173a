#pragma once
// A tar archive written into memory: POSIX ustar headers, with a pax extended header for a path or
// link target too long for them. Owners are root (uid and gid 0, no names), as a build context
// sends them.

#include <cstdint>
#include <string>
#include <string_view>

namespace edgecrew {

class TarWriter {
 public:
  // `name` is relative and '/'-separated ("src/main.c"); a directory's may end with '/'.
  void add_file(std::string_view name, std::string_view content, unsigned mode, std::int64_t mtime);
  void add_directory(std::string_view name, unsigned mode, std::int64_t mtime);
  void add_symlink(std::string_view name, std::string_view target, std::int64_t mtime);

  // Bytes written so far (headers and padding included).
  std::size_t size() const { return m_out.size(); }

  // The archive with its end marker (two zero blocks); the writer is left empty.
  std::string finish();

 private:
  void entry(std::string_view name, char type, std::string_view content, unsigned mode,
             std::int64_t mtime, std::string_view link);
  void header(std::string_view name, char type, std::uint64_t size, unsigned mode,
              std::int64_t mtime, std::string_view link);
  void pad();

  std::string m_out;
};

inline constexpr std::size_t k_tar_block = 512;

}  // namespace edgecrew
