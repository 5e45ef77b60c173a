// The doctor's runtime section on host trees: the rlimit trap (hard limits below what Podman asks
// for, no CAP_SYS_RESOURCE) and crun on a hybrid cgroup layout, each with the fix; and
// crio-config.applied's comparison with CRI-O's GET /config.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "doctor/check.h"
#include "doctor/checks_crio_config.h"
#include "doctor/runner.h"
#include "host/process_limits.h"
#include "host_tree.h"
#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using edgecrew::testing::finding_of;
using edgecrew::testing::finding_text;
using edgecrew::testing::HostTree;
using ::testing::HasSubstr;

// A host like the test machines: hard nofile 20000, nproc 96367, kernel.pid_max 32768, root
// without CAP_SYS_RESOURCE.
void tight_host(const HostTree& t, const std::string& caps = "000001fffeffffff",
                const std::string& uid = "0") {
  t.file("/proc/self/limits",
         "Limit                     Soft Limit           Hard Limit           Units     \n"
         "Max processes             96367                96367                processes \n"
         "Max open files            20000                20000                files     \n");
  t.file("/proc/self/status",
         "Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\nCapEff:\t" + caps + "\n");
  t.file("/proc/sys/kernel/pid_max", "32768\n");
}

Report run(const HostTree& t, std::map<std::string, std::string> env = {}) {
  Inputs in;
  in.root = t.root;
  in.environment = std::move(env);
  return run_checks(catalogue(), std::make_shared<Facts>(in), {{"runtime"}, {}, {}});
}

TEST(DoctorRuntime, PodmansDefaultLimitsAboveTheHardLimitFailEveryStart) {
  HostTree t;
  tight_host(t);
  const auto& f = finding_of(run(t), "runtime.ulimits");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary,
              HasSubstr("every container Podman starts fails here: it asks for nofile 1048576 > "
                        "20000 (`error setting rlimit type 7: operation not permitted`)"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("[containers]\ndefault_ulimits = [\"nofile=20000:20000\", "
                                       "\"nproc=32768:32768\"]"));
  EXPECT_THAT(finding_text(f), HasSubstr("CAP_SYS_RESOURCE: no"));
  // pid_max is what containers.conf's own default asks for nproc: within the limit.
  EXPECT_THAT(finding_text(f), HasSubstr("Podman asks for nproc 32768"));
}

TEST(DoctorRuntime, DefaultUlimitsWithoutNprocStillFail) {
  HostTree t;
  tight_host(t);
  t.file("/etc/containers/containers.conf",
         "[containers]\ndefault_ulimits = [\"nofile=1024:1024\"]\n");
  const auto& f = finding_of(run(t), "runtime.ulimits");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("nproc 1048576 > 32768 (`error setting rlimit type 6"));
  t.file("/etc/containers/containers.conf",
         "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n");
  const auto& ok = finding_of(run(t), "runtime.ulimits");
  EXPECT_EQ(ok.outcome.verdict, Verdict::pass) << finding_text(ok);
  // CONTAINERS_CONF replaces every other file, as Podman reads it.
  t.file("/tmp/test.conf", "[engine]\nruntime = \"runc\"\n");
  const auto& env = finding_of(run(t, {{"CONTAINERS_CONF", "/tmp/test.conf"}}), "runtime.ulimits");
  EXPECT_EQ(env.outcome.verdict, Verdict::fail) << finding_text(env);
}

TEST(DoctorRuntime, CapSysResourceOrRootlessPodmanIsFine) {
  HostTree caps;
  tight_host(caps, "000001ffffffffff");
  EXPECT_EQ(finding_of(run(caps), "runtime.ulimits").outcome.verdict, Verdict::pass);
  HostTree rootless;
  tight_host(rootless, "0000000000000000", "1000");
  const auto& f = finding_of(run(rootless), "runtime.ulimits");
  EXPECT_EQ(f.outcome.verdict, Verdict::pass) << finding_text(f);
  EXPECT_THAT(finding_text(f), HasSubstr("rootless"));
}

TEST(DoctorRuntime, CriosDefaultUlimitsAboveTheHardLimit) {
  HostTree t;
  tight_host(t);
  t.file("/etc/containers/containers.conf",
         "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n");
  t.file("/etc/crio/crio.conf.d/20-limits.conf",
         "[crio.runtime]\ndefault_ulimits = [\"nofile=1048576:1048576\"]\n");
  const auto& f = finding_of(run(t), "runtime.ulimits");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("every container CRI-O starts fails"));
  EXPECT_THAT(f.outcome.summary,
              HasSubstr("nofile 1048576 > 20000 (/etc/crio/crio.conf.d/20-limits.conf:2)"));
}

