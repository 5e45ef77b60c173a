#include "util/tar.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace edgecrew {

namespace {

constexpr std::size_t k_name_size = 100;
constexpr std::size_t k_prefix_size = 155;

// A number in octal, zero-padded to the field's width less its closing NUL.
void octal(char* field, std::size_t width, std::uint64_t value) {
  std::string digits = fmt::format("{:0{}o}", value, width - 1);
  std::memcpy(field, digits.data(), std::min(digits.size(), width - 1));
  field[width - 1] = '\0';
}

// One pax record: "<length> <key>=<value>\n", the length counting itself.
std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t rest = 1 + key.size() + 1 + value.size() + 1;
  std::size_t length = rest + 1;
  while (std::to_string(length).size() + rest != length) ++length;
  return fmt::format("{} {}={}\n", length, key, value);
}

// Where a long name splits into ustar's prefix and name fields, or npos when it cannot.
std::size_t ustar_split(std::string_view name) {
  if (name.size() <= k_name_size) return 0;
  for (std::size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', slash + 1)) {
    if (slash <= k_prefix_size && name.size() - slash - 1 <= k_name_size && slash > 0 &&
        slash + 1 < name.size()) {
      return slash;
    }
  }
  return std::string_view::npos;
}

}  // namespace

void TarWriter::pad() {
  const std::size_t rest = m_out.size() % k_tar_block;
  if (rest != 0) m_out.append(k_tar_block - rest, '\0');
}

void TarWriter::header(std::string_view name, char type, std::uint64_t size, unsigned mode,
                       std::int64_t mtime, std::string_view link) {
  char block[k_tar_block] = {};
  const std::size_t split = ustar_split(name);
  if (split == 0) {
    std::memcpy(block, name.data(), std::min(name.size(), k_name_size));
  } else if (split != std::string_view::npos) {
    std::memcpy(block + 345, name.data(), split);
    std::memcpy(block, name.data() + split + 1, name.size() - split - 1);
  } else {
    // The pax header before this one carries the whole path.
    std::memcpy(block, name.data(), k_name_size);
  }
  octal(block + 100, 8, mode & 07777);
  octal(block + 108, 8, 0);
  octal(block + 116, 8, 0);
  octal(block + 124, 12, size);
  octal(block + 136, 12, static_cast<std::uint64_t>(std::max<std::int64_t>(mtime, 0)));
  block[156] = type;
  std::memcpy(block + 157, link.data(), std::min(link.size(), k_name_size));
  std::memcpy(block + 257, "ustar", 6);  // with its NUL
  std::memcpy(block + 263, "00", 2);
  // The checksum: every byte of the header, its own field counted as spaces.
  std::memset(block + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::string digits = fmt::format("{:06o}", sum);
  std::memcpy(block + 148, digits.data(), 6);
  block[154] = '\0';
  block[155] = ' ';
  m_out.append(block, k_tar_block);
}

void TarWriter::entry(std::string_view name, char type, std::string_view content, unsigned mode,
                      std::int64_t mtime, std::string_view link) {
  std::string records;
  if (ustar_split(name) == std::string_view::npos) records += pax_record("path", name);
  if (link.size() > k_name_size) records += pax_record("linkpath", link);
  if (!records.empty()) {
    header(fmt::format("PaxHeaders/{}", name.substr(0, 80)), 'x', records.size(), 0644, mtime, "");
    m_out += records;
    pad();
  }
  header(name, type, content.size(), mode, mtime, link);
  m_out.append(content);
  pad();
}

void TarWriter::add_file(std::string_view name, std::string_view content, unsigned mode,
                         std::int64_t mtime) {
  entry(name, '0', content, mode, mtime, "");
}

void TarWriter::add_directory(std::string_view name, unsigned mode, std::int64_t mtime) {
  std::string with_slash(name);
  if (!with_slash.ends_with('/')) with_slash += '/';
  entry(with_slash, '5', "", mode, mtime, "");
}

void TarWriter::add_symlink(std::string_view name, std::string_view target, std::int64_t mtime) {
  entry(name, '2', "", 0777, mtime, target);
}

std::string TarWriter::finish() {
  m_out.append(2 * k_tar_block, '\0');
  std::string out;
  out.swap(m_out);
  return out;
}

}  // namespace edgecrew
