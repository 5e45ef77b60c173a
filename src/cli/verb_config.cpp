#include <fmt/format.h>

#include "cli/verbs.h"
#include "stack/normalize.h"
#include "stack/secrets.h"
#include "util/yaml_emit.h"

namespace edgecrew::cli {

namespace {

struct ConfigOptions {
  bool json = false;
  bool show_secrets = false;
  bool services = false;
  bool volumes = false;
  std::string hash;
};

int run_config(Context& ctx, const ConfigOptions& opt) {
  auto loaded = load_stack_for(ctx);
  const auto& st = loaded.stack;
  auto enabled = stack::enabled_services(st, ctx.global.profiles);
  auto& out = ctx.io.out;

  if (opt.services) {
    for (const auto* s : enabled) out << s->name << "\n";
    return 0;
  }
  if (opt.volumes) {
    for (const auto& [key, v] : st.volumes) out << key << "\n";
    return 0;
  }
  if (!opt.hash.empty()) {
    bool found = false;
    for (const auto* s : enabled) {
      if (opt.hash != "*" && opt.hash != s->name) continue;
      out << s->name << " " << stack::spec_hash(*s, st) << "\n";
      found = true;
    }
    if (!found) throw CommandError(2, fmt::format("no enabled service \"{}\"", opt.hash));
    return 0;
  }

  // Only the enabled services are shown, as docker compose config does.
  stack::Stack shown = st;
  shown.services.clear();
  for (const auto* s : enabled) shown.services.push_back(*s);
  auto doc = stack::stack_to_json(shown);
  if (!opt.show_secrets) stack::Redactor(stack::collect_secrets(st)).redact(doc);
  if (opt.json) {
    out << doc.dump(2) << "\n";
  } else {
    out << to_yaml(doc);
  }
  return 0;
}

}  // namespace

Verb config_verb() {
  return {"config", "Print the stack, normalized and validated (secrets masked)",
          "  edgecrew config                     # the stack in use, as YAML\n"
          "  edgecrew config -f my.yaml --json   # another file, as JSON\n"
          "  edgecrew config --profile ui        # include the services of profile \"ui\"\n"
          "  edgecrew config --services          # the enabled service names\n"
          "  edgecrew config --hash '*'          # the spec hash of every enabled service",
          [](CLI::App& sub) {
            auto opt = std::make_shared<ConfigOptions>();
            sub.add_flag("--json", opt->json, "Print JSON instead of YAML");
            sub.add_flag("--show-secrets", opt->show_secrets,
                         "Print passwords instead of ********");
            sub.add_flag("--services", opt->services, "Print the enabled service names only");
            sub.add_flag("--volumes", opt->volumes, "Print the volume names only");
            sub.add_option("--hash", opt->hash,
                           "Print the spec hash of SERVICE, or of every one with '*'")
                ->type_name("SERVICE");
            return [opt](Context& ctx) { return run_config(ctx, *opt); };
          }};
}

}  // namespace edgecrew::cli
