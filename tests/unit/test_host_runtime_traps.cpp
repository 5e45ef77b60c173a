// The host traps that stop every container: the limits a process runs under, the cgroup layout,
// Podman's OCI runtime, and the runtime's own words for each trap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "host/containers_conf.h"
#include "host/process_limits.h"
#include "host/runtime_traps.h"
#include "host_tree.h"

namespace edgecrew::host {
namespace {

using edgecrew::testing::HostTree;
using ::testing::HasSubstr;

constexpr const char* k_limits =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max processes             96367                96367                processes \n"
    "Max open files            1024                 20000                files     \n";

TEST(ProcessLimits, ReadsNofileNprocAndCapSysResource) {
  auto l = parse_limits_text(k_limits, "Uid:\t0\t0\t0\t0\nCapEff:\t000001fffeffffff\n", "x");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(l->nofile.soft, 1024U);
  EXPECT_EQ(l->nofile.hard, 20000U);
  EXPECT_EQ(l->nproc.hard, 96367U);
  EXPECT_EQ(l->uid, 0U);
  ASSERT_TRUE(l->cap_sys_resource.has_value());
  EXPECT_FALSE(*l->cap_sys_resource);  // bit 24 cleared
  auto full =
      parse_limits_text(k_limits, "Uid:\t1000\t1000\t1000\t1000\nCapEff:\t000001ffffffffff\n", "x");
  EXPECT_TRUE(*full->cap_sys_resource);
  EXPECT_EQ(full->uid, 1000U);
  auto unlimited = parse_limits_text(
      "Max open files            unlimited            unlimited            files\n", "", "x");
  EXPECT_EQ(unlimited->nofile.hard, k_unlimited);
  EXPECT_FALSE(unlimited->cap_sys_resource.has_value());
  EXPECT_FALSE(parse_limits_text("Max cpu time  unlimited  unlimited  seconds\n", "", "x").ok());
}

TEST(ProcessLimits, ThisProcessHasLimits) {
  auto l = read_process_limits("/", "self");
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_GT(l->nofile.hard, 0U);
  EXPECT_GE(l->nofile.hard, l->nofile.soft);
  EXPECT_TRUE(l->cap_sys_resource.has_value());
}

TEST(RuntimeTraps, TheRuntimesOwnWordsNameTheCheck) {
  auto runc = known_trap(
      "start failed: crun: OCI runtime error: runc: runc create failed: unable to start container "
      "process: error during container init: error setting rlimits for ready process: error "
      "setting rlimit type 7: operation not permitted: OCI permission denied");
  ASSERT_TRUE(runc.has_value());
  EXPECT_EQ(runc->check_id, k_trap_ulimits);
  EXPECT_THAT(runc->fix, HasSubstr("default_ulimits"));
  auto crun = known_trap(
      "crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI "
      "permission denied");
  ASSERT_TRUE(crun.has_value());
  EXPECT_EQ(crun->check_id, k_trap_ulimits);
  auto hybrid = known_trap(
      "crun: cgroups in hybrid mode not supported, drop all controllers from "
      "cgroupv2: OCI runtime error");
  ASSERT_TRUE(hybrid.has_value());
  EXPECT_EQ(hybrid->check_id, k_trap_oci_cgroups);
  EXPECT_THAT(hybrid->fix, HasSubstr("runtime = \"runc\""));
  EXPECT_FALSE(known_trap("no such image: localhost/x:1").has_value());
  EXPECT_FALSE(known_trap("setrlimit went fine").has_value());
}

TEST(CgroupLayout, FromMountinfo) {
  HostTree t;
  t.file("/proc/self/mountinfo",
         "25 22 0:23 / /sys rw - sysfs sysfs rw\n"
         "26 25 0:24 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
         "27 26 0:25 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
         "28 26 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  t.file("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
  auto hybrid = read_cgroup_facts(t.root);
  EXPECT_EQ(hybrid.layout, CgroupLayout::hybrid);
  EXPECT_EQ(hybrid.unified_controllers, "hugetlb");
  EXPECT_EQ(hybrid.evidence,
            "/sys/fs/cgroup tmpfs, /sys/fs/cgroup/unified cgroup2 (controllers: hugetlb)");
  t.file("/proc/self/mountinfo", "26 25 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  EXPECT_EQ(read_cgroup_facts(t.root).layout, CgroupLayout::unified);
  t.file("/proc/self/mountinfo",
         "26 25 0:24 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
         "28 26 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  EXPECT_EQ(read_cgroup_facts(t.root).layout, CgroupLayout::legacy);
  HostTree none;
  EXPECT_EQ(read_cgroup_facts(none.root).layout, CgroupLayout::unknown);
}

TEST(PodmanOciRuntime, ContainersConfThenCrunThenRunc) {
  HostTree t;
  t.binary("/usr/sbin/runc");
  ContainersConf conf;
  auto runc = podman_oci_runtime(t.root, conf);
  EXPECT_EQ(runc.name, "runc");
  EXPECT_EQ(runc.path, "/usr/sbin/runc");
  t.binary("/usr/bin/crun");
  EXPECT_EQ(podman_oci_runtime(t.root, conf).name, "crun");
  t.file("/etc/containers/containers.conf", "[engine]\nruntime = \"runc\"\n");
  conf = read_containers_conf(t.root, {});
  auto chosen = podman_oci_runtime(t.root, conf);
  EXPECT_EQ(chosen.name, "runc");
  EXPECT_EQ(chosen.source, "containers.conf /etc/containers/containers.conf:2");
}

TEST(ContainersConf, FilesInPodmansOrderAndCONTAINERS_CONFAlone) {
  HostTree t;
  t.file("/usr/share/containers/containers.conf",
         "[containers]\ndefault_ulimits = [\"nofile=1:1\"]\n[engine]\nruntime = \"crun\"\n");
  t.file("/etc/containers/containers.conf", "[containers]\ndefault_ulimits = [\"nofile=2:2\"]\n");
  t.file("/etc/containers/containers.conf.d/10-x.conf", "[engine]\nruntime = \"runc\"\n");
  auto conf = read_containers_conf(t.root, {});
  EXPECT_EQ(conf.files.size(), 3U);
  EXPECT_EQ(conf.default_ulimits->value, std::vector<std::string>{"nofile=2:2"});
  EXPECT_EQ(conf.runtime->value, "runc");
  t.file("/tmp/mine.conf", "[containers]\nlog_driver = \"k8s-file\"\n");
  auto only = read_containers_conf(t.root, {{"CONTAINERS_CONF", "/tmp/mine.conf"}});
  EXPECT_EQ(only.files, std::vector<std::string>{"/tmp/mine.conf"});
  EXPECT_FALSE(only.default_ulimits.has_value());
  EXPECT_FALSE(only.runtime.has_value());
}

}  // namespace
}  // namespace edgecrew::host
