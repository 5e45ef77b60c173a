#include <fmt/format.h>

#include "cli/verbs.h"
#include "engine/cri/cri_mapping.h"
#include "render/crio_render.h"
#include "render/k8s_render.h"
#include "stack/secrets.h"
#include "util/fs.h"
#include "util/strings.h"

namespace edgecrew::cli {

namespace fs = std::filesystem;

namespace {

struct RenderOptions {
  std::string out_dir;
  bool show_secrets = false;
  std::vector<std::string> services;
  engine::cri::CriMappingOptions cri;
  render::K8sOptions k8s;
};

// The named services (each must exist), or every service the profiles enable.
std::vector<const stack::Service*> selected(const Context& ctx, const stack::Stack& st,
                                            const std::vector<std::string>& names) {
  std::vector<std::string> all;
  for (const auto& s : st.services) all.push_back(s.name);
  for (const auto& name : names) {
    if (st.find(name) == nullptr) {
      std::string hint = did_you_mean(name, all);
      throw CommandError(2, fmt::format("no service \"{}\" in the stack{}", name,
                                        hint.empty() ? "" : " (" + hint + ")"));
    }
  }
  if (names.empty()) return stack::enabled_services(st, ctx.global.profiles);
  std::vector<const stack::Service*> out;
  for (const auto& name : names) out.push_back(st.find(name));
  return out;
}

// Files go to -o DIR (secrets kept, mode 0600 where they appear); without -o they are printed,
// each under a "==> NAME <==" line, secrets masked unless --show-secrets.
int emit(Context& ctx, const RenderOptions& opt, const stack::Stack& st,
         const std::vector<render::RenderedFile>& files) {
  if (opt.out_dir.empty()) {
    stack::Redactor redactor(stack::collect_secrets(st));
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files.size() > 1)
        ctx.io.out << (i > 0 ? "\n" : "") << "==> " << files[i].name << " <==\n";
      ctx.io.out << (opt.show_secrets ? files[i].content : redactor.redact(files[i].content));
    }
    return 0;
  }
  auto home = ctx.process.environment.contains("HOME") ? ctx.process.environment.at("HOME") : "/";
  fs::path dir = absolute_from(ctx.process.cwd, opt.out_dir, home);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw CommandError(1, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  for (const auto& f : files) {
    auto written = write_file_atomic(dir / f.name, f.content, f.has_secrets ? 0600 : 0644);
    if (!written) throw CommandError(1, written.error().message);
    ctx.io.out << fmt::format("wrote {}{}\n", (dir / f.name).string(),
                              f.has_secrets ? " (holds secrets: mode 0600)" : "");
  }
  return 0;
}

int run_render_crio(Context& ctx, const RenderOptions& opt) {
  auto loaded = load_stack_for(ctx);
  auto services = selected(ctx, loaded.stack, opt.services);
  return emit(ctx, opt, loaded.stack, render::render_crio(loaded.stack, services, opt.cri));
}

int run_render_k8s(Context& ctx, const RenderOptions& opt) {
  if (opt.k8s.gpus < 1) throw CommandError(2, "--gpus must be at least 1");
  if (!render::is_valid_k8s_namespace(opt.k8s.namespace_name)) {
    throw CommandError(2, fmt::format("--namespace \"{}\" is not a valid Kubernetes namespace "
                                      "(lower-case letters, digits and '-', at most 63)",
                                      opt.k8s.namespace_name));
  }
  // The pods run on cluster nodes, not here: size vLLM to the GPUs each pod gets.
  ctx.gpu_count = opt.k8s.gpus;
  auto loaded = load_stack_for(ctx);
  auto services = selected(ctx, loaded.stack, opt.services);
  if (opt.out_dir.empty()) {
    return emit(ctx, opt, loaded.stack,
                {{"manifests.yaml", render::render_k8s(loaded.stack, services, opt.k8s), true}});
  }
  return emit(ctx, opt, loaded.stack, render::render_k8s_files(loaded.stack, services, opt.k8s));
}

void add_common(CLI::App& sub, RenderOptions& opt) {
  sub.add_option("-o,--output", opt.out_dir, "Write the files into DIR instead of printing them")
      ->type_name("DIR");
  sub.add_flag("--show-secrets", opt.show_secrets, "Print passwords instead of ******** (stdout)");
  sub.add_option("services", opt.services, "Only these services (default: every enabled one)");
}

}  // namespace

Verb render_verb() {
  return {"render", "Write crictl JSON or Kubernetes manifests for the stack",
          "  edgecrew render crio -o crio/          # NAME-pod.json, NAME-ctr.json, README.txt\n"
          "  edgecrew render crio redis             # print one service's files\n"
          "  edgecrew render k8s -o k8s/ --namespace edgecrew --gpus 2\n"
          "  edgecrew render k8s --show-secrets | kubectl apply -f -",
          [](CLI::App& sub) {
            auto opt = std::make_shared<RenderOptions>();
            sub.require_subcommand(1, 1);
            CLI::App* crio =
                sub.add_subcommand("crio", "crictl pod and container JSON per service");
            add_common(*crio, *opt);
            crio->add_option("--data-root", opt->cri.data_root,
                             "Host directory that holds named volumes")
                ->capture_default_str();
            crio->add_option("--log-root", opt->cri.log_root, "Host directory for container logs")
                ->capture_default_str();
            crio->add_option("--cgroup-parent", opt->cri.cgroup_parent, "Pod cgroup parent")
                ->capture_default_str();
            CLI::App* k8s = sub.add_subcommand("k8s", "Kubernetes manifests (kubectl apply -f)");
            add_common(*k8s, *opt);
            k8s->add_option("--namespace", opt->k8s.namespace_name, "Namespace of every object")
                ->capture_default_str();
            k8s->add_option("--gpus", opt->k8s.gpus,
                            "GPUs per pod for a service that asks for all of them")
                ->capture_default_str();
            return [opt, crio](Context& ctx) {
              return crio->parsed() ? run_render_crio(ctx, *opt) : run_render_k8s(ctx, *opt);
            };
          }};
}

}  // namespace edgecrew::cli
