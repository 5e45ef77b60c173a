#pragma once
// A build's context as Podman's build API takes it: the context directory as a tar stream, less
// what .containerignore (else .dockerignore) excludes, with the Containerfile in it.

#include <cstddef>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "stack/model.h"
#include "util/result.h"

namespace edgecrew::engine::podman {

// The context is held in memory while it is sent: a larger one is an error that says to list
// what the build does not need in .containerignore.
inline constexpr std::size_t k_max_build_context_bytes = 1024ull * 1024 * 1024;

// The name a Containerfile from outside the context (or dockerfile_inline) gets in the archive.
inline constexpr std::string_view k_generated_containerfile = ".edgecrew.Containerfile";

// .dockerignore's rules, as Docker reads them: one pattern a line, '#' lines and blank lines
// skipped, surrounding spaces trimmed, the pattern cleaned (".", "..", repeated and trailing '/')
// and a leading '/' dropped; '*' any run of characters but '/', '?' one of them, [a-z] and [!a-z]
// classes, '\' escapes, '**' any number of directories; '!' re-includes what a pattern before it
// excluded. The last pattern that matches a path, or one of its parent directories, decides.
class IgnoreRules {
 public:
  // `file` names the file in errors: "<file>:<line>: ...".
  static Result<IgnoreRules> parse(std::string_view text, const std::string& file);

  // `path` is relative to the context, '/'-separated.
  bool excluded(std::string_view path) const;
  // Whether any pattern re-includes: a directory excluded whole need not be walked otherwise.
  bool has_exceptions() const { return m_has_exceptions; }

 private:
  struct Pattern {
    std::regex re;
    bool exception = false;
  };
  std::vector<Pattern> m_patterns;
  bool m_has_exceptions = false;
};

struct BuildContext {
  std::string tar;
  std::string dockerfile;   // its path in the archive, for the API's dockerfile parameter
  std::string ignore_file;  // ".containerignore", ".dockerignore" or ""
  std::size_t files = 0;    // regular files sent
};

Result<BuildContext> pack_context(const stack::Build& build,
                                  std::size_t max_bytes = k_max_build_context_bytes);

}  // namespace edgecrew::engine::podman
