// The doctor's crio-config, storage and network sections on fixture host trees.
#include <gtest/gtest.h>

#include <fstream>

#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using testing::finding;
using testing::joined;

Report run(const testing::FixtureHost& host, std::vector<std::string> sections,
           std::map<std::string, std::string> env = {}, std::uint64_t free_gib = 500) {
  auto in = host.inputs();
  in.environment = std::move(env);
  in.free_bytes = [free_gib](const std::filesystem::path&) -> std::optional<std::uint64_t> {
    return free_gib << 30;
  };
  return host.run(in, {std::move(sections), {}, {}});
}

TEST(DoctorCrioConfig, HealthyConfigWithNvidiaDropIn) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = run(host, {"crio-config"});
  EXPECT_EQ(finding(r, "crio-config.files").outcome.summary, "crio.conf + 1 drop-in");
  EXPECT_EQ(finding(r, "crio-config.default-runtime").outcome.summary,
            "runc (/etc/crio/crio.conf:11)");
  const auto& rt = finding(r, "crio-config.runtimes");
  EXPECT_EQ(rt.outcome.verdict, Verdict::pass);
  EXPECT_EQ(rt.outcome.summary, "nvidia, runc (every runtime_path present)");
  EXPECT_EQ(
      joined(rt.outcome.evidence),
      "nvidia: oci /usr/bin/nvidia-container-runtime (/etc/crio/crio.conf.d/99-nvidia.toml:9)\n"
      "runc: oci /usr/sbin/runc (/etc/crio/crio.conf:15)\n");
  EXPECT_EQ(finding(r, "crio-config.cdi-dirs").outcome.summary, "/etc/cdi, /var/run/cdi (default)");
  EXPECT_EQ(finding(r, "crio-config.hooks-dir").outcome.summary,
            "/usr/share/containers/oci/hooks.d: 1 hook");
}

// CRI-O validates every handler: the default one failing stops CRI-O, another one is dropped.
TEST(DoctorCrioConfig, FailingDefaultHandlerDroppedHandlerSyntaxErrorAndUnreadSpecDir) {
  EDGECREW_FIXTURE_HOST(host, "crio-broken");
  auto r = run(host, {"crio-config"});
  const auto& files = finding(r, "crio-config.files");
  EXPECT_EQ(files.outcome.verdict, Verdict::fail);
  EXPECT_EQ(files.outcome.evidence.back(),
            "/etc/crio/crio.conf.d/30-typo.conf:2:19: not valid TOML: Error while parsing string: "
            "unescaped control characters other than TAB (U+0009) are explicitly prohibited");
  const auto& def = finding(r, "crio-config.default-runtime");
  EXPECT_EQ(def.outcome.verdict, Verdict::fail);
  EXPECT_EQ(def.outcome.summary, "CRI-O refuses to start: the default runtime handler nvidia");
  EXPECT_EQ(def.outcome.evidence.front(),
            "the default handler nvidia fails validation: runtime_path "
            "/usr/local/nvidia/toolkit/nvidia-container-runtime does not exist "
            "(/etc/crio/crio.conf.d/10-nvidia.conf:2) (/etc/crio/crio.conf.d/10-nvidia.conf:1)");
  const auto& rt = finding(r, "crio-config.runtimes");
  EXPECT_EQ(rt.outcome.verdict, Verdict::fail);
  EXPECT_EQ(rt.outcome.summary, "1 of 3 handlers would be dropped by CRI-O: kata");
  EXPECT_NE(joined(rt.outcome.evidence)
                .find("kata: runtime_type \"virtual\" is not oci, vm or pod "
                      "(/etc/crio/crio.conf.d/20-kata.conf:3): CRI-O drops this handler, and pods "
                      "asking for it fail with \"failed to find runtime handler kata\""),
            std::string::npos);
  const auto& cdi = finding(r, "crio-config.cdi-dirs");
  EXPECT_EQ(cdi.outcome.verdict, Verdict::warn);
  EXPECT_EQ(cdi.outcome.summary, "CRI-O does not read /var/run/cdi/example.yaml");
  EXPECT_EQ(finding(r, "crio-config.hooks-dir").outcome.verdict, Verdict::warn);
}

TEST(DoctorCrioConfig, CrioSpecDirsJoinTheCdiSection) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  std::filesystem::create_directories(host.root / "opt/cdi");
  std::ofstream(host.root / "etc/crio/crio.conf.d/50-cdi.conf")
      << "[crio.runtime]\ncdi_spec_dirs = [\"/etc/cdi\", \"/var/run/cdi\", \"/opt/cdi/\"]\n";
  std::ofstream(host.root / "opt/cdi/extra.yaml")
      << "cdiVersion: 0.3.0\nkind: example.com/x\ndevices:\n- name: a\n  containerEdits: {env: "
         "[A=1]}\n";
  auto r = run(host, {"cdi", "crio-config"});
  EXPECT_EQ(finding(r, "cdi.specs").outcome.summary, "2 specs, 4 devices");
  EXPECT_EQ(finding(r, "cdi.dirs").outcome.evidence.back(), "/opt/cdi (priority 2): extra.yaml");
  EXPECT_EQ(finding(r, "crio-config.cdi-dirs").outcome.summary, "/etc/cdi, /var/run/cdi, /opt/cdi");
}

