// Section "cri": the CRI runtime on its socket, asked over gRPC — the socket and who may use it,
// Version, the Status conditions, the runtime handlers it loaded against those CRI-O is
// configured with (a configured handler that is not loaded was dropped: a bad runtime_path), and
// the handlers the stack asks for.
#include "doctor/checks_cri.h"

#include <fmt/format.h>
#include <unistd.h>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

// A CRI check's budget: discovery, a 2 s RPC deadline, and CRI-O's GET /config.
constexpr std::chrono::milliseconds k_cri_check_timeout{6'000};

std::string where(const CriFacts& cri) {
  return fmt::format("{} ({})", cri.endpoint->socket, cri.endpoint->source);
}

// The skip (or, when the stack runs on the CRI, the warning) for a host without a runtime.
Outcome absent(const Facts& facts, const CriFacts& cri) {
  if (stack_engine(facts) == engine::EngineKind::cri) {
    return warn(cri.absent + ", and the stack runs on the CRI", {},
                "start CRI-O (systemctl start crio) or containerd, or pass --cri-endpoint "
                "unix:///PATH");
  }
  return skip(cri.absent);
}

// Why a check that needs an answer from the runtime cannot run, or nullopt when it can.
std::optional<Outcome> unanswered(const Facts& facts, const CriFacts& cri) {
  if (!cri.absent.empty()) return absent(facts, cri);
  if (!cri.version->ok()) return skip("the runtime did not answer (see cri.socket)");
  return std::nullopt;
}

Outcome check_socket(const Facts& facts) {
  const auto& cri = cri_facts(facts);
  if (!cri.absent.empty()) return absent(facts, cri);
  std::vector<gid_t> groups(static_cast<std::size_t>(std::max(0, ::getgroups(0, nullptr))));
  if (!groups.empty())
    groups.resize(std::max(0, ::getgroups(static_cast<int>(groups.size()), groups.data())));
  std::vector<unsigned> gids(groups.begin(), groups.end());
  gids.push_back(::getegid());
  auto access = socket_access(cri.endpoint->socket, *cri.socket_stat, ::geteuid(), gids);
  std::vector<std::string> evidence = {where(cri), access.evidence};
  const auto& version = *cri.version;
  if (!version.ok()) {
    evidence.push_back(version.error().message);
    if (version.error().kind == ErrorKind::permission_denied || !access.allowed) {
      return fail("permission denied on " + cri.endpoint->socket, evidence,
                  access.fix.empty() ? version.error().message : access.fix);
    }
    if (version.error().kind == ErrorKind::timeout) {
      return fail(fmt::format("{} did not answer Version in time", cri.endpoint->socket), evidence,
                  "is the runtime hung? check `systemctl status crio containerd`");
    }
    return fail(fmt::format("nothing answers the CRI on {}", cri.endpoint->socket), evidence,
                "start the runtime (systemctl start crio, or containerd); a socket left by a "
                "stopped runtime does not answer");
  }
  if (!access.allowed) {
    return warn("the socket answers, but its mode would refuse this user", evidence, access.fix);
  }
  return pass(cri.endpoint->socket + " answers", evidence);
}

Outcome check_version(const Facts& facts) {
  const auto& cri = cri_facts(facts);
  if (auto no = unanswered(facts, cri)) return *no;
  const auto& v = **cri.version;
  return pass(
      fmt::format("{} {} (CRI {})", v.runtime_name(), v.runtime_version(), v.runtime_api_version()),
      {where(cri)});
}

Outcome check_status(const Facts& facts) {
  const auto& cri = cri_facts(facts);
  if (auto no = unanswered(facts, cri)) return *no;
  if (!cri.status->ok()) return fail("Status failed", {cri.status->error().message});
  std::vector<std::string> evidence, summary;
  bool runtime_ready = false, runtime_seen = false, network_ready = true;
  std::string network_reason;
  for (const auto& c : (*cri.status)->status().conditions()) {
    std::string line = fmt::format("{}={}", c.type(), c.status() ? "true" : "false");
    if (!c.status() && !c.reason().empty())
      line += fmt::format(" ({}: {})", c.reason(), c.message());
    evidence.push_back(line);
    summary.push_back(fmt::format("{} {}", c.type(), c.status() ? "true" : "false"));
    if (c.type() == "RuntimeReady") {
      runtime_seen = true;
      runtime_ready = c.status();
    }
    if (c.type() == "NetworkReady" && !c.status()) {
      network_ready = false;
      network_reason = c.reason();
    }
  }
  if (!runtime_seen || !runtime_ready) {
    return fail("RuntimeReady is not true: pods cannot start", evidence,
                "read the runtime's log: journalctl -u crio (or -u containerd)");
  }
  if (!network_ready) {
    return warn(fmt::format("NetworkReady false{}: pod networks fail; host-network pods (the "
                            "built-in stack's) work",
                            network_reason.empty() ? "" : " (" + network_reason + ")"),
                evidence,
                "install containernetworking-plugins and add a network config to the CNI "
                "config dir (see network.cni)");
  }
  return pass(join(summary, ", "), evidence);
}

Outcome check_handlers(const Facts& facts) {
  const auto& cri = cri_facts(facts);
  if (auto no = unanswered(facts, cri)) return *no;
  std::vector<std::string> configured;
  for (const auto& [name, rt] : facts.crio().runtimes) configured.push_back(name);
  return compare_handlers(cri.runtime_name, cri.loaded, cri.loaded_source, configured,
                          facts.crio());
}

Outcome check_stack_handlers(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  auto wanted = stack_handlers(facts);
  if (wanted.empty()) return skip("the stack asks for no runtime handler");
  const auto& cri = cri_facts(facts);
  if (auto no = unanswered(facts, cri)) return *no;
  if (!cri.loaded) {
    return skip(fmt::format("{} does not report its handlers; the stack asks for {}",
                            cri.runtime_name, join({wanted.begin(), wanted.end()}, ", ")));
  }
  std::vector<std::string> missing;
  for (const auto& h : wanted) {
    if (!cri.loaded->contains(h)) missing.push_back(h);
  }
  std::vector<std::string> evidence = {
      "loaded: " + join({cri.loaded->begin(), cri.loaded->end()}, ", ") + " (" + cri.loaded_source +
      ")"};
  if (missing.empty()) {
    return pass(join({wanted.begin(), wanted.end()}, ", ") + " loaded, as the stack asks",
                evidence);
  }
  std::string list = join(missing, ", ");
  std::string fix;
  for (const auto& h : missing) {
    if (cri.is_crio()) {
      fix += fmt::format(
          "$ printf '[crio.runtime.runtimes.{0}]\\nruntime_path = \"/usr/bin/nvidia-container-"
          "runtime\"\\nruntime_type = \"oci\"\\n' > /etc/crio/crio.conf.d/99-{0}.conf\n",
          h);
    } else {
      fix += fmt::format(
          "add [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.{}] to containerd's "
          "config.toml\n",
          h);
    }
  }
  fix += cri.is_crio() ? "$ systemctl restart crio" : "$ systemctl restart containerd";
  return fail(fmt::format("the stack asks for handler {} which {} has not loaded: \"failed to "
                          "find runtime handler {} from runtime list\"",
                          list, cri.runtime_name, missing.front()),
              evidence, fix);
}

}  // namespace

