#include <fmt/format.h>

#include "cli/context.h"
#include "host/gpus.h"
#include "stack/builtin.h"
#include "stack/compose_files.h"
#include "stack/compose_loader.h"
#include "stack/secrets.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace fs = std::filesystem;

namespace {

std::string env_or(const Process& p, const std::string& key, const std::string& fallback) {
  auto it = p.environment.find(key);
  return it != p.environment.end() && !it->second.empty() ? it->second : fallback;
}

// Defaults that depend on the machine: the built-in stack sizes vLLM to the GPUs found here.
std::map<std::string, std::string> host_defaults(const Context& ctx) {
  auto gpus = ctx.gpu_count ? host::GpuCount{*ctx.gpu_count, "--gpus"}
                            : host::count_nvidia_gpus(ctx.process.host_root);
  int count = std::max(1, gpus.count);
  std::vector<std::string> indexes;
  for (int i = 0; i < count; ++i) indexes.push_back(std::to_string(i));
  if (ctx.global.verbose) {
    ctx.io.err << fmt::format("edgecrew: {} NVIDIA GPU(s) found ({}); EDGECREW_GPU_COUNT={}\n",
                              gpus.count, gpus.source, count);
  }
  return {{"EDGECREW_GPU_COUNT", std::to_string(count)},
          {"EDGECREW_GPU_INDEXES", join(indexes, ",")}};
}

void print_diagnostics(const Diagnostics& diags, std::ostream& err) {
  for (const auto& d : diags.items()) err << format_diagnostic(d) << "\n";
}

}  // namespace

fs::path user_env_file(const Process& process) {
  std::string home = env_or(process, "HOME", "/root");
  fs::path config = env_or(process, "XDG_CONFIG_HOME", home + "/.config");
  return config / "edgecrew" / "edgecrew.env";
}

LoadedStack load_stack_for(const Context& ctx) {
  const auto& process = ctx.process;
  stack::LoadOptions options;
  options.environment = process.environment;
  options.defaults = host_defaults(ctx);
  options.project_name = ctx.global.project_name;
  options.home = env_or(process, "HOME", "/root");

  std::vector<fs::path> files;
  for (const auto& f : ctx.global.files)
    files.push_back(absolute_from(process.cwd, f, options.home));
  if (files.empty()) files = stack::discover_compose_files(process.cwd);

  LoadedStack loaded;
  Diagnostics diags;
  std::vector<stack::SourceFile> sources;
  if (files.empty()) {
    loaded.builtin = true;
    fs::path secrets_file = user_env_file(process);
    auto generated = stack::ensure_generated_secrets(
        secrets_file, stack::builtin_generated_secrets(), process.environment);
    if (!generated) throw CommandError(1, generated.error().message);
    if (!generated->empty()) {
      ctx.io.err << fmt::format("edgecrew: generated {} into {} (mode 0600)\n",
                                join(*generated, ", "), secrets_file.string());
    }
    sources.push_back({std::string(stack::k_builtin_name),
                       std::string(stack::builtin_compose_text()), process.cwd});
    options.env_files.push_back({process.cwd / ".env", false});
    options.env_files.push_back({secrets_file, false});
    options.fallback_project_name = "edgecrew";
  } else {
    sources = stack::read_sources(files, process.cwd, diags);
    options.fallback_project_name = files.front().parent_path().filename().string();
    options.env_files.push_back({files.front().parent_path() / ".env", false});
  }
  if (!ctx.global.env_files.empty()) {
    // --env-file replaces the default .env, as in Compose.
    options.env_files.clear();
    for (const auto& f : ctx.global.env_files) {
      options.env_files.push_back({absolute_from(process.cwd, f, options.home), true});
    }
  }
  if (ctx.global.verbose) {
    for (const auto& s : sources) ctx.io.err << "edgecrew: stack file " << s.name << "\n";
    for (const auto& e : options.env_files)
      ctx.io.err << "edgecrew: env file " << e.path.string() << "\n";
  }

  stack::LoadResult result;
  if (!diags.has_errors()) result = stack::load_stack(sources, options);
  diags.append(result.diagnostics);
  print_diagnostics(diags, ctx.io.err);
  if (diags.has_errors() || !result.stack) {
    std::size_t n = diags.error_count();
    throw CommandError(2, fmt::format("the stack is not valid: {} error{}; nothing was changed", n,
                                      n == 1 ? "" : "s"));
  }
  loaded.stack = std::move(*result.stack);
  return loaded;
}

}  // namespace edgecrew::cli
