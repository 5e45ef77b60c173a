// Section "storage": containers-storage as Podman reads it, CRI-O's effective store, whether they
// share one (so an image Podman has is one CRI-O has), free space, short-name resolution, and the
// host paths the stack bind-mounts.
#include <fmt/format.h>

#include <set>

#include "doctor/check.h"
#include "doctor/engine_facts.h"
#include "host/host_path.h"
#include "images/store.h"
#include "util/strings.h"

namespace edgecrew::doctor {

namespace {

// Thresholds for the image stores: a vLLM image alone is ~10 GiB.
constexpr std::uint64_t k_fail_below = std::uint64_t{5} << 30;
constexpr std::uint64_t k_warn_below = std::uint64_t{20} << 30;

std::string source_of(const host::Setting<std::string>& s, const std::string& fallback) {
  return s.where.file.empty() ? fallback : fmt::format("{}:{}", s.where.file, s.where.line);
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

struct Store {
  std::string driver, graphroot, runroot;
  std::vector<std::string> evidence;
};

Store podman_store(const Facts& facts) {
  const auto& s = facts.storage();
  std::string dflt = s.file.empty() ? "built-in default" : "default";
  Store out{s.driver.value, s.graphroot.value, s.runroot.value, {}};
  out.evidence.push_back(s.file.empty()
                             ? "no storage.conf (looked at " + join(s.looked_at, ", ") + ")"
                             : "file: " + s.file);
  out.evidence.push_back(
      fmt::format("driver = \"{}\" ({})", s.driver.value, source_of(s.driver, dflt)));
  out.evidence.push_back(
      fmt::format("graphroot = {} ({})", s.graphroot.value, source_of(s.graphroot, dflt)));
  out.evidence.push_back(
      fmt::format("runroot = {} ({})", s.runroot.value, source_of(s.runroot, dflt)));
  return out;
}

// CRI-O uses [crio] root/runroot/storage_driver when set, else the same storage.conf as Podman
// (images::configured_crio_store, which `images` and `up` use too); the evidence says which.
Store crio_store(const Facts& facts) {
  const auto& c = facts.crio();
  const auto store = images::configured_crio_store(c, facts.storage());
  Store out{store.driver, store.graphroot, store.runroot, {}};
  auto say = [&](const std::optional<host::Setting<std::string>>& v, const std::string& value,
                 const char* key) {
    out.evidence.push_back(
        v ? fmt::format("{} = {} ({}:{})", key, v->value, v->where.file, v->where.line)
          : fmt::format("{} not set: {} from storage.conf", key, value.empty() ? "\"\"" : value));
  };
  say(c.root, out.graphroot, "root");
  say(c.runroot, out.runroot, "runroot");
  say(c.storage_driver, out.driver, "storage_driver");
  return out;
}

std::string describe(const Store& s) {
  return fmt::format("{} at {}", s.driver.empty() ? "driver auto" : s.driver, s.graphroot);
}

Outcome check_podman(const Facts& facts) {
  const auto& s = facts.storage();
  auto store = podman_store(facts);
  if (s.diagnostics.has_errors()) {
    for (const auto& d : s.diagnostics.items()) store.evidence.push_back(format_diagnostic(d));
    return fail(s.file + " does not parse: Podman and CRI-O will not start", store.evidence,
                "correct the file at the position shown");
  }
  return pass(fmt::format("{} (run {}){}", describe(store), store.runroot,
                          s.file.empty() ? ", built-in defaults" : ", from " + s.file),
              store.evidence);
}

Outcome check_crio(const Facts& facts) {
  if (!facts.crio().found()) return skip("CRI-O is not configured on this host");
  auto store = crio_store(facts);
  return pass(fmt::format("{} (run {})", describe(store), store.runroot), store.evidence);
}

Outcome check_shared(const Facts& facts) {
  if (!facts.crio().found()) return skip("CRI-O is not configured on this host");
  auto p = podman_store(facts);
  auto c = crio_store(facts);
  std::vector<std::string> evidence = {"podman: " + describe(p), "cri-o: " + describe(c)};
  constexpr auto k_cs = engine::StoreKind::containers_storage;
  if (images::same_store({k_cs, p.driver, p.graphroot, p.runroot, {}},
                         {k_cs, c.driver, c.graphroot, c.runroot, {}})) {
    return pass("Podman and CRI-O share " + p.graphroot + ": an image in one is in the other",
                evidence);
  }
  std::string driver = c.driver.empty() ? "overlay" : c.driver;
  return warn(
      "Podman and CRI-O use different image stores: images must be copied from one to the other",
      evidence,
      fmt::format("copy the stack's images into CRI-O's store (skopeo, no registry):\n"
                  "$ edgecrew images sync --to cri\n"
                  "or one image by hand:\n"
                  "$ podman push IMAGE containers-storage:[{}@{}+{}]IMAGE\n"
                  "or share one store: set root/runroot/storage_driver in [crio] to {}, {}, {}",
                  driver, c.graphroot, c.runroot, p.graphroot, p.runroot,
                  p.driver.empty() ? "overlay" : p.driver));
}

Outcome check_free(const Facts& facts) {
  std::set<std::string> roots = {podman_store(facts).graphroot};
  if (facts.crio().found()) roots.insert(crio_store(facts).graphroot);
  if (!facts.inputs().free_bytes) return skip("free space not asked");
  std::vector<std::string> evidence, low, summary;
  Verdict worst = Verdict::pass;
  for (const auto& r : roots) {
    // The store may not exist yet: measure the filesystem that will hold it.
    std::filesystem::path p = r;
    while (p.has_parent_path() && p != p.root_path() &&
           !host::stat_path(host::under(facts.root(), p.string()))) {
      p = p.parent_path();
    }
    auto free = facts.inputs().free_bytes(host::under(facts.root(), p.string()));
    if (!free) {
      evidence.push_back(r + ": cannot be measured");
      continue;
    }
    std::string line = fmt::format("{}: {} free{}", r, gib(*free),
                                   p.string() == r ? "" : " (on " + p.string() + ")");
    evidence.push_back(line);
    summary.push_back(fmt::format("{} free on {}", gib(*free), r));
    if (*free < k_fail_below) {
      worst = Verdict::fail;
      low.push_back(r);
    } else if (*free < k_warn_below && worst != Verdict::fail) {
      worst = Verdict::warn;
      low.push_back(r);
    }
  }
  std::string s = join(summary, ", ");
  std::string fix =
      "see what uses the space and remove unused images:\n$ podman system df\n$ podman image prune "
      "-a";
  if (worst == Verdict::fail) return fail(s + " (under 5 GiB: pulls will fail)", evidence, fix);
  if (worst == Verdict::warn)
    return warn(s + " (under 20 GiB: a vLLM image needs ~10 GiB)", evidence, fix);
  return pass(s, evidence);
}

Outcome check_registries(const Facts& facts) {
  const auto& r = facts.registries();
  std::vector<std::string> evidence = r.files;
  if (r.diagnostics.has_errors()) {
    for (const auto& d : r.diagnostics.items()) evidence.push_back(format_diagnostic(d));
    return fail("registries.conf does not parse: every pull fails", evidence,
                "correct the file at the position shown");
  }
  if (!r.unqualified_search || r.unqualified_search->value.empty()) {
    if (r.files.empty()) evidence.emplace_back("no /etc/containers/registries.conf");
    return warn(
        "no unqualified-search-registries: short image names (redis:7) do not resolve", evidence,
        "use fully qualified image names (docker.io/library/redis:7), or add to "
        "/etc/containers/registries.conf:\nunqualified-search-registries = [\"docker.io\"]");
  }
  const auto& u = *r.unqualified_search;
  evidence.push_back(fmt::format("unqualified-search-registries = [{}] ({}:{})",
                                 join(u.value, ", "), u.where.file, u.where.line));
  return pass("short names resolve through " + join(u.value, ", "), evidence);
}

// Each bind mount's host path under the root: a missing one makes create fail ("no such file or
// directory") or, where the engine creates it, leaves an empty directory owned by root.
Outcome check_bind_sources(const Facts& facts) {
  if (auto why = no_stack_reason(facts); !why.empty()) return skip(why);
  std::vector<std::string> evidence, missing, created;
  for (const auto* s : stack_services(facts)) {
    for (const auto& m : s->mounts) {
      if (m.type != stack::MountType::bind) continue;
      std::error_code ec;
      bool exists = std::filesystem::exists(host::under(facts.root(), m.source), ec);
      evidence.push_back(fmt::format("{}: {} → {}: {}", s->name, m.source, m.target,
                                     exists ? "exists" : "missing"));
      if (exists) continue;
      (m.create_host_path ? created : missing).push_back(fmt::format("{} ({})", m.source, s->name));
    }
  }
  if (evidence.empty()) return skip("the stack bind-mounts no host path");
  std::vector<std::string> paths;
  for (const auto& list : {missing, created}) {
    for (const auto& p : list) paths.push_back(p.substr(0, p.find(" (")));
  }
  std::string fix = "create them (with the owner the container expects) before up:\n$ mkdir -p " +
                    join(paths, " ");
  if (!missing.empty()) {
    return fail(fmt::format("bind source{} missing, create_host_path: false (the container will "
                            "not be created): {}",
                            missing.size() == 1 ? "" : "s", join(missing, ", ")),
                evidence, fix);
  }
  if (!created.empty()) {
    return warn(fmt::format("bind source{} missing: {} (create fails, or the engine creates "
                            "them empty, owned by root)",
                            created.size() == 1 ? "" : "s", join(created, ", ")),
                evidence, fix);
  }
  return pass(fmt::format("{} bind source{} exist{}", evidence.size(),
                          evidence.size() == 1 ? "" : "s", evidence.size() == 1 ? "s" : ""),
              evidence);
}

}  // namespace

std::vector<Check> storage_checks() {
  return {
      {"storage.podman", "storage", "storage.conf: driver, graphroot, runroot", check_podman},
      {"storage.crio", "storage", "CRI-O's root, runroot and storage_driver", check_crio},
      {"storage.shared", "storage", "whether Podman and CRI-O share one image store", check_shared},
      {"storage.free", "storage", "free space on each image store", check_free},
      {"storage.registries", "storage", "registries.conf unqualified-search-registries",
       check_registries},
      {"storage.bind-sources", "storage", "the host paths the stack bind-mounts exist",
       check_bind_sources},
  };
}

}  // namespace edgecrew::doctor
