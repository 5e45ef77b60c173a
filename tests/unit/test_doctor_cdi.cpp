// The doctor's cdi section and `cdi explain` on fixture host trees (real-world-shaped specs).
#include <gtest/gtest.h>

#include <fstream>

#include "cdi/registry.h"
#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using testing::finding;
using testing::joined;

Report run_cdi(const testing::FixtureHost& host, std::optional<std::string> podman = std::nullopt) {
  auto in = host.inputs();
  if (podman) in.podman_version = [podman] { return podman; };
  return host.run(in, {{"cdi"}, {}, {}});
}

TEST(DoctorCdi, NvidiaCtkShapedSpecPassesButDriEntriesWarnWithTheRegenerateCommand) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = run_cdi(host);
  EXPECT_EQ(finding(r, "cdi.specs").outcome.summary, "1 spec, 3 devices");
  EXPECT_EQ(finding(r, "cdi.specs").outcome.verdict, Verdict::pass);
  EXPECT_EQ(finding(r, "cdi.nodes").outcome.summary,
            "15 device nodes, 2 mounts, 1 hook present on the host");
  EXPECT_EQ(finding(r, "cdi.gpu-all").outcome.summary,
            "nvidia.com/gpu=all from /etc/cdi/nvidia.yaml (2 GPUs)");
  const auto& dri = finding(r, "cdi.dri");
  EXPECT_EQ(dri.outcome.verdict, Verdict::warn);
  EXPECT_EQ(dri.outcome.summary, "8 /dev/dri entries in /etc/cdi/nvidia.yaml");
  EXPECT_EQ(dri.outcome.evidence.front(), "/etc/cdi/nvidia.yaml:38: /dev/dri/card1 (device \"0\")");
  EXPECT_NE(dri.outcome.fix.find("$ nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml "
                                 "--format=yaml --csv.ignore-pattern '/dev/dri/.*'"),
            std::string::npos);
}

TEST(DoctorCdi, RejectedSpecsListEveryErrorWithItsPosition) {
  EDGECREW_FIXTURE_HOST(host, "cdi-broken");
  auto r = run_cdi(host);
  const auto& specs = finding(r, "cdi.specs");
  EXPECT_EQ(specs.outcome.verdict, Verdict::fail);
  std::string ev = joined(specs.outcome.evidence);
  for (const char* line :
       {"/etc/cdi/future.json:2:17: unsupported cdiVersion \"0.9.0\"",
        "/etc/cdi/hostpath-old.yaml:9:7: devices[].containerEdits.deviceNodes[].hostPath needs "
        "cdiVersion 0.5.0 or later, but the spec declares 0.3.0",
        "/etc/cdi/names.yaml:17:3: device \"ok\" is defined twice in this spec",
        "/etc/cdi/syntax.yaml:6:1: not valid YAML or JSON",
        "/etc/cdi/unknown-field.yaml:8:7: unknown field \"permision\" in a device node (did you "
        "mean \"permissions\"?)"}) {
    EXPECT_NE(ev.find(line), std::string::npos) << line << "\nnot in:\n" << ev;
  }
  const auto& dirs = finding(r, "cdi.dirs");
  EXPECT_EQ(dirs.outcome.verdict, Verdict::warn);
  EXPECT_EQ(dirs.outcome.fix, "$ mv /var/run/cdi/vendor.yml /var/run/cdi/vendor.yaml");
  EXPECT_EQ(finding(r, "cdi.nodes").outcome.verdict, Verdict::skip);
}

TEST(DoctorCdi, SamePriorityConflictFailsAndLaterDirectoryOverrideWarns) {
  EDGECREW_FIXTURE_HOST(host, "cdi-conflict");
  auto r = run_cdi(host);
  const auto& c = finding(r, "cdi.conflicts");
  EXPECT_EQ(c.outcome.verdict, Verdict::fail);
  EXPECT_EQ(joined(c.outcome.evidence),
            "example.com/dev=zero: defined in /etc/cdi/a.yaml and /etc/cdi/b.yaml (same priority: "
            "dropped)\n"
            "nvidia.com/gpu=all: /var/run/cdi/nvidia.json overrides /etc/cdi/nvidia.yaml\n");
  auto reg = cdi::load_registry(host.root);
  auto zero = cdi::explain(reg, "example.com/dev=zero");
  EXPECT_FALSE(zero.resolves);
  EXPECT_EQ(joined(zero.lines),
            "example.com/dev=zero does not resolve:\n"
            "  it is defined in /etc/cdi/a.yaml and /etc/cdi/b.yaml at the same priority (same "
            "directory): a conflict, so the CDI library drops the device\n");
  auto all = cdi::explain(reg, "nvidia.com/gpu=all");
  EXPECT_TRUE(all.resolves);
  EXPECT_EQ(joined(all.lines),
            "nvidia.com/gpu=all resolves: device \"all\" of kind nvidia.com/gpu in "
            "/var/run/cdi/nvidia.json:2 (cdiVersion 0.3.0)\n"
            "it overrides the definition in /etc/cdi/nvidia.yaml (a later directory wins)\n");
  EXPECT_TRUE(cdi::explain(reg, "example.com/dev=devnull").resolves);
}

