// Section "smoke" (--smoke): one short container with the stack's GPU request, through Podman and
// through the CRI with the stack's handler (nvidia), proving the whole injection path. With GPUs
// it runs `nvidia-smi -L` in the stack's GPU image with the stack's CDI devices; without, it
// writes a test CDI device (cdiVersion 0.3.0, which every CDI library reads) into /var/run/cdi,
// asks for it, and checks that the variable only that device sets reached the container. The
// test spec and the container are removed afterwards.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "host/runtime_traps.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

constexpr const char* k_flag = "--smoke";
constexpr std::chrono::milliseconds k_smoke_timeout{45'000};
// How long the smoke container may take to run and exit (an image's first start included).
constexpr std::chrono::seconds k_run_for{30};
constexpr const char* k_marker = "EDGECREW_SMOKE";

// The service of the stack that asks for GPUs (CDI devices), or null.
const stack::Service* gpu_service(const Facts& facts) {
  for (const auto* s : stack_services(facts)) {
    if (!stack::cdi_devices(*s).empty()) return s;
  }
  return nullptr;
}

// A CDI spec file that exists for the duration of one smoke run.
class TestSpec {
 public:
  TestSpec(const Facts& facts, const std::string& engine) {
    m_kind = "edgecrew.smoke/" + engine;
    std::filesystem::path dir = host::under(facts.root(), "/var/run/cdi");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    m_path = dir / fmt::format("edgecrew-smoke-{}-{}.yaml", engine, static_cast<int>(::getpid()));
    std::ofstream out(m_path);
    out << "cdiVersion: \"0.3.0\"\nkind: \"" << m_kind
        << "\"\ndevices:\n- name: probe\n  containerEdits:\n    deviceNodes:\n    - path: "
           "/dev/zero\n    env: [\""
        << k_marker << "=1\"]\n";
    m_ok = out.good();
  }
  ~TestSpec() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
  }
  bool ok() const { return m_ok; }
  std::string device() const { return m_kind + "=probe"; }
  std::string path() const { return m_path.string(); }

 private:
  std::string m_kind;
  std::filesystem::path m_path;
  bool m_ok = false;
};

struct SmokeRun {
  int exit_code = -1;
  std::string output;
};

