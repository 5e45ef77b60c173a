#pragma once

#include <filesystem>
#include <string>

#include "util/result.h"

namespace edgecrew {

Result<std::string> read_file(const std::filesystem::path& path);

// A file a user hands edgecrew to read (a stack file, an env file): a regular file (not a FIFO, a
// device or a directory; opened without blocking) of at most `max_bytes`, else invalid_input
// naming the cap and `raise_hint`.
Result<std::string> read_input_file(const std::filesystem::path& path, std::size_t max_bytes,
                                    const std::string& raise_hint);
// Writes through a temporary file and a rename, so a reader never sees half a file;
// `mode` is applied before the rename (0600 for files that hold secrets).
Status write_file_atomic(const std::filesystem::path& path, const std::string& content,
                         unsigned mode = 0644);
// Absolute and lexically normal, with a leading "~" taken as `home`; relative paths start at
// `base`.
std::filesystem::path absolute_from(const std::filesystem::path& base, const std::string& path,
                                    const std::string& home);

}  // namespace edgecrew