Outcome compare_handlers(const std::string& runtime_name,
                         const std::optional<std::set<std::string>>& loaded,
                         const std::string& loaded_source,
                         const std::vector<std::string>& configured, const host::CrioConfig& crio) {
  std::vector<std::string> evidence;
  if (loaded) {
    evidence.push_back(fmt::format("loaded by {}: {} ({})", runtime_name,
                                   join({loaded->begin(), loaded->end()}, ", "), loaded_source));
  } else {
    evidence.push_back(runtime_name + " does not report the handlers it loaded");
  }
  if (!configured.empty()) {
    evidence.push_back("configured in crio.conf: " + join(configured, ", ") + " (" +
                       join(crio.files, ", ") + ")");
  }
  if (!loaded) {
    return skip(runtime_name + " does not say which handlers it loaded", evidence);
  }
  std::vector<std::string> dropped;
  for (const auto& name : configured) {
    if (!loaded->contains(name)) dropped.push_back(name);
  }
  std::string names = join({loaded->begin(), loaded->end()}, ", ");
  if (dropped.empty()) return pass(names + " loaded", evidence);
  for (const auto& name : dropped) {
    const auto& rt = crio.runtimes.at(name);
    evidence.push_back(fmt::format("{}: runtime_path = {} ({}:{})", name,
                                   rt.runtime_path ? rt.runtime_path->value : std::string("unset"),
                                   rt.runtime_path ? rt.runtime_path->where.file : rt.where.file,
                                   rt.runtime_path ? rt.runtime_path->where.line : rt.where.line));
  }
  std::string list = join(dropped, ", ");
  if (runtime_name == "cri-o") {
    return fail(fmt::format("{} configured but not loaded: CRI-O dropped {} (an invalid "
                            "runtime_path; see crio-config.runtimes)",
                            list, dropped.size() == 1 ? "it" : "them"),
                evidence,
                "correct runtime_path (an executable file) or install the runtime, then\n"
                "$ systemctl restart crio");
  }
  return warn(fmt::format("{} configured in crio.conf but not loaded: the runtime on the socket is "
                          "{}, which does not read crio.conf",
                          list, runtime_name),
              evidence,
              "point --cri-endpoint (or CONTAINER_RUNTIME_ENDPOINT) at CRI-O's socket, or "
              "configure the handler in " +
                  runtime_name + "'s own config");
}

std::vector<Check> cri_checks() {
  auto c = [](std::string id, std::string title, std::function<Outcome(const Facts&)> run) {
    return Check{std::move(id), "cri", std::move(title), std::move(run), k_cri_check_timeout};
  };
  return {
      c("cri.socket", "the CRI socket: present, who owns it, whether it answers", check_socket),
      c("cri.version", "Version: the runtime's name and version", check_version),
      c("cri.status", "Status conditions RuntimeReady and NetworkReady", check_status),
      c("cri.handlers", "runtime handlers loaded vs configured in crio.conf", check_handlers),
      c("cri.stack-handlers", "the runtime handlers the stack asks for (nvidia) are loaded",
        check_stack_handlers),
  };
}

}  // namespace edgecrew::doctor