TEST(DoctorCrioConfig, NoCrioSkipsTheSection) {
  EDGECREW_FIXTURE_HOST(host, "nogpu");
  auto r = run(host, {"crio-config"});
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.outcome.verdict, Verdict::skip) << f.id;
    EXPECT_EQ(f.outcome.summary, "CRI-O is not configured on this host") << f.id;
  }
}

// A drop-in's key replaces the earlier value; its handler table replaces the whole handler (CRI-O
// decodes each into a new handler), keeping handlers it does not name.
TEST(HostCrioConfig, DropInsOverrideKeysAndReplaceHandlers) {
  host::CrioConfig c;
  host::apply_crio_config_text(c,
                               "[crio.runtime]\ndefault_runtime = \"runc\"\n"
                               "[crio.runtime.runtimes.runc]\nruntime_path = \"/a\"\n",
                               "main.conf");
  host::apply_crio_config_text(c,
                               "[crio.runtime]\ndefault_runtime = \"crun\"\n"
                               "[crio.runtime.runtimes.runc]\nruntime_type = \"oci\"\n"
                               "[crio.runtime.runtimes.crun]\nruntime_path = \"/b\"\n",
                               "10.conf");
  host::apply_crio_config_text(c, "[crio.runtime]\nhooks_dir = 7\n", "20.conf");
  EXPECT_EQ(c.default_runtime->value, "crun");
  EXPECT_EQ(c.default_runtime->where.file, "10.conf");
  ASSERT_EQ(c.runtimes.size(), 2u);
  EXPECT_FALSE(c.runtimes["runc"].runtime_path.has_value());  // not inherited from main.conf
  EXPECT_EQ(c.runtimes["runc"].runtime_type->value, "oci");   // set by 10.conf
  EXPECT_EQ(c.runtimes["crun"].runtime_path->value, "/b");
  ASSERT_EQ(c.diagnostics.items().size(), 1u);
  EXPECT_TRUE(format_diagnostic(c.diagnostics.items()[0])
                  .starts_with("20.conf:2:13: crio.runtime.hooks_dir must be an array of strings, "
                               "not an integer: CRI-O refuses to start"))
      << format_diagnostic(c.diagnostics.items()[0]);
}

TEST(DoctorStorage, SharedStoreFreeSpaceAndRegistries) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = run(host, {"storage"});
  EXPECT_EQ(finding(r, "storage.podman").outcome.summary,
            "overlay at /var/lib/containers/storage (run /run/containers/storage), from "
            "/etc/containers/storage.conf");
  EXPECT_EQ(finding(r, "storage.shared").outcome.verdict, Verdict::pass);
  EXPECT_EQ(finding(r, "storage.free").outcome.summary,
            "500.0 GiB free on /var/lib/containers/storage");
  EXPECT_EQ(finding(r, "storage.registries").outcome.summary,
            "short names resolve through docker.io, quay.io");

  auto low = run(host, {"storage"}, {}, 12);
  EXPECT_EQ(finding(low, "storage.free").outcome.verdict, Verdict::warn);
  auto full = run(host, {"storage"}, {}, 1);
  EXPECT_EQ(finding(full, "storage.free").outcome.verdict, Verdict::fail);
  EXPECT_NE(finding(full, "storage.free").outcome.fix.find("$ podman image prune -a"),
            std::string::npos);
}

TEST(DoctorStorage, SeparateStoresSayHowToMirror) {
  EDGECREW_FIXTURE_HOST(host, "crio-broken");
  auto r = run(host, {"storage"});
  const auto& shared = finding(r, "storage.shared");
  EXPECT_EQ(shared.outcome.verdict, Verdict::warn);
  EXPECT_NE(shared.outcome.fix.find(
                "$ podman push IMAGE "
                "containers-storage:[overlay@/var/lib/crio/storage+/run/crio/storage]IMAGE"),
            std::string::npos);
  EXPECT_NE(shared.outcome.fix.find("$ edgecrew images sync --to cri"), std::string::npos);
  EXPECT_EQ(finding(r, "storage.crio").outcome.summary,
            "overlay at /var/lib/crio/storage (run /run/crio/storage)");
  EXPECT_EQ(finding(r, "storage.registries").outcome.verdict, Verdict::warn);
}

