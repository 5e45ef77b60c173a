// The doctor's rootless checks (section "runtime") on host trees: skipped as root; for a non-root
// user, the subordinate id ranges, newuidmap/newgidmap, low ports against
// ip_unprivileged_port_start, and the cgroup controllers delegated to the user, each with its fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "doctor/check.h"
#include "doctor/runner.h"
#include "host_tree.h"
#include "stack_test_support.h"
#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using edgecrew::testing::finding_of;
using edgecrew::testing::finding_text;
using edgecrew::testing::HostTree;
using ::testing::HasSubstr;

// A host where edgecrew runs as `uid` ("alice" when 1000), with the same limits file as
// /proc/self/limits has everywhere.
void as_user(const HostTree& t, const std::string& uid) {
  t.file("/proc/self/limits",
         "Limit                     Soft Limit           Hard Limit           Units     \n"
         "Max open files            1024                 20000                files     \n");
  t.file("/proc/self/status", "Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\n");
  t.file("/etc/passwd", "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
}

Report run(const HostTree& t, const std::string& stack_text = "") {
  Inputs in;
  in.root = t.root;
  if (!stack_text.empty()) {
    in.stack = std::make_shared<const stack::Stack>(stack::test::load_ok(stack_text));
  }
  return run_checks(catalogue(), std::make_shared<Facts>(in), {{"runtime"}, {}, {}});
}

TEST(DoctorRootless, AsRootEveryCheckIsSkipped) {
  HostTree t;
  as_user(t, "0");
  Report r = run(t);
  for (const char* id : {"runtime.rootless-ids", "runtime.rootless-helpers",
                         "runtime.rootless-ports", "runtime.rootless-cgroups"}) {
    const auto f = finding_of(r, id);
    EXPECT_EQ(f.outcome.verdict, Verdict::skip) << id;
    EXPECT_EQ(f.outcome.summary, "edgecrew runs as root: Podman is not rootless") << id;
  }
}

TEST(DoctorRootless, SubordinateIdRanges) {
  HostTree t;
  as_user(t, "1000");
  auto f = finding_of(run(t), "runtime.rootless-ids");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary,
              HasSubstr("alice (uid 1000) has fewer than 65536 subordinate ids in /etc/subuid (0 "
                        "ids), /etc/subgid (0 ids)"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("usermod --add-subuids 100000-165535 --add-subgids "
                                       "100000-165535 alice"));
  // By name in subuid, by uid in subgid; another user's range does not count.
  t.file("/etc/subuid", "bob:100000:65536\nalice:165536:65536\n");
  t.file("/etc/subgid", "1000:165536:1000\n");
  f = finding_of(run(t), "runtime.rootless-ids");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("in /etc/subgid (1000 ids)"));
  EXPECT_THAT(finding_text(f), HasSubstr("/etc/subuid:2: 65536 ids from 165536"));
  t.file("/etc/subgid", "1000:165536:65536\n");
  f = finding_of(run(t), "runtime.rootless-ids");
  EXPECT_EQ(f.outcome.verdict, Verdict::pass) << finding_text(f);
}

TEST(DoctorRootless, IdMapHelpers) {
  HostTree t;
  as_user(t, "1000");
  auto f = finding_of(run(t), "runtime.rootless-helpers");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("newuidmap and newgidmap missing"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("apt-get install uidmap"));
  // Present but plain executables (a fixture's files are not root's, nor setuid).
  t.binary("/usr/bin/newuidmap").binary("/usr/bin/newgidmap");
  f = finding_of(run(t), "runtime.rootless-helpers");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("/usr/bin/newuidmap and /usr/bin/newgidmap cannot "
                                           "write a namespace's maps"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("chmod u+s /usr/bin/newuidmap /usr/bin/newgidmap"));
  if (::geteuid() == 0) {  // only root makes a file setuid root
    for (const char* p : {"usr/bin/newuidmap", "usr/bin/newgidmap"}) {
      ASSERT_EQ(::chmod((t.root / p).c_str(), 04755), 0);
    }
    f = finding_of(run(t), "runtime.rootless-helpers");
    EXPECT_EQ(f.outcome.verdict, Verdict::pass) << finding_text(f);
    EXPECT_THAT(finding_text(f), HasSubstr("/usr/bin/newuidmap: setuid root"));
  }
}

TEST(DoctorRootless, PortsBelowTheUnprivilegedStart) {
  HostTree t;
  as_user(t, "1000");
  t.file("/proc/sys/net/ipv4/ip_unprivileged_port_start", "1024\n");
  const std::string stack =
      "services:\n"
      "  web: {image: x, ports: [\"80:8080\", \"8443:443\"]}\n"
      "  dns: {image: x, network_mode: host, ports: [\"53:53/udp\"]}\n"
      "  ok: {image: x, ports: [\"9000:90\", \"100\"]}\n";
  auto f = finding_of(run(t, stack), "runtime.rootless-ports");
  EXPECT_EQ(f.outcome.verdict, Verdict::fail) << finding_text(f);
  EXPECT_THAT(f.outcome.summary,
              HasSubstr("the stack binds ports below 1024, which a rootless user may not: dns "
                        "53/udp, web 80/tcp"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("sysctl -w net.ipv4.ip_unprivileged_port_start=80"));
  t.file("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0\n");
  EXPECT_EQ(finding_of(run(t, stack), "runtime.rootless-ports").outcome.verdict, Verdict::pass);
  EXPECT_EQ(finding_of(run(t), "runtime.rootless-ports").outcome.verdict, Verdict::pass);
}

TEST(DoctorRootless, CgroupDelegationForLimits) {
  HostTree t;
  as_user(t, "1000");
  const std::string limited = "services:\n  a: {image: x, cpus: 1.5, mem_limit: 1g}\n";
  // cgroup v1 / hybrid: no cgroup.controllers at the top.
  auto f = finding_of(run(t, limited), "runtime.rootless-cgroups");
  EXPECT_EQ(f.outcome.verdict, Verdict::warn) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("cgroup v1: rootless Podman applies no cpus or "
                                           "mem_limit"));
  EXPECT_EQ(finding_of(run(t), "runtime.rootless-cgroups").outcome.verdict, Verdict::pass);

  t.file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
  t.file("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/cgroup.controllers",
         "memory pids\n");
  f = finding_of(run(t, limited), "runtime.rootless-cgroups");
  EXPECT_EQ(f.outcome.verdict, Verdict::warn) << finding_text(f);
  EXPECT_THAT(f.outcome.summary, HasSubstr("the cpu controller is not delegated to alice (uid "
                                           "1000): rootless Podman cannot apply the stack's "
                                           "limits"));
  EXPECT_THAT(f.outcome.fix, HasSubstr("Delegate=cpu cpuset io memory pids"));
  t.file("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/cgroup.controllers",
         "cpu memory pids\n");
  EXPECT_EQ(finding_of(run(t, limited), "runtime.rootless-cgroups").outcome.verdict, Verdict::pass);
}

}  // namespace
}  // namespace edgecrew::doctor
