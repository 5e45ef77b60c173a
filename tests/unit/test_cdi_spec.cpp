// The CDI spec reader and the per-version rules, with the exact positions `cdi validate` prints.
#include <gtest/gtest.h>

#include "cdi/registry.h"
#include "cdi/spec_validate.h"

namespace edgecrew::cdi {
namespace {

std::string problems(const std::string& text, const std::string& file = "spec.yaml") {
  auto ls = load_spec_text(text, file);
  std::string out;
  for (const auto& d : ls.diagnostics.items()) out += format_diagnostic(d) + "\n";
  return out;
}

TEST(CdiSpec, ValidSpecOfEachVersion) {
  // 0.3.0: the shape Podman 4.3 resolves.
  EXPECT_EQ(
      problems("cdiVersion: \"0.3.0\"\nkind: example.com/dev\ndevices:\n- name: zero\n"
               "  containerEdits:\n    deviceNodes:\n    - path: /dev/zero\n    env: [\"A=1\"]\n"),
      "");
  // 0.5.0: hostPath and a name starting with a digit (what nvidia-ctk writes).
  EXPECT_EQ(problems("cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: \"0\"\n"
                     "  containerEdits:\n    deviceNodes:\n    - path: /dev/nvidia0\n"
                     "      hostPath: /dev/nvidia0\n"),
            "");
  // 0.6.0 annotations, 0.7.0 additionalGids, 1.1.0 netDevices, as JSON.
  EXPECT_EQ(
      problems(R"({"cdiVersion": "1.1.0", "kind": "example.com/net", "annotations": {"a": "b"},
  "devices": [{"name": "eth0", "annotations": {"x": "y"}, "containerEdits": {
    "additionalGids": [44], "netDevices": [{"hostInterfaceName": "eth0", "name": "net0"}]}}]})",
               "spec.json"),
      "");
}

TEST(CdiSpec, FieldsNewerThanTheDeclaredVersionAreErrorsWithPositions) {
  std::string text =
      "cdiVersion: \"0.3.0\"\n"                                  // 1
      "kind: example.com/dev\n"                                  // 2
      "annotations:\n"                                           // 3
      "  owner: ops\n"                                           // 4
      "devices:\n"                                               // 5
      "- name: zero\n"                                           // 6
      "  containerEdits:\n"                                      // 7
      "    deviceNodes:\n"                                       // 8
      "    - path: /dev/zero\n"                                  // 9
      "      hostPath: /dev/zero\n"                              // 10
      "    mounts:\n"                                            // 11
      "    - {hostPath: /a, containerPath: /a, type: bind}\n"    // 12
      "    netDevices: [{hostInterfaceName: eth0, name: n}]\n";  // 13
  EXPECT_EQ(
      problems(text),
      "spec.yaml:4:3: annotations needs cdiVersion 0.6.0 or later, but the spec declares 0.3.0 "
      "(set cdiVersion: \"0.6.0\" (when every runtime reading it knows that version) or remove "
      "it)\n"
      "spec.yaml:8:5: devices[].containerEdits.netDevices needs cdiVersion 1.1.0 or later, but the "
      "spec declares 0.3.0 (set cdiVersion: \"1.1.0\" (when every runtime reading it knows that "
      "version) or remove it)\n"
      "spec.yaml:9:7: devices[].containerEdits.deviceNodes[].hostPath needs cdiVersion 0.5.0 or "
      "later, but the spec declares 0.3.0 (set cdiVersion: \"0.5.0\" (when every runtime reading "
      "it knows that version) or remove it)\n"
      "spec.yaml:12:7: devices[].containerEdits.mounts[].type needs cdiVersion 0.4.0 or later, but "
      "the spec declares 0.3.0 (set cdiVersion: \"0.4.0\" (when every runtime reading it knows "
      "that version) or remove it)\n");
  auto ls = load_spec_text(text, "spec.yaml");
  ASSERT_TRUE(ls.spec);
  EXPECT_EQ(minimum_version(*ls.spec), "1.1.0");
}