TEST(DoctorStorage, ContainersStorageConfWinsAndBadRegistriesFail) {
  EDGECREW_FIXTURE_HOST(host, "storage-env");
  auto r = run(host, {"storage"});
  EXPECT_EQ(finding(r, "storage.podman").outcome.summary,
            "overlay at /var/lib/containers/storage (run /run/containers/storage), from "
            "/usr/share/containers/storage.conf");
  r = run(host, {"storage"}, {{"CONTAINERS_STORAGE_CONF", "/srv/conf/storage.conf"}});
  EXPECT_EQ(finding(r, "storage.podman").outcome.summary,
            "vfs at /srv/containers (run /run/srv-containers), from /srv/conf/storage.conf");
  const auto& reg = finding(r, "storage.registries");
  EXPECT_EQ(reg.outcome.verdict, Verdict::fail);
  EXPECT_EQ(
      reg.outcome.evidence.back(),
      "/etc/containers/registries.conf:1:33: \"unqualified-search-registries\" must be an array of "
      "strings, not a string");
}

TEST(DoctorNetwork, SysctlsModulesAndCni) {
  EDGECREW_FIXTURE_HOST(good, "gpu-host");
  auto r = run(good, {"network"});
  for (const auto& f : r.findings)
    EXPECT_EQ(f.outcome.verdict, Verdict::pass) << f.id << ": " << f.outcome.summary;
  EXPECT_EQ(finding(r, "network.cni").outcome.summary, "1 network in /etc/cni/net.d: crio");

  EDGECREW_FIXTURE_HOST(bad, "crio-broken");
  r = run(bad, {"network"});
  const auto& fwd = finding(r, "network.ip-forward");
  EXPECT_EQ(fwd.outcome.verdict, Verdict::fail);
  EXPECT_NE(fwd.outcome.fix.find("$ sysctl -w net.ipv4.ip_forward=1"), std::string::npos);
  EXPECT_EQ(finding(r, "network.ipv6-forward").outcome.verdict, Verdict::skip);
  EXPECT_EQ(finding(r, "network.br-netfilter").outcome.verdict, Verdict::warn);
  EXPECT_EQ(finding(r, "network.cni").outcome.verdict, Verdict::warn);

  // A network whose plugin binary is missing.
  std::filesystem::remove(good.root / "opt/cni/bin/portmap");
  r = run(good, {"network"});
  EXPECT_EQ(finding(r, "network.cni").outcome.summary,
            "/etc/cni/net.d/10-crio-bridge.conflist: plugin \"portmap\" is not in /opt/cni/bin");
}

// Service names resolve on Podman's networks only with the backend's DNS helper.
TEST(DoctorNetwork, ServiceNamesNeedTheBackendsDnsHelper) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = run(host, {"network"});
  const auto& cni = finding(r, "network.service-names");
  EXPECT_EQ(cni.outcome.verdict, Verdict::pass) << cni.outcome.summary;
  EXPECT_EQ(joined(cni.outcome.evidence),
            "Podman's network backend: cni (not set: netavark is not installed)\n"
            "dnsname: /opt/cni/bin/dnsname\n");

  // The plugin missing: every service name fails; the fix installs it.
  std::filesystem::remove(host.root / "opt/cni/bin/dnsname");
  r = run(host, {"network"});
  const auto& missing = finding(r, "network.service-names");
  EXPECT_EQ(missing.outcome.verdict, Verdict::fail);
  EXPECT_EQ(missing.outcome.summary,
            "services cannot reach each other by name on Podman: the cni backend's DNS helper "
            "(dnsname) is not installed");
  EXPECT_NE(missing.outcome.fix.find("golang-github-containernetworking-plugin-dnsname"),
            std::string::npos);

  // netavark chosen in containers.conf: aardvark-dns in the configured helper directory.
  std::filesystem::create_directories(host.root / "etc/containers");
  std::ofstream(host.root / "etc/containers/containers.conf")
      << "[network]\nnetwork_backend = \"netavark\"\n[engine]\nhelper_binaries_dir = "
         "[\"/opt/podman\"]\n";
  r = run(host, {"network"});
  EXPECT_EQ(finding(r, "network.service-names").outcome.verdict, Verdict::fail);
  EXPECT_EQ(joined(finding(r, "network.service-names").outcome.evidence),
            "Podman's network backend: netavark (containers.conf "
            "/etc/containers/containers.conf:2)\naardvark-dns: not found in /opt/podman\n");
  std::filesystem::create_directories(host.root / "opt/podman");
  std::filesystem::copy(host.root / "opt/cni/bin/portmap", host.root / "opt/podman/aardvark-dns");
  r = run(host, {"network"});
  EXPECT_EQ(finding(r, "network.service-names").outcome.verdict, Verdict::pass);
}

}  // namespace
}  // namespace edgecrew::doctor
