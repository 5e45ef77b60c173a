#pragma once
// One entry per verb: its flags are registered on a CLI11 subcommand, and `run` is called with the
// parsed options once the command line is complete.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/context.h"

namespace edgecrew::cli {

struct Verb {
  std::string name;
  std::string summary;
  std::string examples;  // shown by `edgecrew help VERB` and `VERB --help`
  // Registers the verb's flags on `sub`; returns the action to run after parsing.
  std::function<std::function<int(Context&)>(CLI::App& sub)> setup;
};

Verb build_verb();
Verb cdi_verb();
Verb config_verb();
Verb doctor_verb();
Verb down_verb();
Verb env_verb();
Verb exec_verb();
Verb images_verb();
Verb init_verb();
Verb logs_verb();
Verb plan_verb();
Verb ps_verb();
Verb render_verb();
Verb restart_verb();
Verb up_verb();

}  // namespace edgecrew::cli