TEST(DoctorCdi, OnlyOverridesWarn) {
  EDGECREW_FIXTURE_HOST(host, "cdi-conflict");
  std::filesystem::remove(host.root / "etc/cdi/b.yaml");
  auto r = run_cdi(host);
  const auto& c = finding(r, "cdi.conflicts");
  EXPECT_EQ(c.outcome.verdict, Verdict::warn);
  EXPECT_EQ(c.outcome.summary,
            "1 device defined in two directories (/var/run/cdi/nvidia.json wins)");
  EXPECT_NE(c.outcome.fix.find("$ rm /etc/cdi/nvidia.yaml"), std::string::npos);
}

TEST(DoctorCdi, StaleSpecAfterDriverUpdateFails) {
  EDGECREW_FIXTURE_HOST(host, "cdi-stale");
  auto r = run_cdi(host);
  const auto& n = finding(r, "cdi.nodes");
  EXPECT_EQ(n.outcome.verdict, Verdict::fail);
  EXPECT_EQ(joined(n.outcome.evidence),
            "/etc/cdi/nvidia.yaml:8: /dev/nvidia-uvm is 508:0 in the spec but 511:0 on the host "
            "(stale)\n"
            "/etc/cdi/nvidia.yaml:17: mount source /usr/lib/x86_64-linux-gnu/libcuda.so.535.129.03 "
            "does not exist\n"
            "/etc/cdi/nvidia.yaml:13: hook /usr/bin/nvidia-ctk does not exist\n"
            "/etc/cdi/nvidia.yaml:33: device node /dev/nvidia2 does not exist\n");
  EXPECT_NE(
      n.outcome.fix.find("$ nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml --format=yaml"),
      std::string::npos);
  const auto& all = finding(r, "cdi.gpu-all");
  EXPECT_EQ(all.outcome.verdict, Verdict::warn);
  EXPECT_EQ(
      all.outcome.summary,
      "nvidia.com/gpu=all from /etc/cdi/nvidia.yaml, but the spec names 1 GPU and the host has 2");
}

TEST(DoctorCdi, PodmanCompatibilityFollowsTheSpecVersionsAndThePodmanFound) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto r = run_cdi(host, "4.3.1");
  const auto& c = finding(r, "cdi.podman-compat");
  EXPECT_EQ(c.outcome.verdict, Verdict::fail);
  EXPECT_EQ(c.outcome.summary,
            "Podman 4.3.1 cannot resolve the devices of /etc/cdi/nvidia.yaml: Podman 4.3's CDI "
            "library resolves only cdiVersion 0.3.0 specs");
  EXPECT_EQ(finding(run_cdi(host, "5.2.0"), "cdi.podman-compat").outcome.verdict, Verdict::pass);
  auto r_unknown = run_cdi(host);
  const auto& unknown = finding(r_unknown, "cdi.podman-compat");
  EXPECT_EQ(unknown.outcome.verdict, Verdict::warn);
  EXPECT_EQ(
      unknown.outcome.summary,
      "/etc/cdi/nvidia.yaml newer than 0.3.0: Podman 4.3's CDI library resolves only cdiVersion "
      "0.3.0 specs, so Podman 4.3 would not resolve it");

  EDGECREW_FIXTURE_HOST(old, "cdi-podman43");
  auto r_old = run_cdi(old, "4.3.1");
  const auto& ok = finding(r_old, "cdi.podman-compat");
  EXPECT_EQ(ok.outcome.verdict, Verdict::pass);
  EXPECT_EQ(ok.outcome.summary,
            "every spec is cdiVersion 0.3.0 or older (Podman 4.3 resolves them)");
}

