// `edgecrew doctor` and `edgecrew cdi` run in-process on fixture host trees.
#include <gtest/gtest.h>

#include "cli_fixture.h"
#include "engine/podman/podman_engine.h"
#include "test_doctor_fixture.h"

namespace edgecrew {
namespace {

TEST(DoctorCli, ExitStatusFollowsTheVerdicts) {
  EDGECREW_FIXTURE_HOST(host, "cdi-conflict");
  testing::CliFixture cli;
  auto r = cli.run({"doctor", "--root", host.root.string(), "--only", "cdi"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("  ✘ cdi.conflicts      1 device defined twice in one directory"),
            std::string::npos)
      << r.out;
  r = cli.run(
      {"doctor", "--root", host.root.string(), "--only", "cdi", "--ignore", "cdi.conflicts"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("! cdi.conflicts      (ignored) 1 device"), std::string::npos) << r.out;
  r = cli.run({"doctor", "--root", host.root.string(), "--only", "cdi", "--json"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("\"schema\": \"edgecrew.doctor/v1\""), std::string::npos);
}

TEST(DoctorCli, UsageErrorsExitTwo) {
  testing::CliFixture cli;
  auto r = cli.run({"doctor", "--only", "gpx"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("did you mean \"gpu\"?"), std::string::npos) << r.err;
  r = cli.run({"doctor", "--ignore", "cdi.nope"});
  EXPECT_EQ(r.status, 2);
  r = cli.run({"doctor", "--root", "/nonexistent/edgecrew"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "edgecrew: --root /nonexistent/edgecrew is not a directory\n");
}

TEST(CdiCli, ListValidateExplain) {
  EDGECREW_FIXTURE_HOST(host, "cdi-conflict");
  testing::CliFixture cli;
  auto r = cli.run({"cdi", "--root", host.root.string(), "list"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "NAME                     KIND             PRIORITY  SPEC\n"
            "example.com/dev=devnull  example.com/dev  0         /etc/cdi/a.yaml:8\n"
            "nvidia.com/gpu=all       nvidia.com/gpu   1         /var/run/cdi/nvidia.json:2\n");
  EXPECT_EQ(
      r.err,
      "edgecrew: example.com/dev=zero is defined in /etc/cdi/a.yaml and /etc/cdi/b.yaml (same "
      "priority): dropped\n");
  r = cli.run({"cdi", "--root", host.root.string(), "list", "--json"});
  EXPECT_NE(r.out.find("\"spec\": \"/var/run/cdi/nvidia.json\""), std::string::npos) << r.out;

  r = cli.run({"cdi", "--root", host.root.string(), "explain", "example.com/dev=zero"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("a conflict, so the CDI library drops the device"), std::string::npos);
  r = cli.run({"cdi", "--root", host.root.string(), "explain", "nvidia.com/gpu=all"});
  EXPECT_EQ(r.status, 0);

  cli.write("old.yaml",
            "cdiVersion: \"0.3.0\"\nkind: a.com/b\ndevices:\n- name: x\n  containerEdits:\n"
            "    deviceNodes: [{path: /dev/x, hostPath: /dev/x}]\n");
  cli.write("ok.yaml",
            "cdiVersion: \"0.5.0\"\nkind: a.com/b\ndevices:\n- name: x\n  containerEdits:\n"
            "    deviceNodes: [{path: /dev/x, hostPath: /dev/x}]\n");
  r = cli.run({"cdi", "validate", "old.yaml", "ok.yaml", "missing.yaml"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(
      r.out,
      "old.yaml:6:19: devices[].containerEdits.deviceNodes[].hostPath needs cdiVersion 0.5.0 or "
      "later, but the spec declares 0.3.0 (set cdiVersion: \"0.5.0\" (when every runtime reading "
      "it knows that version) or remove it)\n"
      "old.yaml: invalid (1 error)\n"
      "ok.yaml: valid, cdiVersion 0.5.0, kind a.com/b, 1 device; needs cdiVersion 0.5.0 for "
      "devices[].containerEdits.deviceNodes[].hostPath (line 6)\n"
      "ok.yaml: note: Podman 4.3 resolves only cdiVersion 0.3.0 specs\n"
      "missing.yaml: cannot read " +
          (cli.process.cwd / "missing.yaml").string() + ": No such file or directory\n");
}

// `cdi validate DIR...` reads the directories as the library's cache reads its spec directories.
TEST(CdiCli, ValidateDirectoriesLikeTheLibrarysCache) {
  testing::CliFixture cli;
  const std::string zero =
      "cdiVersion: \"0.3.0\"\nkind: example.com/dev\ndevices:\n- name: zero\n"
      "  containerEdits: {deviceNodes: [{path: /dev/zero}]}\n";
  cli.write("low/a.yaml", zero);
  cli.write("low/b.json",
            R"({"cdiVersion": "0.3.0", "kind": "example.com/dev", "devices": [{"name": "zero",
  "containerEdits": {"env": ["=x"]}}]})");
  cli.write("low/c.yaml", zero);
  cli.write("low/README.txt", "not a spec\n");
  cli.write(
      "high/gpu.yaml",
      "cdiVersion: \"0.3.0\"\nkind: example.com/dev\ndevices:\n- name: zero\n"
      "  containerEdits: {deviceNodes: [{path: /dev/null}]}\n"
      "- name: one\n  containerEdits: {deviceNodes: [{path: /dev/null, permissions: none}]}\n");
  cli.write("low2/one.yaml",
            "cdiVersion: \"0.3.0\"\nkind: example.com/dev\ndevices:\n- name: one\n"
            "  containerEdits: {env: [A=1]}\n");
  auto r = cli.run({"cdi", "validate", "low", "high"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out,
            "low/a.yaml: valid, cdiVersion 0.3.0, kind example.com/dev, 1 device\n"
            "low/b.json:2:30: invalid environment variable \"=x\": it has no name before '=' "
            "(write NAME=VALUE)\n"
            "low/b.json: invalid (1 error)\n"
            "low/c.yaml: valid, cdiVersion 0.3.0, kind example.com/dev, 1 device\n"
            "high/gpu.yaml: valid, cdiVersion 0.3.0, kind example.com/dev, 2 devices\n"
            "high/gpu.yaml:7:34: note: device node /dev/null has permissions \"none\", which "
            "released CDI libraries (v1.1.0 and older, Podman 4.3's too) refuse\n"
            "low/README.txt: not read (the CDI library reads only *.json and *.yaml)\n"
            "example.com/dev=zero: high/gpu.yaml overrides low/a.yaml (a later directory has "
            "priority)\n"
            "example.com/dev=zero: conflict: defined in low/a.yaml and low/c.yaml at the same "
            "priority, so the CDI library drops the device (keep one definition, or move one spec "
            "to a later directory)\n");
  // A device defined in two directories: the later one wins, no conflict.
  r = cli.run({"cdi", "validate", "low2", "high"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("example.com/dev=one: high/gpu.yaml overrides low2/one.yaml"),
            std::string::npos)
      << r.out;
  // A symbolic link to a directory, named like a spec, is read as one and fails (not skipped).
  std::filesystem::create_directory_symlink(cli.process.cwd / "low2",
                                            cli.process.cwd / "high/linked.yaml");
  r = cli.run({"cdi", "validate", "high"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("high/linked.yaml: invalid (1 error)"), std::string::npos) << r.out;
  cli.write("empty/.keep", "");
  r = cli.run({"cdi", "validate", "empty"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "empty: no *.json or *.yaml spec in this directory\n"
            "empty/.keep: not read (the CDI library reads only *.json and *.yaml)\n");
}

}  // namespace
}  // namespace edgecrew

namespace edgecrew {
namespace {

TEST(DoctorCli, RelativeRootIsTakenFromTheWorkingDirectory) {
  EDGECREW_FIXTURE_HOST(host, "cdi-podman43");
  testing::CliFixture cli;
  cli.process.cwd = host.dir;
  auto r = cli.run({"doctor", "--root", "root", "--only", "cdi", "--json"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"root\": \"" + host.root.string() + "\""), std::string::npos) << r.out;
  r = cli.run({"cdi", "--root", "root", "explain", "example.com/dev=zero"});
  EXPECT_EQ(r.status, 0) << r.out;
}

// The I/O edges that are not files, asked on this real host: NVML (absent here unless the machine
// has an NVIDIA driver) and Podman's service, started for the run when no socket answers.
TEST(DoctorRealHost, NvmlAndPodmanAreAskedOnlyAtTheRealRoot) {
  auto in = doctor::default_inputs("/", {});
  ASSERT_TRUE(in.nvml);
  EXPECT_TRUE(in.start_podman_service);
  auto nvml = in.nvml();
  if (nvml.ok()) {
    EXPECT_FALSE(nvml->gpus.empty());
    EXPECT_FALSE(nvml->driver_version.empty());
  } else {
    EXPECT_TRUE(nvml.error().kind == ErrorKind::not_found ||
                nvml.error().kind == ErrorKind::unavailable)
        << nvml.error().message;
    EXPECT_TRUE(nvml.error().message.starts_with("libnvidia-ml.so.1 could not be loaded: ") ||
                nvml.error().message.starts_with("nvml"))
        << nvml.error().message;
  }
  auto fixture = doctor::default_inputs(std::filesystem::temp_directory_path(), {});
  EXPECT_FALSE(fixture.nvml);
  EXPECT_FALSE(fixture.start_podman_service);
}

}  // namespace
}  // namespace edgecrew
