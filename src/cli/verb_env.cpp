#include <nlohmann/json.hpp>

#include "cli/verbs.h"
#include "stack/connection_env.h"
#include "stack/secrets.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

struct EnvOptions {
  bool show_secrets = false;
  bool export_prefix = false;
  bool json = false;
};

int run_env(Context& ctx, const EnvOptions& opt) {
  auto loaded = load_stack_for(ctx);
  auto vars = stack::connection_env(loaded.stack);
  stack::Redactor redactor(stack::collect_secrets(loaded.stack));
  auto shown = [&](const stack::ConnectionVariable& v) {
    if (opt.show_secrets) return v.value;
    return stack::is_secret_name(v.name) ? std::string(stack::k_mask) : redactor.redact(v.value);
  };
  if (opt.json) {
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    for (const auto& v : vars) doc[v.name] = shown(v);
    ctx.io.out << doc.dump(2) << "\n";
  } else {
    for (const auto& v : vars) {
      ctx.io.out << (opt.export_prefix ? "export " : "") << v.name << "=" << shell_quote(shown(v))
                 << "\n";
    }
  }
  if (vars.empty()) {
    ctx.io.err << "edgecrew: no service has a redis, neo4j or openai probe (x-edgecrew.probe), so "
                  "there is nothing to connect to\n";
  } else if (!opt.show_secrets && !opt.json) {
    ctx.io.err << "edgecrew: passwords are masked; use --show-secrets to print them, e.g. "
                  "eval \"$(edgecrew env --export --show-secrets)\"\n";
  }
  return 0;
}

}  // namespace

Verb env_verb() {
  return {"env", "Print the connection variables the application needs",
          "  edgecrew env                                   # REDIS_URL=..., passwords masked\n"
          "  eval \"$(edgecrew env --export --show-secrets)\" # into the current shell\n"
          "  edgecrew env --show-secrets > app.env          # for the application's env file",
          [](CLI::App& sub) {
            auto opt = std::make_shared<EnvOptions>();
            sub.add_flag("--show-secrets", opt->show_secrets,
                         "Print passwords instead of ********");
            sub.add_flag("--export", opt->export_prefix, "Prefix each line with 'export '");
            sub.add_flag("--json", opt->json, "Print a JSON object");
            return [opt](Context& ctx) { return run_env(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