TEST(DoctorCdi, PermissionsNoneIsValidButNoReleasedLibraryReadsIt) {
  EDGECREW_FIXTURE_HOST(host, "cdi-podman43");
  std::ofstream(host.root / "etc/cdi/none.yaml")
      << "cdiVersion: \"0.3.0\"\nkind: example.com/none\ndevices:\n- name: n\n"
         "  containerEdits:\n    deviceNodes: [{path: /dev/null, permissions: none}]\n";
  auto r = run_cdi(host, "4.3.1");
  EXPECT_EQ(finding(r, "cdi.specs").outcome.verdict, Verdict::pass);
  const auto& c = finding(r, "cdi.podman-compat");
  EXPECT_EQ(c.outcome.verdict, Verdict::fail);
  EXPECT_EQ(c.outcome.summary,
            "Podman 4.3.1 cannot resolve the devices of /etc/cdi/none.yaml: Podman 4.3's CDI "
            "library resolves only cdiVersion 0.3.0 specs, and no device node with permissions "
            "\"none\"");
  EXPECT_NE(joined(c.outcome.evidence)
                .find("/etc/cdi/none.yaml:6: device node /dev/null has "
                      "permissions \"none\""),
            std::string::npos)
      << joined(c.outcome.evidence);
  std::ofstream(host.root / "etc/cdi/keys.yaml")
      << "cdiVersion: \"0.6.0\"\nkind: example.com/keys\nannotations: {\"bad key\": v}\n"
         "devices: [{name: k, containerEdits: {env: [A=1]}}]\n";
  auto r_keys = run_cdi(host);
  const auto& specs = finding(r_keys, "cdi.specs");
  EXPECT_EQ(specs.outcome.verdict, Verdict::pass);
  EXPECT_NE(joined(specs.outcome.evidence)
                .find("/etc/cdi/keys.yaml:3:15: warning: annotation key \"bad key\""),
            std::string::npos)
      << joined(specs.outcome.evidence);
  auto r5 = run_cdi(host, "5.2.0");
  EXPECT_EQ(finding(r5, "cdi.podman-compat").outcome.verdict, Verdict::warn);
}

TEST(CdiExplain, SaysPreciselyWhyANameDoesNotResolve) {
  EDGECREW_FIXTURE_HOST(host, "cdi-broken");
  auto reg = cdi::load_registry(host.root);
  EXPECT_EQ(
      joined(cdi::explain(reg, "example.com/dev=zero").lines),
      "example.com/dev=zero does not resolve:\n"
      "  /etc/cdi/hostpath-old.yaml defines it in kind example.com/dev, but the CDI library "
      "rejects that spec: /etc/cdi/hostpath-old.yaml:4:3: annotations needs cdiVersion 0.6.0 "
      "or later, but the spec declares 0.3.0 (set cdiVersion: \"0.6.0\" (when every runtime "
      "reading it knows that version) or remove it)\n"
      "  (2 more errors: edgecrew cdi validate /etc/cdi/hostpath-old.yaml)\n"
      "  /etc/cdi/syntax.yaml could not be read as a spec: /etc/cdi/syntax.yaml:6:1: not valid "
      "YAML or JSON: end of sequence flow not found\n"
      "  /var/run/cdi/vendor.yml is not read: the CDI library reads only *.json and *.yaml "
      "files\n");
  EXPECT_EQ(joined(cdi::explain(reg, "nvidia.com/gpu").lines),
            "CDI name \"nvidia.com/gpu\" has no \"=NAME\" part\n"
            "a CDI device name is VENDOR/CLASS=NAME, e.g. nvidia.com/gpu=all\n");
}

TEST(CdiExplain, UnknownKindListsTheKindsFound) {
  EDGECREW_FIXTURE_HOST(host, "cdi-podman43");
  auto reg = cdi::load_registry(host.root);
  EXPECT_EQ(
      joined(cdi::explain(reg, "nvidia.com/gpu=all").lines),
      "nvidia.com/gpu=all does not resolve:\n"
      "  no spec in /etc/cdi, /var/run/cdi (missing) defines kind nvidia.com/gpu (kinds found: "
      "example.com/dev)\n"
      "  generate it: nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml --format=yaml\n");
  EXPECT_EQ(
      joined(cdi::explain(reg, "example.com/dev=one").lines),
      "example.com/dev=one does not resolve:\n"
      "  /etc/cdi/example.yaml defines kind example.com/dev with devices zero, but not \"one\"\n");
}

}  // namespace
}  // namespace edgecrew::doctor