// Creates, starts and waits for the smoke container, reads its output and removes it.
Result<SmokeRun> run_smoke(engine::Engine& e, const stack::Stack& st) {
  const auto& service = st.services.front();
  if (auto old = e.list(st.name)) {
    for (const auto& c : *old) (void)e.remove(c.id);
  }
  auto id = e.create({&st, &service, "smoke"});
  if (!id) return id.error();
  struct Cleanup {
    engine::Engine& e;
    std::string id;
    ~Cleanup() {
      (void)e.stop(id, std::chrono::seconds(1), "");
      (void)e.remove(id);
    }
  } cleanup{e, *id};
  if (auto started = e.start(*id); !started) return started.error();
  const auto until = std::chrono::steady_clock::now() + k_run_for;
  SmokeRun out;
  for (;;) {
    auto c = e.inspect(*id);
    if (!c) return c.error();
    if (c->state == engine::ContainerState::exited) {
      out.exit_code = c->exit_code;
      break;
    }
    if (std::chrono::steady_clock::now() > until) {
      return Error{ErrorKind::timeout,
                   fmt::format("the smoke container did not exit within {} s", k_run_for.count())};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (void)e.logs(*id, {}, [&out](std::string_view, std::string_view line) {
    out.output += std::string(line) + "\n";
    return true;
  });
  return out;
}

Outcome smoke(const Facts& facts, engine::EngineKind kind) {
  const std::string engine_name(engine::to_string(kind));
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  const auto* gpu = gpu_service(facts);
  if (gpu == nullptr) return skip("the stack asks for no GPU (no CDI device)");
  const bool gpus = facts.gpus().count > 0;

  std::shared_ptr<engine::Engine> e;
  std::string where;
  if (kind == engine::EngineKind::podman) {
    const auto& p = podman_facts(facts);
    if (!p.engine) return skip(p.absent);
    e = p.engine;
    where = p.reached;
  } else {
    const auto& c = cri_facts(facts);
    if (!c.absent.empty()) return skip(c.absent);
    if (!c.version->ok()) return skip("the CRI runtime did not answer (see cri.socket)");
    // Its own engine, with the engine's deadlines: creating and starting a container on a GPU
    // takes longer than the checks' 2 s.
    auto attempt = engine::open_engine(engine_request(facts, engine::EngineKind::cri));
    if (!attempt.opened) return skip(attempt.opened.error().message);
    e = attempt.opened->engine;
    where = attempt.opened->where;
  }

  stack::Stack st;
  st.name = "edgecrew-doctor-smoke";
  st.project_dir = facts.root().string();
  stack::Service s;
  s.name = "smoke";
  s.image = gpu->image;
  s.network_mode = stack::NetworkMode::host;
  s.runtime = kind == engine::EngineKind::cri ? gpu->runtime : std::string();
  s.stop_grace_period = std::chrono::seconds(1);
  std::optional<TestSpec> spec;
  std::vector<std::string> evidence = {where, "image " + s.image};
  if (gpus) {
    for (const auto& name : stack::cdi_devices(*gpu)) {
      stack::Device d;
      d.cdi_name = name;
      s.devices.push_back(d);
    }
    s.entrypoint = std::vector<std::string>{"nvidia-smi", "-L"};
    s.command = std::vector<std::string>{};
  } else {
    spec.emplace(facts, engine_name);
    if (!spec->ok()) return fail("cannot write the test CDI spec " + spec->path(), evidence);
    stack::Device d;
    d.cdi_name = spec->device();
    s.devices.push_back(d);
    s.entrypoint = std::vector<std::string>{"sh", "-c", fmt::format("echo smoke:${}", k_marker)};
    s.command = std::vector<std::string>{};
    evidence.push_back(fmt::format("no GPU: test device {} from {} (cdiVersion 0.3.0)",
                                   spec->device(), spec->path()));
  }
  std::vector<std::string> names;
  for (const auto& d : s.devices) names.push_back(d.cdi_name);
  if (!s.runtime.empty()) evidence.push_back("runtime handler " + s.runtime);
  evidence.push_back("devices " + join(names, ", "));
  st.services.push_back(s);

  auto present = e->image_present(s.image);
  if (present && !*present) {
    return skip(
        fmt::format("{} is not in the {} store (see images.{})", s.image, engine_name, engine_name),
        evidence);
  }
  auto ran = run_smoke(*e, st);
  if (!ran) {
    evidence.push_back(ran.error().message);
    if (auto trap = host::known_trap(ran.error().message)) {
      return fail(fmt::format("the smoke container did not run through {}: {} (see {})",
                              engine_name, trap->cause, trap->check_id),
                  evidence, trap->fix);
    }
    return fail(fmt::format("the smoke container did not run through {}: {}", engine_name,
                            ran.error().message.substr(0, ran.error().message.find('\n'))),
                evidence,
                "the error names the cause: an unresolvable CDI device (edgecrew cdi explain "
                "NAME), an unknown runtime handler (cri.stack-handlers)");
  }
  std::string out = trim(ran->output);
  evidence.push_back(
      fmt::format("exit {}, output: {}", ran->exit_code, out.empty() ? "(none)" : out));
  if (gpus) {
    if (ran->exit_code != 0 || out.find("GPU ") == std::string::npos) {
      return fail("nvidia-smi found no GPU in the container", evidence,
                  "the devices were not injected: check cdi.gpu-all and the handler");
    }
    return pass(fmt::format("nvidia-smi in the container through {}: {}", engine_name,
                            out.substr(0, out.find('\n'))),
                evidence);
  }
  if (ran->exit_code != 0)
    return fail(fmt::format("the smoke container exited {}", ran->exit_code), evidence);
  if (out.find("smoke:1") == std::string::npos) {
    return fail(fmt::format("the container ran through {}, but the CDI device was not injected "
                            "({} unset)",
                            engine_name, k_marker),
                evidence,
                kind == engine::EngineKind::cri
                    ? "the runtime does not inject CDI devices: containerd needs 1.7+ with "
                      "enable_cdi = true; CRI-O needs its cdi_spec_dirs to include /var/run/cdi"
                    : "Podman did not apply the spec: `edgecrew cdi explain NAME`");
  }
  return pass(fmt::format("CDI injection works through {} (test device, no GPU here)", engine_name),
              evidence);
}

}  // namespace

std::vector<Check> smoke_checks() {
  return {
      {"smoke.podman", "smoke", "a short container with the stack's GPU request through Podman",
       [](const Facts& f) { return smoke(f, engine::EngineKind::podman); }, k_smoke_timeout,
       k_flag},
      {"smoke.cri", "smoke",
       "a short container with the stack's GPU request through the CRI (handler nvidia)",
       [](const Facts& f) { return smoke(f, engine::EngineKind::cri); }, k_smoke_timeout, k_flag},
  };
}

}  // namespace edgecrew::doctor
