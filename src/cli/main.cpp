#include <unistd.h>

#include <iostream>

#include "cli/app.h"

extern char** environ;

#if defined(__SANITIZE_ADDRESS__)
// The ASan build: the CRI module and the binary both hold the generated CRI messages (the module's
// copies resolve to the binary's), which ASan's strictest ODR check reports as one global defined
// twice. Level 1 still reports a global whose two definitions differ in size.
extern "C" const char* __asan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "detect_odr_violation=1";
}
#endif

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
