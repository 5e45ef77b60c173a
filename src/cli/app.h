#pragma once
// The command line: one entry point that tests call in-process with their own output streams.

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace edgecrew::cli {

// Where a command writes; tests pass string streams and compare the text exactly.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;
};

// What a command may read of the process it runs in, passed in rather than read from globals.
struct Process {
  std::map<std::string, std::string> environment;
  std::filesystem::path cwd;
  std::filesystem::path host_root = "/";  // host facts (GPUs) are read under this root
};

// Exit status: 0 done, 1 failed, 2 bad usage or a bad stack file (nothing was changed).
int run(const std::vector<std::string>& args, Io& io, const Process& process);

// SIGINT and SIGTERM for the edgecrew process: the first stops what edgecrew started (the private
// Podman service) and exits 128 + signal; a second exits at once. Called by main only.
void handle_interrupts();

}  // namespace edgecrew::cli
