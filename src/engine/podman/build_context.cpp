#include "engine/podman/build_context.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "util/fs.h"
#include "util/strings.h"
#include "util/tar.h"

namespace edgecrew::engine::podman {

namespace fs = std::filesystem;

namespace {

// What a pattern means as a regular expression over the whole path, or why it is not one.
Result<std::string> pattern_regex(std::string_view p) {
  std::string re;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '*') {
      if (i + 1 < p.size() && p[i + 1] == '*') {
        ++i;
        while (i + 1 < p.size() && p[i + 1] == '*') ++i;
        if (i + 1 < p.size() && p[i + 1] == '/') {
          ++i;
          re += "(.*/)?";
        } else {
          re += ".*";  // at the end, or before more of a name
        }
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '\\') {
      if (i + 1 == p.size()) return Error{ErrorKind::invalid_input, "it ends with a lone '\\'"};
      ++i;
      re += '\\';
      re += p[i];
    } else if (c == '[') {
      std::size_t j = i + 1;
      std::string cls = "[";
      if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
        cls += '^';
        ++j;
      }
      bool closed = false;
      bool any = false;
      for (; j < p.size(); ++j) {
        if (p[j] == ']' && any) {
          closed = true;
          break;
        }
        if (p[j] == '\\') {
          if (j + 1 == p.size()) break;
          ++j;
          cls += '\\';
          cls += p[j];
        } else if (p[j] == '/') {
          break;  // a class never matches the separator
        } else if (p[j] == '[' || p[j] == ']') {
          cls += '\\';
          cls += p[j];
        } else {
          cls += p[j];
        }
        any = true;
      }
      if (!closed) {
        return Error{
            ErrorKind::invalid_input,
            fmt::format("the class that starts at character {} is not closed with ']'", i + 1)};
      }
      re += cls + "]";
      i = j;
    } else if (std::string_view(".+()|{}^$]").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  return re;
}

// filepath.Clean's work on a pattern: "." and ".." taken out, '/' not repeated, none at the end.
std::string clean(std::string_view pattern) {
  std::string out = fs::path(std::string(pattern)).lexically_normal().generic_string();
  while (out.size() > 1 && out.ends_with('/')) out.pop_back();
  if (out.empty()) out = ".";
  return out;
}

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtime);
}

bool inside(const fs::path& dir, const fs::path& file) {
  auto rel = file.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != ".." && rel.is_relative();
}

}  // namespace

Result<IgnoreRules> IgnoreRules::parse(std::string_view text, const std::string& file) {
  IgnoreRules rules;
  int number = 0;
  for (const auto& raw : split(std::string(text), '\n')) {
    ++number;
    std::string line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    Pattern pattern;
    if (line.front() == '!') {
      pattern.exception = true;
      line = trim(line.substr(1));
      if (line.empty()) {
        return Error{ErrorKind::invalid_input,
                     fmt::format("{}:{}: \"!\" re-includes nothing: write the pattern after it",
                                 file, number)};
      }
    }
    line = clean(line);
    if (line.size() > 1 && line.front() == '/') line.erase(0, 1);
    auto re = pattern_regex(line);
    if (!re) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("{}:{}: the pattern \"{}\" is not valid: {}", file, number, line,
                               re.error().message)};
    }
    try {
      pattern.re = std::regex(*re, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      return Error{ErrorKind::invalid_input,
                   fmt::format("{}:{}: the pattern \"{}\" is not valid", file, number, line)};
    }
    rules.m_has_exceptions |= pattern.exception;
    rules.m_patterns.push_back(std::move(pattern));
  }
  return rules;
}

bool IgnoreRules::excluded(std::string_view path) const {
  bool out = false;
  for (const auto& pattern : m_patterns) {
    // Only a match that would change the verdict is looked for.
    if (pattern.exception != out) continue;
    // The path itself, then each of its parent directories.
    bool matched = false;
    std::string_view candidate = path;
    while (!candidate.empty()) {
      if (std::regex_match(candidate.begin(), candidate.end(), pattern.re)) {
        matched = true;
        break;
      }
      auto slash = candidate.rfind('/');
      if (slash == std::string_view::npos) break;
      candidate = candidate.substr(0, slash);
    }
    if (matched) out = !pattern.exception;
  }
  return out;
}