TEST(CdiSpec, UnknownFieldsAndWrongTypesAreRejected) {
  EXPECT_EQ(
      problems("cdiVersion: \"0.6.0\"\nkind: vendor.example/fpga\ndevices:\n- name: fpga0\n"
               "  containerEdits:\n    deviceNodes:\n    - path: /dev/fpga0\n      permision: rw\n"
               "    envs:\n    - FPGA=0\n"),
      "spec.yaml:8:7: unknown field \"permision\" in a device node (did you mean "
      "\"permissions\"?)\n"
      "spec.yaml:9:5: unknown field \"envs\" in containerEdits (did you mean \"env\"?)\n");
  EXPECT_EQ(
      problems("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: x\n"),
      "spec.yaml:4:3: device \"x\" has no containerEdits (a device must add at least one env, "
      "device node, mount or hook)\n");
  EXPECT_EQ(problems("cdiVersion: 0.5.0\nkind: a.com/b\ndevices:\n- name: x\n  containerEdits:\n"
                     "    deviceNodes:\n    - path: /dev/x\n      major: twelve\n"),
            "spec.yaml:8:14: deviceNodes[].major must be an integer (write it without quotes, "
            "e.g. 1)\n");
  EXPECT_EQ(problems("[1, 2]"),
            "spec.yaml:1:1: a CDI spec must be a mapping with cdiVersion, kind and devices\n");
  EXPECT_EQ(problems("kind: a.com/b\n"),
            "spec.yaml:1:1: the spec has no \"cdiVersion\"\nspec.yaml:1:1: the spec defines no "
            "devices (add at least one entry under \"devices\")\n");
}

TEST(CdiSpec, NamesVersionsAndEditsFollowTheLibrary) {
  EXPECT_EQ(problems("cdiVersion: \"0.9.0\"\nkind: a.com/b\ndevices: [{name: x, containerEdits: "
                     "{env: [A=1]}}]\n"),
            "spec.yaml:1:13: unsupported cdiVersion \"0.9.0\" (the CDI library knows 0.3.0, 0.4.0, "
            "0.5.0, 0.6.0, 0.7.0, 0.8.0, 1.0.0, 1.1.0)\n");
  EXPECT_EQ(
      problems("cdiVersion: 0.5.0\nkind: 9example.com/my/class\ndevices:\n- name: -bad-\n"
               "  containerEdits:\n    env: [\"NOEQUALS\"]\n- name: ok\n  containerEdits:\n"
               "    deviceNodes: [{path: /dev/null, type: x, permissions: rwx}]\n"
               "    hooks: [{hookName: afterStart, path: /bin/true}]\n- name: ok\n"
               "  containerEdits: {env: [A=1]}\n"),
      "spec.yaml:2:7: invalid vendor \"9example.com\" in kind: it must start with a letter\n"
      "spec.yaml:2:7: invalid class \"my/class\" in kind: character '/' is not allowed\n"
      "spec.yaml:4:3: invalid device name \"-bad-\": it must start with a letter or digit\n"
      "spec.yaml:6:11: invalid environment variable \"NOEQUALS\": it has no '=' (write "
      "NAME=VALUE)\n"
      "spec.yaml:9:19: invalid device node type \"x\" (use b, c, u or p)\n"
      "spec.yaml:9:19: invalid device permissions \"rwx\" (use a combination of r, w and m, or "
      "\"none\")\n"
      "spec.yaml:10:13: invalid hook name \"afterStart\" (use prestart, createRuntime, "
      "createContainer, startContainer, poststart or poststop)\n"
      "spec.yaml:11:3: device \"ok\" is defined twice in this spec (the CDI library rejects the "
      "whole spec)\n");
}

TEST(CdiSpec, SyntaxErrorsHaveAPosition) {
  EXPECT_EQ(
      problems("cdiVersion: \"0.5.0\"\ndevices:\n  - name: b\n    containerEdits: {env: [A=1\n"),
      "spec.yaml:5:1: not valid YAML or JSON: end of sequence flow not found\n");
}

TEST(CdiSpec, VersionsCompareNumerically) {
  EXPECT_LT(compare_versions("0.10.0", "1.0.0"), 0);
  EXPECT_GT(compare_versions("0.10.0", "0.9.0"), 0);
  EXPECT_EQ(compare_versions("v0.5.0", "0.5.0"), 0);
}

}  // namespace
}  // namespace edgecrew::cdi