TEST(DoctorRuntime, CrunOnAHybridLayoutWithControllersFails) {
  HostTree t;
  t.file("/proc/self/mountinfo",
         "26 25 0:24 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
         "27 26 0:25 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  t.file("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
  t.binary("/usr/bin/crun").binary("/usr/sbin/runc");
  const auto& f = finding_of(run(t), "runtime.oci-cgroups");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("Podman runs crun, which refuses this hybrid cgroup"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("runtime = \"runc\""));
  t.file("/etc/containers/containers.conf", "[engine]\nruntime = \"runc\"\n");
  const auto& runc = finding_of(run(t), "runtime.oci-cgroups");
  EXPECT_EQ(runc.outcome.verdict, Verdict::pass) << finding_text(runc);
  EXPECT_EQ(runc.outcome.summary, "runc on hybrid cgroups");
  // No controller in the cgroup2 hierarchy: crun runs.
  t.file("/sys/fs/cgroup/unified/cgroup.controllers", "\n");
  t.file("/etc/containers/containers.conf", "[engine]\n");
  EXPECT_EQ(finding_of(run(t), "runtime.oci-cgroups").outcome.verdict, Verdict::pass);
}

// This machine as it is: the check's verdict follows from its own limits.
TEST(DoctorRuntime, TheRealHost) {
  auto limits = host::read_process_limits("/", "self");
  ASSERT_TRUE(limits.ok());
  Inputs in = default_inputs("/", {{"CONTAINERS_CONF", "/nonexistent/containers.conf"}});
  in.start_podman_service = false;
  auto r = run_checks(catalogue(), std::make_shared<Facts>(in), {{"runtime"}, {}, {}});
  const auto& f = finding_of(r, "runtime.ulimits");
  const bool trapped =
      limits->uid == 0 && !limits->cap_sys_resource.value_or(true) && limits->nofile.hard < 1048576;
  EXPECT_EQ(f.outcome.verdict, trapped ? Verdict::fail : Verdict::pass) << finding_text(f);
  if (trapped) {
    EXPECT_THAT(f.outcome.summary, HasSubstr("`error setting rlimit type 7"));
    EXPECT_THAT(f.outcome.fix, HasSubstr(fmt::format("\"nofile={}:{}\"", limits->nofile.hard,
                                                     limits->nofile.hard)));
  }
}

host::CrioConfig crio(const std::string& text, const std::string& file) {
  host::CrioConfig c;
  host::apply_crio_config_text(c, text, file);
  return c;
}

TEST(DoctorCrioApplied, EditedButNotAppliedNamesTheKeysAndHowToApply) {
  auto files = crio(
      "[crio.runtime]\nlog_level = \"debug\"\n[crio.runtime.runtimes.nvidia]\n"
      "runtime_path = \"/usr/bin/nvidia-container-runtime\"\n",
      "/etc/crio/crio.conf.d/99-nvidia.toml");
  auto running = crio(
      "[crio.runtime]\nlog_level = \"info\"\ncgroup_manager = \"systemd\"\n"
      "[crio.runtime.runtimes.nvidia]\n"
      "runtime_path = \"/usr/bin/nvidia-container-runtime\"\n",
      "GET /config");
  auto o = compare_applied(files, running);
  EXPECT_EQ(o.verdict, Verdict::warn);
  EXPECT_THAT(o.summary, HasSubstr("crio.runtime.log_level"));
  EXPECT_THAT(o.evidence.front(),
              HasSubstr("the files say debug (/etc/crio/crio.conf.d/99-nvidia.toml:2), CRI-O runs "
                        "with info"));
  EXPECT_THAT(o.fix, HasSubstr("systemctl reload crio"));  // log_level is re-read on SIGHUP
  files = crio("[crio.runtime]\ncgroup_manager = \"cgroupfs\"\n", "/etc/crio/crio.conf");
  EXPECT_THAT(compare_applied(files, running).fix, HasSubstr("systemctl restart crio"));
  files = crio("[crio.runtime]\nlog_level = \"info\"\n", "/etc/crio/crio.conf");
  auto same = compare_applied(files, running);
  EXPECT_EQ(same.verdict, Verdict::pass);
  EXPECT_EQ(same.summary, "the running CRI-O uses the files' 1 value (GET /config)");
}

}  // namespace
}  // namespace edgecrew::doctor
