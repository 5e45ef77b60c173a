#include <unistd.h>

#include <iostream>

#include "cli/app.h"

extern char** environ;

int main(int argc, char** argv) {
  edgecrew::cli::Process process;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) process.environment[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  std::error_code ec;
  process.cwd = std::filesystem::current_path(ec);
  edgecrew::cli::handle_interrupts();
  edgecrew::cli::Io io{std::cout, std::cerr, ::isatty(STDOUT_FILENO) != 0};
  return edgecrew::cli::run(std::vector<std::string>(argv + 1, argv + argc), io, process);
}
