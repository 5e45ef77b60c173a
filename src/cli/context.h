#pragma once
// What every verb receives: the global options, the process, and the output streams.

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/app.h"
#include "images/registry.h"
#include "images/store.h"
#include "stack/model.h"

namespace edgecrew::engine {
class Engine;
}

namespace edgecrew::cli {

struct GlobalOptions {
  std::vector<std::string> files;      // -f, in merge order
  std::string project_name;            // -p
  std::vector<std::string> profiles;   // --profile (and COMPOSE_PROFILES)
  std::vector<std::string> env_files;  // --env-file
  bool verbose = false;                // -v
  std::string engine;                  // --engine; "" = the stack's x-edgecrew engine, or podman
  std::string cri_endpoint;            // --cri-endpoint; "" = discovered
};

// Gives the engine a verb talks to instead of opening one. `engine` is the one the verb would
// open ("podman" | "cri"), as --engine and the stack chose it.
using EngineFactory = std::function<std::shared_ptr<engine::Engine>(const stack::Stack& stack,
                                                                    const std::string& engine)>;
// Gives the image store of the engine named ("podman" | "cri") that the verb does not run on.
using StoreOpener =
    std::function<images::StoreSide(const stack::Stack& stack, const std::string& engine)>;

// What the verbs reach outside edgecrew: the engine, the other engine's image store, the
// registries. An empty member is the real thing (the engine the stack runs on, cli/store_sides,
// images::ask_registries); in-process tests give all three their own.
struct Reach {
  EngineFactory engine;
  StoreOpener other_store;
  images::RegistryAsker registries;
};

struct Context {
  GlobalOptions global;
  const Process& process;
  Io& io;
  // Set by a verb that targets other machines (render k8s --gpus): used instead of the GPUs
  // found on this host for EDGECREW_GPU_COUNT / EDGECREW_GPU_INDEXES.
  std::optional<int> gpu_count;
  Reach reach;
};

// A failure the command layer reports as one message and exit status; never thrown below cli/.
struct CommandError : std::runtime_error {
  CommandError(int exit_status, const std::string& message)
      : std::runtime_error(message), status(exit_status) {}
  int status;
};

// cli::run reaching what `reach` gives, for tests that run verbs in-process.
int run(const std::vector<std::string>& args, Io& io, const Process& process, Reach reach);

struct LoadedStack {
  stack::Stack stack;
  bool builtin = false;
};

// The load stage: finds the stack file(s) or takes the built-in stack, reads the .env files, fills
// in host-derived defaults, loads and validates. Prints warnings; throws CommandError(2) listing
// every error when the stack is invalid.
LoadedStack load_stack_for(const Context& ctx);

// Where the built-in stack keeps its generated passwords: $XDG_CONFIG_HOME/edgecrew/edgecrew.env.
std::filesystem::path user_env_file(const Process& process);

}  // namespace edgecrew::cli
