#include <fmt/format.h>

#include "cli/verbs.h"
#include "stack/builtin.h"
#include "stack/secrets.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace fs = std::filesystem;

namespace {

struct InitOptions {
  bool force = false;
  std::string dir = ".";
};

int run_init(Context& ctx, const InitOptions& opt) {
  auto home =
      ctx.process.environment.contains("HOME") ? ctx.process.environment.at("HOME") : "/root";
  fs::path dir = absolute_from(ctx.process.cwd, opt.dir, home);
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path compose = dir / "compose.yaml";

  for (const char* name :
       {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}) {
    if (!fs::exists(dir / name, ec)) continue;
    if (!opt.force) {
      throw CommandError(
          1, fmt::format("{} already exists; nothing was written (edgecrew init --force "
                         "replaces it and keeps the old one as {}.bak)",
                         (dir / name).string(), name));
    }
    fs::rename(dir / name, dir / (std::string(name) + ".bak"), ec);
    if (ec) throw CommandError(1, fmt::format("cannot move {} aside: {}", name, ec.message()));
    ctx.io.out << fmt::format("kept the old {} as {}.bak\n", name, name);
  }

  auto written = write_file_atomic(compose, std::string(stack::builtin_compose_text()), 0644);
  if (!written) throw CommandError(1, written.error().message);
  ctx.io.out << fmt::format("wrote {}\n", compose.string());

  fs::path env_file = dir / ".env";
  const auto& names = stack::builtin_generated_secrets();
  auto generated = stack::ensure_generated_secrets(env_file, names, ctx.process.environment);
  if (!generated) throw CommandError(1, generated.error().message);
  if (!generated->empty()) {
    ctx.io.out << fmt::format("generated {} in {} (mode 0600)\n", join(*generated, ", "),
                              env_file.string());
  }
  for (const auto& name : names) {
    if (ctx.process.environment.contains(name)) {
      ctx.io.out << fmt::format("{} is set in the environment, which wins over .env\n", name);
    }
  }
  ctx.io.out << "next: edgecrew config   (the stack, passwords masked)\n";
  return 0;
}

}  // namespace

Verb init_verb() {
  return {"init", "Write the EdgeCrew stack to compose.yaml and passwords to .env",
          "  edgecrew init                # compose.yaml + .env (0600) in this directory\n"
          "  edgecrew init ~/edgecrew     # in another directory\n"
          "  edgecrew init --force        # replace compose.yaml (the old one is kept as .bak)",
          [](CLI::App& sub) {
            auto opt = std::make_shared<InitOptions>();
            sub.add_flag("--force", opt->force, "Replace an existing compose file (kept as .bak)");
            sub.add_option("dir", opt->dir, "Directory to write into (default: the current one)");
            return [opt](Context& ctx) { return run_init(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
