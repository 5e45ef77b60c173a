// CRI-O's configuration read and judged as CRI-O does (crio.conf(5), crio.conf.d(5) and its
// pkg/config validation): one test per rule, with the value CRI-O accepts beside the one it
// refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "host/crio_config.h"
#include "host/crio_validate.h"
#include "host_tree.h"

namespace edgecrew::host {
namespace {

using edgecrew::testing::HostTree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

CrioConfig from_text(const std::string& text) {
  CrioConfig c;
  apply_crio_config_text(c, text, "/etc/crio/crio.conf");
  return c;
}

std::string errors(const CrioConfig& c) {
  std::string out;
  for (const auto& d : c.diagnostics.items()) {
    if (d.severity == Severity::error) out += format_diagnostic(d) + "\n";
  }
  return out;
}

std::string warnings(const CrioConfig& c) {
  std::string out;
  for (const auto& d : c.diagnostics.items()) {
    if (d.severity == Severity::warning) out += format_diagnostic(d) + "\n";
  }
  return out;
}

// A host where CRI-O's helpers are where its packages and Debian put them.
void healthy(const HostTree& t) {
  t.binary("/usr/bin/conmon").binary("/usr/bin/pinns").binary("/usr/bin/crun");
  t.binary("/usr/sbin/runc");
}

CrioVerdict judge(const HostTree& t) {
  return validate_crio_config(read_crio_config(t.root), t.root);
}

std::string refusals(const CrioVerdict& v) {
  std::string out;
  for (const auto& p : v.refuses) out += p.message + "\n";
  return out;
}

// --- reading -------------------------------------------------------------------------------

TEST(CrioConfigFiles, NvidiaCtkDropInByItsDefaultNameOnAHostWithoutCrioConf) {
  HostTree t;
  t.file("/etc/crio/crio.conf.d/99-nvidia.toml",
         "[crio.runtime.runtimes.nvidia]\nruntime_path = \"/usr/bin/nvidia-container-runtime\"\n"
         "runtime_type = \"oci\"\n");
  auto c = read_crio_config(t.root);
  EXPECT_TRUE(c.found());
  EXPECT_THAT(c.files, ElementsAre("/etc/crio/crio.conf.d/99-nvidia.toml"));
  ASSERT_TRUE(c.runtimes.contains("nvidia"));
  EXPECT_EQ(c.runtimes.at("nvidia").runtime_path->value, "/usr/bin/nvidia-container-runtime");
  EXPECT_EQ(c.runtimes.at("nvidia").runtime_path->where.line, 2);
}

TEST(CrioConfigFiles, EveryFileInLexicalOrderWithSubdirectoriesWhereTheyFall) {
  HostTree t;
  t.file("/etc/crio/crio.conf",
         "[crio.runtime]\nlog_level = \"info\"\ncgroup_manager = \"cgroupfs\"\n");
  t.file("/etc/crio/crio.conf.d/30.toml", "[crio.runtime]\n\nlog_level = \"error\"\n");
  t.file("/etc/crio/crio.conf.d/20-sub/5.conf", "[crio.runtime]\nlog_level = \"warn\"\n");
  t.file("/etc/crio/crio.conf.d/10-a.conf", "[crio.runtime]\nlog_level = \"debug\"\n");
  t.file("/etc/crio/crio.conf.d/.hidden", "[crio.image]\npause_command = \"/pause\"\n");
  auto c = read_crio_config(t.root);
  EXPECT_THAT(c.files,
              ElementsAre("/etc/crio/crio.conf", "/etc/crio/crio.conf.d/.hidden",
                          "/etc/crio/crio.conf.d/10-a.conf", "/etc/crio/crio.conf.d/20-sub/5.conf",
                          "/etc/crio/crio.conf.d/30.toml"));
  const auto* level = c.value("crio.runtime.log_level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->text, "error");
  EXPECT_EQ(level->where.file, "/etc/crio/crio.conf.d/30.toml");
  EXPECT_EQ(level->where.line, 3);
  // A key no later file sets keeps the earlier file's value.
  EXPECT_EQ(c.value("crio.runtime.cgroup_manager")->text, "cgroupfs");
  EXPECT_EQ(c.value("crio.runtime.cgroup_manager")->where.file, "/etc/crio/crio.conf");
  EXPECT_EQ(c.log_level->value, "error");
}

TEST(CrioConfigFiles, ALaterHandlerTableReplacesTheWholeHandler) {
  HostTree t;
  t.file("/etc/crio/crio.conf.d/10-crio.conf",
         "[crio.runtime.runtimes.nvidia]\nruntime_path = \"/a\"\nmonitor_path = \"/m\"\n");
  t.file("/etc/crio/crio.conf.d/99-nvidia.toml",
         "[crio.runtime.runtimes.nvidia]\nruntime_path = \"/b\"\n");
  auto c = read_crio_config(t.root);
  EXPECT_EQ(c.runtimes.at("nvidia").runtime_path->value, "/b");
  EXPECT_FALSE(c.runtimes.at("nvidia").monitor_path.has_value());
  EXPECT_EQ(c.value("crio.runtime.runtimes.nvidia.monitor_path"), nullptr);
  // A handler a later file does not name stays.
  t.file("/etc/crio/crio.conf.d/50-kata.conf",
         "[crio.runtime.runtimes.kata]\nruntime_type = \"vm\"\n");
  c = read_crio_config(t.root);
  EXPECT_TRUE(c.runtimes.contains("kata"));
  EXPECT_TRUE(c.runtimes.contains("nvidia"));
}

TEST(CrioConfigFiles, AValueOfAnotherTypeStopsCrioAtStart) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"[crio.runtime]\nlog_level = 5\n",
       "/etc/crio/crio.conf:2:13: crio.runtime.log_level must be a string, not an integer: CRI-O "
       "refuses to start"},
      {"[crio.runtime]\nselinux = \"yes\"\n", "crio.runtime.selinux must be a boolean"},
      {"[crio.api]\nstream_port = 10010\n",
       "crio.api.stream_port must be a string, not an integer"},
      {"[crio.runtime]\npids_limit = 1.5\n",
       "crio.runtime.pids_limit must be an integer, not a float"},
      {"[crio.runtime]\ndefault_ulimits = \"nofile=1:1\"\n",
       "crio.runtime.default_ulimits must be an array of strings, not a string"},
      {"[crio.runtime]\nhooks_dir = [\"/a\", 2]\n",
       "crio.runtime.hooks_dir must hold strings only"},
      {"[crio]\nruntime = 1\n", "crio.runtime must be a table, not an integer"},
      {"[crio.runtime.runtimes.nvidia]\ndefault_annotations = { a = 1 }\n",
       "must map names to strings"},
      {"[crio.image]\npull_progress_timeout = \"10 seconds\"\n", "is not a duration"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(errors(from_text(c.text)), HasSubstr(c.error)) << c.text;
  }
  for (const char* ok :
       {"[crio.runtime]\nlog_level = \"info\"\nselinux = true\npids_limit = -1\n",
        "[crio.api]\nstream_port = \"10010\"\n", "[crio.runtime]\ndefault_ulimits = []\n",
        "[crio.image]\npull_progress_timeout = \"1m30s\"\n",
        "[crio.image]\npull_progress_timeout = 5000000000\n",
        "[crio.runtime.runtimes.nvidia]\ndefault_annotations = { a = \"1\" }\n",
        "[crio.runtime.workloads.w.resources]\ncpushares = -1\n"}) {
    EXPECT_EQ(errors(from_text(ok)), "") << ok;
  }
}

TEST(CrioConfigFiles, KeysCrioDoesNotKnowAreIgnoredAndNamed) {
  auto c = from_text(
      "[crio.runtime.runtimes.nvidia]\nruntime_pth = \"/x\"\n[crio.runtimes.nvidia]\n"
      "runtime_path = \"/y\"\n[crio.image]\nregistries = [\"docker.io\"]\n");
  EXPECT_EQ(errors(c), "");
  EXPECT_THAT(warnings(c), HasSubstr("crio.runtime.runtimes.nvidia.runtime_pth is not a CRI-O "
                                     "setting: CRI-O ignores it without a word (did you mean "
                                     "\"runtime_path\"?)"));
  EXPECT_THAT(warnings(c), HasSubstr("crio.runtimes is not a CRI-O setting"));
  // Removed in CRI-O 1.31: ignored the same way.
  EXPECT_THAT(warnings(c), HasSubstr("crio.image.registries is not a CRI-O setting"));
  EXPECT_FALSE(c.runtimes.at("nvidia").runtime_path.has_value());
}

TEST(CrioConfigFiles, KeysMatchIgnoringCaseAsCriosDecoderDoes) {
  auto c = from_text("[crio.Runtime]\nLOG_LEVEL = \"debug\"\n");
  EXPECT_EQ(warnings(c), "");
  ASSERT_NE(c.value("crio.runtime.log_level"), nullptr);
  EXPECT_EQ(c.value("crio.runtime.log_level")->text, "debug");
}

TEST(CrioConfigFiles, DeprecatedKeysAreNamed) {
  auto c = from_text("[crio.runtime]\nconmon = \"/usr/bin/conmon\"\n");
  EXPECT_EQ(errors(c), "");
  EXPECT_THAT(warnings(c), HasSubstr("crio.runtime.conmon is deprecated in CRI-O"));
}

TEST(CrioConfigFiles, StorageOptionsAppendAndEmptyStoreKeysKeepTheEarlierValue) {
  HostTree t;
  t.file("/etc/crio/crio.conf",
         "[crio]\nroot = \"/data/crio\"\nstorage_option = [\"a=1\", \"b=2\"]\n");
  t.file("/etc/crio/crio.conf.d/10.conf",
         "[crio]\nroot = \"\"\nstorage_option = [\"a=1\", \"c=3\"]\n");
  auto c = read_crio_config(t.root);
  EXPECT_EQ(c.root->value, "/data/crio");
  EXPECT_EQ(c.value("crio.storage_option")->text, "[b=2, a=1, c=3]");
}

TEST(CrioConfigFiles, EveryKeyHasOneTypeInItsTable) {
  std::set<std::string> seen;
  for (const auto& k : crio_keys()) {
    EXPECT_TRUE(seen.insert(std::string(k.table) + "." + std::string(k.key)).second)
        << k.table << " " << k.key;
  }
  EXPECT_GE(seen.size(), 160U);
}

// --- what CRI-O does with it ---------------------------------------------------------------

TEST(CrioValidate, AHealthyPackagedConfigurationStarts) {
  HostTree t;
  healthy(t);
  t.file("/etc/crio/crio.conf.d/10-crio.conf",
         "[crio.runtime]\ndefault_runtime = \"crun\"\n[crio.runtime.runtimes.crun]\n"
         "runtime_path = \"/usr/bin/crun\"\nmonitor_path = \"/usr/bin/conmon\"\n"
         "[crio.runtime.runtimes.runc]\nruntime_path = \"/usr/sbin/runc\"\n");
  auto v = judge(t);
  EXPECT_TRUE(v.starts()) << refusals(v);
  EXPECT_TRUE(v.dropped.empty());
  EXPECT_EQ(v.default_runtime, "crun");
  EXPECT_EQ(v.default_runtime_path, "/usr/bin/crun");  // what the runtime section looks at
  EXPECT_THAT(v.handlers, ElementsAre("crun", "runc"));
}

TEST(CrioValidate, ValuesOutsideTheirSetStopCrio) {
  struct Case {
    const char* ok;
    const char* bad;
    const char* message;
  } cases[] = {
      {"[crio.runtime]\nlog_level = \"WARNING\"\n", "[crio.runtime]\nlog_level = \"verbose\"\n",
       "crio.runtime.log_level = \"verbose\" is not one of panic, fatal, error, warn, warning, "
       "info, debug, trace"},
      {"[crio.runtime]\ncgroup_manager = \"cgroupfs\"\nconmon_cgroup = \"pod\"\n",
       "[crio.runtime]\ncgroup_manager = \"cgroupv2\"\n", "cgroup_manager = \"cgroupv2\""},
      {"[crio.image]\nimage_volumes = \"bind\"\n", "[crio.image]\nimage_volumes = \"Bind\"\n",
       "image_volumes = \"Bind\" is not one of mkdir, bind, ignore"},
      {"[crio.image]\nshort_name_mode = \"\"\n", "[crio.image]\nshort_name_mode = \"permissive\"\n",
       "short_name_mode"},
      {"[crio.api]\ntls_min_version = \"VersionTLS13\"\n",
       "[crio.api]\ntls_min_version = \"VersionTLS11\"\n", "tls_min_version"},
      {"[crio.runtime]\ndefault_ulimits = [\"nofile=1024:2048\", \"core=-1\"]\n",
       "[crio.runtime]\ndefault_ulimits = [\"nofile=2048:1024\"]\n",
       "\"nofile=2048:1024\" has soft limit 2048 above its hard limit 1024"},
      {"[crio.runtime]\ndefault_ulimits = [\"nproc=-1:-1\"]\n",
       "[crio.runtime]\ndefault_ulimits = [\"as=1:1\"]\n", "names \"as\", which is not a ulimit"},
      {"[crio.runtime]\ndefault_ulimits = [\"memlock=64\"]\n",
       "[crio.runtime]\ndefault_ulimits = [\"nofile\"]\n", "is not name=soft[:hard]"},
      {"[crio.runtime]\ndefault_capabilities = [\"CHOWN\", \"net_raw\"]\n",
       "[crio.runtime]\ndefault_capabilities = [\"CAP_CHOWN\"]\n",
       "CRI-O adds CAP_ itself, so this is CAP_CAP_CHOWN"},
      {"[crio.runtime]\ndefault_capabilities = []\n",
       "[crio.runtime]\ndefault_capabilities = [\"FLY\"]\n", "\"FLY\", which is not a capability"},
      {"[crio.runtime]\ndefault_sysctls = [\"net.ipv4.ip_forward=1\", \"\"]\n",
       "[crio.runtime]\ndefault_sysctls = [\"net.ipv4.ip_forward = 1\"]\n",
       "is not key=value (no spaces)"},
      {"[crio.runtime]\nlog_size_max = -1\n", "[crio.runtime]\nlog_size_max = 100\n",
       "log_size_max = 100"},
      {"[crio.runtime]\nlog_size_max = 8192\n", "[crio]\nlog_dir = \"var/log/crio\"\n",
       "log_dir \"var/log/crio\" is not an absolute path"},
      {"[crio.runtime]\ntimezone = \"Local\"\n", "[crio.runtime]\ntimezone = \"Mars/Olympus\"\n",
       "timezone \"Mars/Olympus\" is not a time zone"},
      {"[crio.api]\nstream_port = \"0\"\n", "[crio.api]\nstream_port = \"70000\"\n",
       "stream_port \"70000\" is not a port"},
      {"[crio.api]\nstream_enable_tls = true\nstream_tls_cert = \"/c\"\nstream_tls_key = \"/k\"\n",
       "[crio.api]\nstream_enable_tls = true\nstream_tls_cert = \"/c\"\n",
       "stream_enable_tls is true but stream_tls_key is not set"},
      {"[crio.stats]\nincluded_pod_metrics = [\"cpu\", \"diskIO\"]\n",
       "[crio.stats]\nincluded_pod_metrics = [\"all\", \"cpu\"]\n",
       "included_pod_metrics names \"all\""},
      {"[crio.runtime]\nadditional_devices = [\"/dev/fuse:/dev/fuse:rwm\"]\n",
       "[crio.runtime]\nadditional_devices = [\"/dev/fuse:/dev/fuse:rwx\"]\n", "has mode \"rwx\""},
      {"[crio.runtime]\nadditional_devices = [\"/dev/fuse:rw\"]\n",
       "[crio.runtime]\nadditional_devices = [\"/dev/nothere\"]\n",
       "names /dev/nothere, which does not exist"},
      {"[crio.runtime.workloads.w]\nactivation_annotation = \"io.w\"\n"
       "[crio.runtime.workloads.w.resources]\ncpuperiod = 100000\n",
       "[crio.runtime.workloads.w.resources]\ncpuperiod = 10\n", "has no activation_annotation"},
  };
  for (const auto& c : cases) {
    HostTree ok;
    healthy(ok);
    ok.file("/dev/fuse", "");
    ok.file("/usr/share/zoneinfo/Europe/Berlin", "TZif");
    ok.file("/etc/crio/crio.conf", c.ok);
    auto v = judge(ok);
    EXPECT_EQ(refusals(v), "") << c.ok;
    HostTree bad;
    healthy(bad);
    bad.file("/etc/crio/crio.conf", c.bad);
    auto w = judge(bad);
    EXPECT_THAT(refusals(w), HasSubstr(c.message)) << c.bad;
    ASSERT_FALSE(w.refuses.empty());
    EXPECT_EQ(w.refuses.front().area, CrioArea::value);
    EXPECT_EQ(w.refuses.front().where.file, "/etc/crio/crio.conf");
  }
}

TEST(CrioValidate, DefaultRuntimeMustNameATable) {
  HostTree t;
  healthy(t);
  t.file("/etc/crio/crio.conf", "[crio.runtime]\ndefault_runtime = \"runc\"\n");
  auto v = judge(t);
  EXPECT_THAT(refusals(v), HasSubstr("default_runtime set to \"runc\", but no runtime entry table "
                                     "[crio.runtime.runtimes.runc] was found"));
  // crun's table is built in (CRI-O 1.31 and later): naming it needs none.
  t.file("/etc/crio/crio.conf", "[crio.runtime]\ndefault_runtime = \"crun\"\n");
  EXPECT_TRUE(judge(t).starts()) << refusals(judge(t));
  // Not set: crun.
  t.file("/etc/crio/crio.conf", "[crio]\n");
  EXPECT_EQ(judge(t).default_runtime, "crun");
}

TEST(CrioValidate, AFailingDefaultHandlerStopsCrioAnotherIsDropped) {
  HostTree t;
  healthy(t);
  t.file("/etc/crio/crio.conf",
         "[crio.runtime]\ndefault_runtime = \"nvidia\"\n[crio.runtime.runtimes.nvidia]\n"
         "runtime_path = \"/usr/bin/nvidia-container-runtime\"\n[crio.runtime.runtimes.kata]\n"
         "runtime_type = \"virtual\"\nruntime_path = \"/usr/sbin/runc\"\n");
  auto v = judge(t);
  ASSERT_EQ(v.refuses.size(), 1U) << refusals(v);
  EXPECT_EQ(v.refuses[0].area, CrioArea::default_runtime);
  EXPECT_THAT(
      v.refuses[0].message,
      HasSubstr("the default handler nvidia fails validation: runtime_path "
                "/usr/bin/nvidia-container-runtime does not exist (/etc/crio/crio.conf:4)"));
  EXPECT_EQ(v.default_runtime_path, "") << "no binary CRI-O could run";
  ASSERT_EQ(v.dropped.size(), 1U);
  EXPECT_EQ(v.dropped[0].subject, "kata");
  EXPECT_THAT(v.dropped[0].message, HasSubstr("runtime_type \"virtual\" is not oci, vm or pod"));
  // The same handler, not the default: dropped, and CRI-O starts.
  t.binary("/usr/bin/nvidia-container-runtime");
  auto w = judge(t);
  EXPECT_TRUE(w.starts()) << refusals(w);
  EXPECT_THAT(w.handlers, ElementsAre("crun", "nvidia"));
}

TEST(CrioValidate, AHandlerWithoutPathIsLookedUpByItsNameInCriosPath) {
  HostTree t;
  healthy(t);
  t.file("/etc/crio/crio.conf", "[crio.runtime.runtimes.runc]\n[crio.runtime.runtimes.youki]\n");
  auto v = judge(t);
  EXPECT_THAT(v.found, ::testing::Contains("runc: oci /usr/sbin/runc (/etc/crio/crio.conf:1)"));
  ASSERT_EQ(v.dropped.size(), 1U);
  EXPECT_THAT(v.dropped[0].message, HasSubstr("no runtime_path and no \"youki\" in CRI-O's $PATH"));
}

TEST(CrioValidate, VmHandlersNeedAContainerdShim) {
  HostTree t;
  healthy(t);
  t.binary("/usr/bin/containerd-shim-kata-v2");
  t.file("/etc/crio/crio.conf",
         "[crio.runtime.runtimes.kata]\nruntime_type = \"vm\"\n"
         "runtime_path = \"/usr/bin/containerd-shim-kata-v2\"\n"
         "[crio.runtime.runtimes.bad]\nruntime_type = \"vm\"\nruntime_path = \"/usr/sbin/runc\"\n"
         "[crio.runtime.runtimes.logs]\nno_sync_log = true\nruntime_type = \"pod\"\n"
         "runtime_path = \"/usr/sbin/runc\"\n");
  auto v = judge(t);
  std::vector<std::string> dropped;
  for (const auto& p : v.dropped) dropped.push_back(p.subject + ": " + p.message);
  EXPECT_THAT(dropped,
              ElementsAre(HasSubstr("bad: a vm handler's runtime_path must name a "
                                    "containerd-shim-* binary"),
                          HasSubstr("logs: no_sync_log is only for runtime_type \"oci\"")));
  EXPECT_THAT(v.handlers, ::testing::Contains("kata"));
}

TEST(CrioValidate, NvidiaCtkDropInWithoutMonitorPathOnAPackagedCrio) {
  // Packages put conmon at /usr/libexec/crio/conmon, not in $PATH; nvidia-ctk writes no
  // monitor_path when there is no crio.conf to copy the default handler from.
  HostTree t;
  t.binary("/usr/libexec/crio/conmon").binary("/usr/libexec/crio/crun").binary("/usr/bin/pinns");
  t.binary("/usr/bin/nvidia-container-runtime");
  t.file(
      "/etc/crio/crio.conf.d/10-crio.conf",
      "[crio.runtime]\ndefault_runtime = \"crun\"\n[crio.runtime.runtimes.crun]\n"
      "runtime_path = \"/usr/libexec/crio/crun\"\nmonitor_path = \"/usr/libexec/crio/conmon\"\n");
  EXPECT_TRUE(judge(t).starts()) << refusals(judge(t));
  t.file("/etc/crio/crio.conf.d/99-nvidia.toml",
         "[crio.runtime.runtimes.nvidia]\nruntime_path = \"/usr/bin/nvidia-container-runtime\"\n"
         "runtime_type = \"oci\"\n");
  auto v = judge(t);
  ASSERT_EQ(v.refuses.size(), 1U) << refusals(v);
  EXPECT_EQ(v.refuses[0].area, CrioArea::monitor);
  EXPECT_EQ(v.refuses[0].subject, "nvidia");
  EXPECT_THAT(v.refuses[0].fix, HasSubstr("monitor_path = \"/usr/libexec/crio/conmon\""));
  t.file("/etc/crio/crio.conf.d/99-nvidia.toml",
         "[crio.runtime.runtimes.nvidia]\nruntime_path = \"/usr/bin/nvidia-container-runtime\"\n"
         "monitor_path = \"/usr/libexec/crio/conmon\"\n");
  EXPECT_TRUE(judge(t).starts()) << refusals(judge(t));
}

TEST(CrioValidate, ConmonCgroupSuitsTheCgroupManager) {
  struct Case {
    const char* text;
    bool starts;
  } cases[] = {
      {"[crio.runtime]\ncgroup_manager = \"cgroupfs\"\nconmon_cgroup = \"system.slice\"\n", true},
      {"[crio.runtime]\ncgroup_manager = \"cgroupfs\"\nconmon_cgroup = \"pod\"\n", true},
      {"[crio.runtime]\ncgroup_manager = \"cgroupfs\"\nconmon_cgroup = \"machine.slice\"\n", false},
      {"[crio.runtime]\nconmon_cgroup = \"machine.slice\"\n", true},
      {"[crio.runtime]\nconmon_cgroup = \"conmon\"\n", false},
  };
  for (const auto& c : cases) {
    HostTree t;
    healthy(t);
    t.file("/etc/crio/crio.conf", c.text);
    auto v = judge(t);
    EXPECT_EQ(v.starts(), c.starts) << c.text << refusals(v);
    if (!c.starts) {
      EXPECT_EQ(v.refuses.front().area, CrioArea::monitor);
    }
  }
}

TEST(CrioValidate, InheritDefaultRuntimeTakesTheDefaultsBinary) {
  HostTree t;
  healthy(t);
  t.file("/etc/crio/crio.conf",
         "[crio.runtime]\ndefault_runtime = \"runc\"\n[crio.runtime.runtimes.runc]\n"
         "runtime_path = \"/usr/sbin/runc\"\n[crio.runtime.runtimes.fast]\n"
         "inherit_default_runtime = true\n");
  auto v = judge(t);
  EXPECT_TRUE(v.dropped.empty()) << v.dropped.front().message;
  EXPECT_THAT(v.found, ::testing::Contains(HasSubstr("fast: oci /usr/sbin/runc")));
}

TEST(CrioValidate, PinnsMustBeFound) {
  HostTree t;
  t.binary("/usr/bin/conmon").binary("/usr/bin/crun");
  t.file("/etc/crio/crio.conf", "[crio]\n");
  EXPECT_THAT(refusals(judge(t)),
              HasSubstr("pinns_path is not set and pinns is not in CRI-O's $PATH"));
  t.binary("/usr/local/bin/pinns");
  EXPECT_TRUE(judge(t).starts()) << refusals(judge(t));
  t.file("/etc/crio/crio.conf", "[crio.runtime]\npinns_path = \"/opt/pinns\"\n");
  EXPECT_THAT(refusals(judge(t)), HasSubstr("pinns_path /opt/pinns does not exist"));
}

}  // namespace
}  // namespace edgecrew::host
