// One case per rule of the CDI library's spec loading (pkg/cdi's Validate functions, specs-go's
// version gates, pkg/parser's names, the strict decoding): a spec the rule lets through and one it
// refuses, written from the rule, so that `cdi validate` and the doctor give the library's verdict.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cdi/qualified_name.h"
#include "cdi/registry.h"
#include "cdi/spec_validate.h"

namespace edgecrew::cdi {
namespace {

// A spec of one device "dev0" of kind example.com/dev whose containerEdits are `edits` (YAML flow
// style); `top` adds lines after kind.
std::string spec(const std::string& version, const std::string& edits, const std::string& top = "",
                 const std::string& kind = "example.com/dev", const std::string& name = "dev0") {
  return "cdiVersion: \"" + version + "\"\nkind: " + kind + "\n" + top + "devices:\n- name: \"" +
         name + "\"\n  containerEdits: {" + edits + "}\n";
}

struct Rule {
  const char* id;
  std::string accepted;  // a spec the rule lets through
  std::string refused;   // a spec that breaks only this rule
  const char* error;     // a part of the error the refused spec gets
};

// Test names and failure messages show the rule, not its bytes.
void PrintTo(const Rule& rule, std::ostream* os) {
  *os << rule.id;
}

std::string errors_of(const std::string& text) {
  auto ls = load_spec_text(text, "spec.yaml");
  std::string out;
  for (const auto& d : ls.diagnostics.items()) {
    if (d.severity == Severity::error) out += format_diagnostic(d) + "\n";
  }
  return out;
}

const std::string k_node = "deviceNodes: [{path: /dev/null}]";

std::vector<Rule> rules() {
  return {
      // ContainerEdits: env (ValidateEnv) — a name before the first '='.
      {"EnvHasANameBeforeEquals", spec("0.3.0", "env: [\"A=\"]"),
       spec("0.3.0", "env: [\"=VALUE\"]"),
       "invalid environment variable \"=VALUE\": it has no name before '='"},
      {"EnvHasEquals", spec("0.3.0", "env: [\"A=1=2\"]"), spec("0.3.0", "env: [\"NOEQ\"]"),
       "invalid environment variable \"NOEQ\": it has no '='"},
      {"SpecLevelEnv",
       "cdiVersion: 0.3.0\nkind: a.com/b\ncontainerEdits: {env: [X=1]}\n"
       "devices: [{name: d, containerEdits: {env: [A=1]}}]\n",
       "cdiVersion: 0.3.0\nkind: a.com/b\ncontainerEdits: {env: [\"=1\"]}\n"
       "devices: [{name: d, containerEdits: {env: [A=1]}}]\n",
       "invalid environment variable \"=1\""},
      // DeviceNode.
      {"DeviceNodePathNotEmpty", spec("0.3.0", k_node),
       spec("0.3.0", "deviceNodes: [{path: \"\"}]"), "a device node has an empty \"path\""},
      {"DeviceNodeTypeKnown",
       spec("0.3.0",
            "deviceNodes: [{path: /a, type: b}, {path: /b, type: c}, {path: /c, type: u}, "
            "{path: /d, type: p, major: 1, minor: 2}]"),
       spec("0.3.0", "deviceNodes: [{path: /a, type: x}]"), "invalid device node type \"x\""},
      {"DeviceNodePermissionsRwm", spec("0.3.0", "deviceNodes: [{path: /a, permissions: mrw}]"),
       spec("0.3.0", "deviceNodes: [{path: /a, permissions: rwx}]"),
       "invalid device permissions \"rwx\""},
      {"DeviceNodePermissionsNone", spec("0.3.0", "deviceNodes: [{path: /a, permissions: none}]"),
       spec("0.3.0", "deviceNodes: [{path: /a, permissions: None}]"),
       "invalid device permissions \"None\""},
      // Mount.
      {"MountHostPathNotEmpty", spec("0.3.0", "mounts: [{hostPath: /a, containerPath: /b}]"),
       spec("0.3.0", "mounts: [{hostPath: \"\", containerPath: /b}]"),
       "a mount has an empty \"hostPath\""},
      {"MountContainerPathNotEmpty", spec("0.3.0", "mounts: [{hostPath: /a, containerPath: /b}]"),
       spec("0.3.0", "mounts: [{hostPath: /a}]"), "a mount has an empty \"containerPath\""},
      // Hook.
      {"HookNameKnown",
       spec("0.3.0",
            "hooks: [{hookName: prestart, path: /h}, {hookName: createRuntime, path: /h}, "
            "{hookName: createContainer, path: /h}, {hookName: startContainer, path: /h}, "
            "{hookName: poststart, path: /h}, {hookName: poststop, path: /h}]"),
       spec("0.3.0", "hooks: [{hookName: afterStart, path: /h}]"),
       "invalid hook name \"afterStart\""},
      {"HookPathNotEmpty", spec("0.3.0", "hooks: [{hookName: prestart, path: /h}]"),
       spec("0.3.0", "hooks: [{hookName: prestart}]"), "a hook has an empty \"path\""},
      {"HookEnvHasAName", spec("0.3.0", "hooks: [{hookName: prestart, path: /h, env: [\"A=1\"]}]"),
       spec("0.3.0", "hooks: [{hookName: prestart, path: /h, env: [\"=1\"]}]"),
       "invalid hook environment variable \"=1\": it has no name before '='"},
      // IntelRdt: closID is a Linux file name, or "/" for the root CLOS.
      {"IntelRdtClosIdIsAFileName", spec("0.7.0", "intelRdt: {closID: gold}"),
       spec("0.7.0", "intelRdt: {closID: gold/silver}"),
       "invalid intelRdt closID: it contains '/'"},
      {"IntelRdtClosIdRoot", spec("0.7.0", "intelRdt: {closID: /}"),
       spec("0.7.0", "intelRdt: {closID: \".\"}"), "invalid intelRdt closID: \".\" is not"},
      {"IntelRdtClosIdNotDotDot", spec("0.7.0", "intelRdt: {closID: \"..a\"}"),
       spec("0.7.0", "intelRdt: {closID: \"..\"}"), "invalid intelRdt closID: \"..\" is not"},
      {"IntelRdtClosIdNoNewline", spec("0.7.0", "intelRdt: {closID: \"a b\"}"),
       spec("0.7.0", "intelRdt: {closID: \"a\\nb\"}"),
       "invalid intelRdt closID: it contains a newline"},
      {"IntelRdtClosIdShorterThan4096",
       spec("0.7.0", "intelRdt: {closID: " + std::string(4095, 'c') + "}"),
       spec("0.7.0", "intelRdt: {closID: " + std::string(4096, 'c') + "}"),
       "invalid intelRdt closID: it is 4096 characters or longer"},
      // NetDevice and the list of them.
      {"NetDeviceHostInterfaceNameNotEmpty",
       spec("1.1.0", "netDevices: [{hostInterfaceName: eth1, name: net0}]"),
       spec("1.1.0", "netDevices: [{hostInterfaceName: \"\", name: net0}]"),
       "a net device has an empty \"hostInterfaceName\""},
      {"NetDeviceNameNotEmpty",
       spec("1.1.0", "netDevices: [{hostInterfaceName: eth1, name: net0}]"),
       spec("1.1.0", "netDevices: [{hostInterfaceName: eth1}]"),
       "a net device has an empty \"name\""},
      {"NetDeviceHostInterfaceOnce",
       spec("1.1.0",
            "netDevices: [{hostInterfaceName: eth1, name: a}, {hostInterfaceName: eth2, "
            "name: b}]"),
       spec("1.1.0",
            "netDevices: [{hostInterfaceName: eth1, name: a}, {hostInterfaceName: eth1, "
            "name: b}]"),
       "net device host interface \"eth1\" is listed twice"},
      {"NetDeviceNameOnce",
       spec("1.1.0",
            "netDevices: [{hostInterfaceName: eth1, name: a}, {hostInterfaceName: eth2, "
            "name: b}]"),
       spec("1.1.0",
            "netDevices: [{hostInterfaceName: eth1, name: a}, {hostInterfaceName: eth2, "
            "name: a}]"),
       "net device name \"a\" is used twice"},
      // Device: its name (pkg/parser), its edits not empty; the spec: devices unique, at least one.
      {"DeviceEditsNotEmpty", spec("0.7.0", "intelRdt: {}"), spec("0.3.0", ""),
       "device \"dev0\" has no containerEdits"},
      {"DeviceEditsGidsAloneAreEnough", spec("0.7.0", "additionalGids: [44]"),
       spec("0.7.0", "additionalGids: []"), "device \"dev0\" has no containerEdits"},
      {"DeviceNameStartsAlphanumeric", spec("0.5.0", k_node, "", "example.com/dev", "0a"),
       spec("0.5.0", k_node, "", "example.com/dev", "_a"),
       "invalid device name \"_a\": it must start with a letter or digit"},
      {"DeviceNameEndsAlphanumeric", spec("0.3.0", k_node, "", "example.com/dev", "a.b:c-d_e"),
       spec("0.3.0", k_node, "", "example.com/dev", "a:"),
       "invalid device name \"a:\": it must end with a letter or digit"},
      {"DeviceNameCharacters", spec("0.3.0", k_node, "", "example.com/dev", "a"),
       spec("0.3.0", k_node, "", "example.com/dev", "a b"),
       "invalid device name \"a b\": character ' ' is not allowed"},
      {"DeviceNamesUnique",
       "cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- {name: x, containerEdits: {env: [A=1]}}\n"
       "- {name: y, containerEdits: {env: [A=1]}}\n",
       "cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- {name: x, containerEdits: {env: [A=1]}}\n"
       "- {name: x, containerEdits: {env: [A=1]}}\n",
       "device \"x\" is defined twice in this spec"},
      {"SpecHasDevices", spec("0.3.0", k_node), "cdiVersion: 0.3.0\nkind: a.com/b\ndevices: []\n",
       "the spec defines no devices"},
      {"SpecDevicesWritten", spec("0.3.0", k_node), "cdiVersion: 0.3.0\nkind: a.com/b\n",
       "the spec defines no devices"},
      // Kind: vendor and class (pkg/parser).
      {"KindHasVendorAndClass", spec("0.3.0", k_node, "", "a/b"),
       spec("0.3.0", k_node, "", "a.com"), "invalid kind \"a.com\": it has no vendor/class"},
      {"VendorStartsWithALetter", spec("0.3.0", k_node, "", "x9.com/dev"),
       spec("0.3.0", k_node, "", "9x.com/dev"), "invalid vendor \"9x.com\" in kind: it must start"},
      {"VendorEndsAlphanumeric", spec("0.3.0", k_node, "", "a-_.9/dev"),
       spec("0.3.0", k_node, "", "a.com-/dev"), "invalid vendor \"a.com-\" in kind: it must end"},
      {"VendorCharacters", spec("0.3.0", k_node, "", "a..b/dev"),
       spec("0.3.0", k_node, "", "a:b.com/dev"), "invalid vendor \"a:b.com\" in kind: character"},
      {"ClassStartsWithALetter", spec("0.3.0", k_node, "", "a.com/d9"),
       spec("0.3.0", k_node, "", "a.com/9d"), "invalid class \"9d\" in kind: it must start"},
      {"ClassCharacters", spec("0.3.0", k_node, "", "a.com/d-_x"),
       spec("0.3.0", k_node, "", "a.com/d/x"), "invalid class \"d/x\" in kind: character '/'"},
      // cdiVersion: a known version, one leading "v" allowed, compared as written.
      {"VersionKnown", spec("1.0.0", k_node), spec("0.9.0", k_node),
       "unsupported cdiVersion \"0.9.0\""},
      {"VersionLeadingV", spec("v0.8.0", k_node), spec("vv0.8.0", k_node),
       "unsupported cdiVersion \"vv0.8.0\""},
      {"VersionAsWritten", spec("0.3.0", k_node), spec("0.03.0", k_node),
       "unsupported cdiVersion \"0.03.0\""},
      {"VersionAtLeast030", spec("0.3.0", k_node), spec("0.2.0", k_node),
       "unsupported cdiVersion \"0.2.0\""},
      // The version gates (specs-go/version.go): accepted at the version, refused one before.
      {"MountTypeNeeds040",
       spec("0.4.0", "mounts: [{hostPath: /a, containerPath: /b, type: bind}]"),
       spec("0.3.0", "mounts: [{hostPath: /a, containerPath: /b, type: bind}]"),
       "mounts[].type needs cdiVersion 0.4.0"},
      {"HostPathNeeds050", spec("0.5.0", "deviceNodes: [{path: /a, hostPath: /b}]"),
       spec("0.4.0", "deviceNodes: [{path: /a, hostPath: /b}]"),
       "deviceNodes[].hostPath needs cdiVersion 0.5.0"},
      {"DigitFirstDeviceNameNeeds050", spec("0.5.0", k_node, "", "example.com/dev", "0"),
       spec("0.4.0", k_node, "", "example.com/dev", "0"),
       "a device name starting with a digit (\"0\") needs cdiVersion 0.5.0"},
      {"AnnotationsNeed060", spec("0.6.0", k_node, "annotations: {a: b}\n"),
       spec("0.5.0", k_node, "annotations: {a: b}\n"), "annotations needs cdiVersion 0.6.0"},
      {"DeviceAnnotationsNeed060",
       "cdiVersion: 0.6.0\nkind: a.com/b\ndevices: [{name: d, annotations: {a: b}, "
       "containerEdits: {env: [A=1]}}]\n",
       "cdiVersion: 0.5.0\nkind: a.com/b\ndevices: [{name: d, annotations: {a: b}, "
       "containerEdits: {env: [A=1]}}]\n",
       "devices[].annotations needs cdiVersion 0.6.0"},
      {"EmptyAnnotationsNeedNothing", spec("0.3.0", k_node, "annotations: {}\n"),
       spec("0.5.0", k_node, "annotations: {a: b}\n"), "annotations needs cdiVersion 0.6.0"},
      {"DotInClassNeeds060", spec("0.6.0", k_node, "", "a.com/b.c"),
       spec("0.5.0", k_node, "", "a.com/b.c"), "a '.' in the class of kind needs cdiVersion 0.6.0"},
      {"IntelRdtNeeds070", spec("0.7.0", "intelRdt: {closID: gold}"),
       spec("0.6.0", "intelRdt: {closID: gold}"), "intelRdt needs cdiVersion 0.7.0"},
      {"AdditionalGidsNeed070", spec("0.7.0", "additionalGids: [44]"),
       spec("0.6.0", "additionalGids: [44]"), "additionalGids needs cdiVersion 0.7.0"},
      {"NothingNeeds080Or100", spec("0.8.0", "additionalGids: [44]"),
       spec("0.6.0", "additionalGids: [44]"), "needs cdiVersion 0.7.0"},
      {"NetDevicesNeed110", spec("1.1.0", "netDevices: [{hostInterfaceName: eth1, name: n}]"),
       spec("1.0.0", "netDevices: [{hostInterfaceName: eth1, name: n}]"),
       "netDevices needs cdiVersion 1.1.0"},
      {"IntelRdtSchemataNeeds110", spec("1.1.0", "intelRdt: {schemata: [\"L3:0=f\"]}"),
       spec("1.0.0", "intelRdt: {schemata: []}"), "intelRdt.schemata needs cdiVersion 1.1.0"},
      {"IntelRdtMonitoringNeeds110", spec("1.0.0", "intelRdt: {enableMonitoring: false}"),
       spec("1.0.0", "intelRdt: {enableMonitoring: true}"),
       "intelRdt.enableMonitoring needs cdiVersion 1.1.0"},
      // The strict decoding: known fields, written once, of the field's type.
      {"IntelRdtFieldsKnown",
       spec("0.7.0", "intelRdt: {closID: a, l3CacheSchema: \"L3:0=f\", memBwSchema: \"MB:0=50\"}"),
       spec("0.7.0", "intelRdt: {closIds: a}"), "unknown field \"closIds\" in intelRdt"},
      {"NetDeviceFieldsKnown", spec("1.1.0", "netDevices: [{hostInterfaceName: eth1, name: n}]"),
       spec("1.1.0", "netDevices: [{hostInterfaceName: eth1, name: n, mac: x}]"),
       "unknown field \"mac\" in a net device"},
      {"FieldWrittenOnce", spec("0.3.0", "env: [A=1]"), spec("0.3.0", "env: [A=1], env: [B=2]"),
       "field \"env\" is written twice in containerEdits"},
      {"UidIsUnsigned32", spec("0.3.0", "deviceNodes: [{path: /a, uid: 4294967295, gid: 0}]"),
       spec("0.3.0", "deviceNodes: [{path: /a, uid: -1}]"),
       "deviceNodes[].uid must be between 0 and 4294967295, not -1"},
      {"AdditionalGidsAreUnsigned32", spec("0.7.0", "additionalGids: [0]"),
       spec("0.7.0", "additionalGids: [4294967296]"),
       "additionalGids[] must be between 0 and 4294967295"},
      {"IntegersAreNotQuoted", spec("0.3.0", "deviceNodes: [{path: /a, major: 1, minor: 3}]"),
       spec("0.3.0", "deviceNodes: [{path: /a, major: \"1\"}]"),
       "deviceNodes[].major must be an integer"},
      {"BooleansAreNotQuoted", spec("1.1.0", "intelRdt: {enableMonitoring: true}"),
       spec("1.1.0", "intelRdt: {enableMonitoring: \"true\"}"),
       "intelRdt.enableMonitoring must be true or false"},
      {"HookTimeoutIsAnInteger",
       spec("0.3.0", "hooks: [{hookName: prestart, path: /h, timeout: 5}]"),
       spec("0.3.0", "hooks: [{hookName: prestart, path: /h, timeout: 5s}]"),
       "hooks[].timeout must be an integer"},
      {"NullIsTheZeroValue",
       spec("0.6.0", "deviceNodes: [{path: /a, hostPath: null, major: null, type: null}]",
            "annotations: {a: null}\n"),
       spec("0.6.0", "deviceNodes: [{path: null}]"), "a device node has an empty \"path\""},
      {"AnnotationValuesAreStrings", spec("0.6.0", k_node, "annotations: {a: \"1\"}\n"),
       spec("0.6.0", k_node, "annotations: {a: [1]}\n"), "annotations values must be strings"},
  };
}

class CdiLibraryRule : public ::testing::TestWithParam<Rule> {};

TEST_P(CdiLibraryRule, AcceptsTheValidCaseAndRefusesTheInvalidOne) {
  const Rule& rule = GetParam();
  EXPECT_EQ(errors_of(rule.accepted), "") << rule.accepted;
  std::string refused = errors_of(rule.refused);
  EXPECT_THAT(refused, ::testing::HasSubstr(rule.error)) << rule.refused;
  // Every error points into the file and says where.
  EXPECT_THAT(refused, ::testing::StartsWith("spec.yaml:"));
  EXPECT_THAT(refused, ::testing::Not(::testing::HasSubstr("spec.yaml:0:0")));
}

INSTANTIATE_TEST_SUITE_P(Cdi, CdiLibraryRule, ::testing::ValuesIn(rules()),
                         [](const ::testing::TestParamInfo<Rule>& rule) { return rule.param.id; });

TEST(CdiLibraryRules, AFileWithoutSpecDataIsRefused) {
  for (const char* text : {"", "\n", "null\n", "---\n"}) {
    EXPECT_EQ(errors_of(text),
              "spec.yaml:1:1: the file holds no spec (it is empty or null) (write cdiVersion, kind "
              "and devices, or remove the file)\n")
        << text;
  }
  EXPECT_EQ(errors_of("{}"),
            "spec.yaml:1:1: the spec has no \"cdiVersion\"\nspec.yaml:1:1: the spec has no "
            "\"kind\"\nspec.yaml:1:1: the spec defines no devices (add at least one entry under "
            "\"devices\")\n");
}

// encoding/json, under the library's YAML reader, matches field names regardless of case.
TEST(CdiLibraryRules, FieldNamesMatchRegardlessOfCaseWithAWarning) {
  auto ls = load_spec_text(
      "CDIVersion: 0.3.0\nKind: a.com/b\ndevices: [{Name: x, containerEdits: {ENV: [A=1]}}]\n",
      "spec.yaml");
  EXPECT_TRUE(ls.valid());
  ASSERT_TRUE(ls.spec);
  EXPECT_EQ(ls.spec->kind, "a.com/b");
  EXPECT_EQ(ls.spec->devices.at(0).edits.env.size(), 1u);
  ASSERT_EQ(ls.diagnostics.items().size(), 4u);
  EXPECT_EQ(format_diagnostic(ls.diagnostics.items().at(1)),
            "spec.yaml:2:1: warning: field \"Kind\" in the spec is read as \"kind\" (write "
            "\"kind\": the CDI library ignores the case, other readers may not)");
  EXPECT_EQ(errors_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices: [{name: x, containerEdits: "
                      "{envs: [A=1]}}]\n"),
            "spec.yaml:3:38: unknown field \"envs\" in containerEdits (did you mean \"env\"?)\n"
            "spec.yaml:3:11: device \"x\" has no containerEdits (a device must add at least one "
            "env, device node, mount or hook)\n");
}

TEST(CdiLibraryRules, ErrorsSayWhereWhatAndWhatToDo) {
  std::string text = spec("1.1.0",
                          "env: [\"=VALUE\"], netDevices: [{hostInterfaceName: \"\", name: n}], "
                          "intelRdt: {closID: a/b}, deviceNodes: [{path: /a, permissions: rwx}]");
  EXPECT_EQ(errors_of(text),
            "spec.yaml:5:26: invalid environment variable \"=VALUE\": it has no name before '=' "
            "(write NAME=VALUE)\n"
            "spec.yaml:5:50: a net device has an empty \"hostInterfaceName\" (name the host's "
            "interface, e.g. eth1)\n"
            "spec.yaml:5:95: invalid intelRdt closID: it contains '/' (use a plain name such as "
            "\"gold\", or \"/\" for the root class of service)\n"
            "spec.yaml:5:124: invalid device permissions \"rwx\" (use a combination of r, w and m, "
            "or \"none\")\n");
}

TEST(CdiLibraryRules, AnnotationKeysFollowTheSchemaValidatorAsWarnings) {
  for (const char* good : {"owner", "example.com/owner", "Example.COM/Owner_1.x", "a-b.c/x-y"}) {
    EXPECT_EQ(annotation_key_problem(good), "") << good;
  }
  EXPECT_EQ(annotation_key_problem("a/b/c"), "it has more than one '/'");
  EXPECT_EQ(annotation_key_problem("/x"), "the prefix before '/' is empty");
  EXPECT_NE(annotation_key_problem("a_b.com/x"), "");  // '_' is not in a DNS name
  EXPECT_NE(annotation_key_problem("-a.com/x"), "");
  EXPECT_EQ(annotation_key_problem("a.com/"), "the name is empty");
  EXPECT_EQ(annotation_key_problem(std::string(64, 'a')), "the name is longer than 63 characters");
  EXPECT_EQ(annotation_key_problem("a b"), "character ' ' is not allowed in the name");
  EXPECT_EQ(annotation_key_problem("x-"), "the name must start and end with a letter or digit");
  EXPECT_NE(annotation_key_problem(std::string(254, 'a') + "/x"), "");

  // The library's loading does not check keys (only its schema validator does): a warning.
  auto ls = load_spec_text(spec("0.6.0", k_node, "annotations: {\"bad key\": v}\n"), "spec.yaml");
  EXPECT_TRUE(ls.valid());
  ASSERT_EQ(ls.diagnostics.items().size(), 1u);
  EXPECT_EQ(format_diagnostic(ls.diagnostics.items().front()),
            "spec.yaml:3:15: warning: annotation key \"bad key\" in the spec's annotations: "
            "character ' ' is not allowed in the name (runtimes load the spec, but the CDI schema "
            "validator (cdi validate) refuses it; use a key like example.com/name)");
  // A rejected spec's first error is an error, not an earlier warning (what `explain` quotes).
  auto both = load_spec_text(spec("0.6.0", "env: [\"=x\"]", "annotations: {\"bad key\": v}\n"),
                             "spec.yaml");
  EXPECT_FALSE(both.valid());
  EXPECT_EQ(both.first_error().message,
            "invalid environment variable \"=x\": it has no name before '='");
  auto big = load_spec_text(
      spec("0.6.0", k_node, "annotations: {a: " + std::string(256 * 1024, 'v') + "}\n"), "s.yaml");
  EXPECT_TRUE(big.valid());
  EXPECT_EQ(big.diagnostics.items().size(), 1u);
}

TEST(CdiLibraryRules, PermissionsNoneIsNotedForOlderLibraries) {
  auto ls = load_spec_text(spec("0.3.0", "deviceNodes: [{path: /dev/a, permissions: none}]"),
                           "spec.yaml");
  ASSERT_TRUE(ls.valid());
  auto refused = older_library_refusals(*ls.spec);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.front().where.line, 5);
  EXPECT_THAT(refused.front().feature, ::testing::HasSubstr("/dev/a has permissions \"none\""));
  auto plain =
      load_spec_text(spec("0.3.0", "deviceNodes: [{path: /dev/a, permissions: rw}]"), "spec.yaml");
  EXPECT_TRUE(older_library_refusals(*plain.spec).empty());
}

// pkg/parser's qualified names: the same vendor, class and name rules as a spec's kind.
TEST(CdiLibraryRules, QualifiedNamesUseTheParserRules) {
  EXPECT_TRUE(parse_qualified_name("nvidia..com/gpu=all").name);  // no rule against ".."
  EXPECT_TRUE(parse_qualified_name("nvidia.com/g.pu=all").name);  // '.' is fine in a class
  EXPECT_TRUE(parse_qualified_name("a/b=0").name);
  EXPECT_EQ(parse_qualified_name("9vendor.com/gpu=0").error,
            "invalid vendor \"9vendor.com\" in CDI name \"9vendor.com/gpu=0\": it must start with "
            "a letter");
  EXPECT_EQ(parse_qualified_name("nvidia.com/9gpu=0").error,
            "invalid class \"9gpu\" in CDI name \"nvidia.com/9gpu=0\": it must start with a "
            "letter");
}

}  // namespace
}  // namespace edgecrew::cdi
