// `edgecrew doctor`: the named host checks, run in parallel, printed as a report or JSON.
#include <memory>

#include "cli/verbs.h"
#include "doctor/check.h"
#include "doctor/report.h"
#include "doctor/runner.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace {

struct DoctorOptions {
  bool json = false;
  std::vector<std::string> ignore;
  std::vector<std::string> only;
  std::string root;
  bool check_services = false;
  bool smoke = false;
};

// The stack the engine sections check against, loaded as every verb loads it; a stack that does
// not load is reported by those checks rather than stopping the host checks.
void add_stack(Context& ctx, doctor::Inputs& in) {
  try {
    auto loaded = load_stack_for(ctx);
    in.stack = std::make_shared<const stack::Stack>(std::move(loaded.stack));
  } catch (const CommandError& e) {
    in.stack_error = e.what();
  }
  in.engine = ctx.global.engine;
  in.cri_endpoint = ctx.global.cri_endpoint;
  in.profiles = ctx.global.profiles;
}

int run_doctor(Context& ctx, const DoctorOptions& opt) {
  auto checks = doctor::catalogue();
  doctor::Selection selection{opt.only, opt.ignore, {}};
  if (opt.check_services) selection.opt_ins.emplace_back("--check-services");
  if (opt.smoke) selection.opt_ins.emplace_back("--smoke");
  if (auto ok = doctor::check_selection(checks, selection); !ok) {
    throw CommandError(2, ok.error().message);
  }
  // A relative --root is taken from the command's working directory, like every other path.
  std::filesystem::path root =
      opt.root.empty() ? ctx.process.host_root : ctx.process.cwd / std::filesystem::path(opt.root);
  if (!std::filesystem::is_directory(root)) {
    throw CommandError(2, (opt.root.empty() ? "the host root " : "--root ") + root.string() +
                              " is not a directory");
  }
  auto inputs = doctor::default_inputs(root, ctx.process.environment);
  // The sections with checks against the stack read it; `--only network` loads none (and
  // generates nothing).
  bool wants_stack = opt.only.empty();
  for (const auto& s : opt.only) {
    wants_stack |= s == "gpu" || s == "storage" || s == "cri" || s == "images" || s == "services" ||
                   s == "smoke";
  }
  if (wants_stack) add_stack(ctx, inputs);
  auto facts = std::make_shared<doctor::Facts>(std::move(inputs));
  auto report = doctor::run_checks(checks, facts, selection);
  if (report.findings.empty()) {
    std::vector<std::string> with_checks;
    for (const auto& c : checks) {
      if (with_checks.empty() || with_checks.back() != c.section) with_checks.push_back(c.section);
    }
    ctx.io.err << "edgecrew: the selected sections have no checks yet (sections with checks: "
               << join(with_checks, ", ") << ")\n";
  }
  if (opt.json) {
    ctx.io.out << doctor::report_json(report);
  } else {
    ctx.io.out << doctor::report_text(report, {ctx.global.verbose, ctx.io.out_is_terminal});
  }
  return report.failed() ? 1 : 0;
}

}  // namespace

Verb doctor_verb() {
  return {
      "doctor",
      "Check the host for the stack: GPU, CDI, CRI, CRI-O config, storage, network, images, "
      "services",
      "  edgecrew doctor                        # every check, problems explained\n"
      "  edgecrew doctor -v                     # with the evidence of every check\n"
      "  edgecrew doctor --check-services       # also the running stack: probes, CDI devices\n"
      "  edgecrew doctor --smoke --only smoke   # run a GPU (or test CDI) container end to end\n"
      "  edgecrew doctor --only gpu --only cdi  # some sections\n"
      "  edgecrew doctor --ignore cdi.dri       # a known failure reported as a warning\n"
      "  edgecrew doctor --json | jq '.checks[] | select(.status==\"fail\")'\n"
      "  edgecrew doctor --root /mnt/other-host # read another root's /etc, /proc, /dev",
      [](CLI::App& sub) {
        auto opt = std::make_shared<DoctorOptions>();
        sub.add_flag("--json", opt->json, "Print the report as JSON (docs/DOCTOR.md)");
        sub.add_flag("--check-services", opt->check_services,
                     "Also check the running stack: state, probes, injected CDI devices");
        sub.add_flag("--smoke", opt->smoke,
                     "Also run a short container with the stack's GPU request (Podman, CRI)");
        sub.add_option("--ignore", opt->ignore,
                       "Report this check's failure as a warning (repeatable; 'all')")
            ->type_name("ID");
        sub.add_option("--only", opt->only, "Run only this section (repeatable)")
            ->type_name("SECTION");
        sub.add_option("--root", opt->root, "Read host files (/etc, /proc, /sys, /dev) under DIR")
            ->type_name("DIR");
        return [opt](Context& ctx) { return run_doctor(ctx, *opt); };
      }};
}

}  // namespace edgecrew::cli