Result<BuildContext> pack_context(const stack::Build& build, std::size_t max_bytes) {
  const fs::path dir = build.context;
  BuildContext out;
  IgnoreRules rules;
  for (const char* name : {".containerignore", ".dockerignore"}) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / name, ec)) continue;
    auto text = read_file(dir / name);
    if (!text) return text.error();
    auto parsed = IgnoreRules::parse(*text, (dir / name).string());
    if (!parsed) return parsed.error();
    rules = std::move(*parsed);
    out.ignore_file = name;
    break;
  }

  // The Containerfile: the context's own (Podman's order: Containerfile, then Dockerfile), one
  // named inside the context, or one from elsewhere (or inline) added under a name of its own.
  std::optional<std::string> generated;
  if (!build.dockerfile_inline.empty()) {
    generated = build.dockerfile_inline;
  } else if (!build.dockerfile.empty()) {
    const fs::path file = build.dockerfile;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return Error{ErrorKind::not_found,
                   fmt::format("the Containerfile {} is not there (dockerfile is taken from the "
                               "context {})",
                               file.string(), dir.string())};
    }
    if (inside(dir, file)) {
      out.dockerfile = file.lexically_relative(dir).generic_string();
    } else {
      auto text = read_file(file);
      if (!text) return text.error();
      generated = std::move(*text);
    }
  } else {
    for (const char* name : {"Containerfile", "Dockerfile"}) {
      std::error_code ec;
      if (fs::is_regular_file(dir / name, ec)) {
        out.dockerfile = name;
        break;
      }
    }
    if (out.dockerfile.empty()) {
      return Error{
          ErrorKind::not_found,
          fmt::format("the context {} has no Containerfile and no Dockerfile", dir.string())};
    }
  }
  if (generated) out.dockerfile = std::string(k_generated_containerfile);

  // What goes in, sorted so that the same context gives the same archive.
  std::vector<std::string> paths;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) {
    return Error{error_kind_from_errno(ec.value()),
                 fmt::format("reading the build context {}: {}", dir.string(), ec.message())};
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string rel = it->path().lexically_relative(dir).generic_string();
    const bool always = rel == out.dockerfile || rel == out.ignore_file;
    const bool is_dir = it->is_directory(ec) && !it->is_symlink(ec);
    if (!always && rules.excluded(rel)) {
      if (is_dir && !rules.has_exceptions()) it.disable_recursion_pending();
      continue;
    }
    paths.push_back(rel);
  }
  if (ec) {
    return Error{error_kind_from_errno(ec.value()),
                 fmt::format("reading the build context {}: {}", dir.string(), ec.message())};
  }
  std::sort(paths.begin(), paths.end());

  TarWriter tar;
  auto too_big = [&] {
    return Error{ErrorKind::invalid_input,
                 fmt::format("the build context {} is over {} MiB: list what the build does not "
                             "need in its .containerignore",
                             dir.string(), max_bytes / (1024 * 1024))};
  };
  for (const auto& rel : paths) {
    const fs::path file = dir / rel;
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
      return Error{error_kind_from_errno(errno), fmt::format("reading {} of the build context: {}",
                                                             file.string(), std::strerror(errno))};
    }
    if (S_ISDIR(st.st_mode)) {
      tar.add_directory(rel, st.st_mode & 07777, mtime_of(st));
    } else if (S_ISLNK(st.st_mode)) {
      auto target = fs::read_symlink(file, ec);
      if (ec) {
        return Error{error_kind_from_errno(ec.value()),
                     fmt::format("reading the link {}: {}", file.string(), ec.message())};
      }
      tar.add_symlink(rel, target.string(), mtime_of(st));
    } else if (S_ISREG(st.st_mode)) {
      if (tar.size() + static_cast<std::size_t>(st.st_size) > max_bytes) return too_big();
      auto content = read_file(file);
      if (!content) return content.error();
      tar.add_file(rel, *content, st.st_mode & 07777, mtime_of(st));
      ++out.files;
    }
    // Sockets, FIFOs and devices are not sent, as Docker sends none.
    if (tar.size() > max_bytes) return too_big();
  }
  if (generated) {
    tar.add_file(k_generated_containerfile, *generated, 0644, 0);
  }
  out.tar = tar.finish();
  return out;
}

}  // namespace edgecrew::engine::podman
