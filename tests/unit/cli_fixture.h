#pragma once
// Runs edgecrew in-process in a temporary directory, capturing what it prints.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

namespace edgecrew::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

// One in-process edgecrew run with `process`, its output captured.
inline CliRun run_cli(const std::vector<std::string>& args, const cli::Process& process) {
  std::ostringstream out;
  std::ostringstream err;
  cli::Io io{out, err, false};
  CliRun r;
  r.status = cli::run(args, io, process);
  r.out = out.str();
  r.err = err.str();
  return r;
}

class CliFixture {
 public:
  CliFixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "edgecrew-cli-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    process.cwd = dir / "project";
    std::filesystem::create_directories(process.cwd);
    process.environment = {{"HOME", (dir / "home").string()},
                           {"XDG_CONFIG_HOME", (dir / "config").string()}};
    process.host_root = dir / "host";  // no GPUs unless a test adds them
  }
  ~CliFixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  CliRun run(const std::vector<std::string>& args) const { return run_cli(args, process); }

  void write(const std::filesystem::path& relative, const std::string& text) const {
    auto path = process.cwd / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  std::string read(const std::filesystem::path& path) const {
    std::ifstream in(path.is_absolute() ? path : process.cwd / path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path dir;
  cli::Process process;
};

}  // namespace edgecrew::testing
