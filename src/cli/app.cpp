#include "cli/app.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "cli/verbs.h"
#include "util/interrupt.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

std::vector<Verb> verbs() {
  return {build_verb(), cdi_verb(),  config_verb(), doctor_verb(),  down_verb(),
          env_verb(),   exec_verb(), images_verb(), init_verb(),    logs_verb(),
          plan_verb(),  ps_verb(),   render_verb(), restart_verb(), up_verb()};
}

// CLI11 lists the commands itself; the footer says what happens without a stack file.
constexpr const char* k_footer =
    "\nWithout a compose file, edgecrew uses the built-in EdgeCrew stack (vLLM, Redis, Neo4j).\n"
    "Run 'edgecrew help VERB' for a command's flags and examples.";

}  // namespace

int run(const std::vector<std::string>& args, Io& io, const Process& process) {
  return run(args, io, process, Reach{});
}

int run(const std::vector<std::string>& args, Io& io, const Process& process, Reach reach) {
  CLI::App app(
      "edgecrew: run the EdgeCrew stack (vLLM, Redis, Neo4j) on Podman, CRI-O or Kubernetes "
      "from one compose file",
      "edgecrew");
  app.set_version_flag("--version", fmt::format("edgecrew {}", EDGECREW_VERSION));
  app.require_subcommand(0, 1);
  app.fallthrough();

  GlobalOptions global;
  app.add_option("-f,--file", global.files,
                 "Stack file (repeat to merge; default: compose.yaml here)")
      ->type_name("FILE");
  app.add_option("-p,--project-name", global.project_name,
                 "Project name (default: name: or the directory)")
      ->type_name("NAME");
  app.add_option("--profile", global.profiles, "Enable the services of a profile (repeatable)")
      ->type_name("NAME");
  app.add_option("--env-file", global.env_files, "Read variables from this file instead of .env")
      ->type_name("FILE");
  app.add_flag("-v,--verbose", global.verbose, "Say which files, sockets and defaults are used");
  app.add_option("--engine", global.engine,
                 "Engine for up, down, ps, ...: podman or cri (default: the stack's x-edgecrew "
                 "engine, else podman)")
      ->type_name("NAME")
      ->check(CLI::IsMember({"podman", "cri"}));
  app.add_option("--cri-endpoint", global.cri_endpoint,
                 "CRI socket for --engine cri (default: CONTAINER_RUNTIME_ENDPOINT, crictl.yaml, "
                 "then CRI-O's and containerd's sockets)")
      ->type_name("unix:///PATH");

  auto all = verbs();
  app.footer(k_footer);
  std::vector<std::function<int(Context&)>> actions(all.size());
  std::vector<CLI::App*> subs;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CLI::App* sub = app.add_subcommand(all[i].name, all[i].summary);
    sub->footer("\nExamples:\n" + all[i].examples);
    actions[i] = all[i].setup(*sub);
    subs.push_back(sub);
  }
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show a command's flags and examples");
  help->add_option("verb", help_topic, "The command");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      io.err << "edgecrew: " << e.what() << "\n";
      std::vector<std::string> names;
      for (const auto& v : all) names.push_back(v.name);
      // A hint only for a mistyped verb, not for a known verb's bad flags.
      if (!args.empty() && !args.front().starts_with("-") &&
          std::find(names.begin(), names.end(), args.front()) == names.end()) {
        std::string hint = did_you_mean(args.front(), names);
        if (!hint.empty()) io.err << "edgecrew: " << hint << "\n";
      }
      io.err << "Run 'edgecrew --help' for the commands.\n";
      return 2;
    }
    return app.exit(e, io.out, io.err);
  }

  if (help->parsed()) {
    if (help_topic.empty()) {
      io.out << app.help();
      return 0;
    }
    for (CLI::App* sub : subs) {
      if (sub->get_name() == help_topic) {
        io.out << sub->help();
        return 0;
      }
    }
    io.err << fmt::format("edgecrew: no command \"{}\"\n", help_topic);
    return 2;
  }
  if (process.environment.contains("COMPOSE_PROFILES") && global.profiles.empty()) {
    for (const auto& p : split(process.environment.at("COMPOSE_PROFILES"), ',')) {
      if (!p.empty()) global.profiles.push_back(trim(p));
    }
  }

  Context ctx{global, process, io, std::nullopt, std::move(reach)};
  for (std::size_t i = 0; i < subs.size(); ++i) {
    if (!subs[i]->parsed()) continue;
    // The only top-level catch: lower layers return errors as values or throw CommandError.
    try {
      return actions[i](ctx);
    } catch (const CommandError& e) {
      io.err << "edgecrew: " << e.what() << "\n";
      return e.status;
    } catch (const std::exception& e) {
      io.err << "edgecrew: internal error: " << e.what() << "\n";
      return 1;
    }
  }
  io.out << app.help();
  return 0;
}

void handle_interrupts() {
  install_interrupt_handling([](int signal) {
    // Runs on the interrupt's own thread while the command may still be writing: raw writes.
    auto say = [](const std::string& text) {
      ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
      (void)ignored;
    };
    say(fmt::format("\nedgecrew: {}: stopping what edgecrew started (again to abort at once)\n",
                    signal == SIGINT ? "interrupted" : "terminated"));
    const int cleaned = run_interrupt_cleanups();
    if (cleaned > 0) say(fmt::format("edgecrew: stopped {} service(s) edgecrew owned\n", cleaned));
    ::_exit(128 + signal);
  });
}

}  // namespace edgecrew::cli
