// The doctor's runner (parallel, timeouts, --ignore/--only) and its reports: golden text and JSON
// for the fixture host gpu-host, with NVML and the Podman version as fixtures.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "doctor/report.h"
#include "golden.h"
#include "test_doctor_fixture.h"

namespace edgecrew::doctor {
namespace {

using namespace std::chrono_literals;
using testing::finding;

Report golden_report(const testing::FixtureHost& host) {
  auto in = host.inputs();
  in.nvml = [] {
    host::NvmlReport r{"libnvidia-ml.so.1", "550.54.14", "12.4", {}};
    for (int i = 0; i < 2; ++i) {
      r.gpus.push_back(
          {"NVIDIA H200", "GPU-fixture-" + std::to_string(i), std::uint64_t{143771} << 20});
    }
    return Result<host::NvmlReport>(r);
  };
  in.podman_version = [] { return std::optional<std::string>("4.3.1"); };
  auto report = host.run(in);
  // Durations vary from run to run; the golden files hold zeros.
  report.duration = 0ms;
  for (auto& f : report.findings) f.duration = 0ms;
  report.root = "/";
  return report;
}

TEST(DoctorReport, GoldenTextAndJsonForTheFixtureGpuHost) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto report = golden_report(host);
  expect_golden("doctor/gpu-host.txt", report_text(report));
  expect_golden("doctor/gpu-host-verbose.txt", report_text(report, {true, false}));
  expect_golden("doctor/gpu-host.json", report_json(report));
}

TEST(DoctorReport, JsonHasTheDocumentedShape) {
  EDGECREW_FIXTURE_HOST(host, "gpu-host");
  auto doc = nlohmann::json::parse(report_json(golden_report(host)));
  EXPECT_EQ(doc["schema"], "edgecrew.doctor/v1");
  EXPECT_EQ(doc["status"], "fail");  // Podman 4.3.1 vs a 0.5.0 spec
  int total = 0;
  for (const char* k : {"pass", "warn", "fail", "skip"}) total += doc["counts"][k].get<int>();
  ASSERT_EQ(total, static_cast<int>(doc["checks"].size()));
  for (const auto& c : doc["checks"]) {
    for (const char* k :
         {"id", "section", "status", "summary", "evidence", "fix", "duration_ms", "ignored"}) {
      EXPECT_TRUE(c.contains(k)) << c.dump() << " has no " << k;
    }
    EXPECT_TRUE(c["id"].get<std::string>().starts_with(c["section"].get<std::string>() + "."));
    EXPECT_TRUE(c["summary"].is_string() && c["fix"].is_string() && c["evidence"].is_array());
    EXPECT_TRUE(c["duration_ms"].is_number_integer() && c["ignored"].is_boolean());
    for (const auto& e : c["evidence"]) EXPECT_TRUE(e.is_string());
    std::string status = c["status"];
    EXPECT_TRUE(status == "pass" || status == "warn" || status == "fail" || status == "skip")
        << status;
  }
}

Check sleeper(const std::string& id, std::chrono::milliseconds sleep,
              std::chrono::milliseconds timeout, Verdict v = Verdict::pass) {
  return {id, id.substr(0, id.find('.')), "sleeps",
          [sleep, v](const Facts&) {
            std::this_thread::sleep_for(sleep);
            return Outcome{v, "slept", {}, {}};
          },
          timeout};
}

TEST(DoctorRunner, ChecksRunInParallelAndKeepCatalogueOrder) {
  std::vector<Check> checks;
  for (int i = 0; i < 6; ++i)
    checks.push_back(sleeper("gpu.c" + std::to_string(i), 300ms - i * 40ms, 5s));
  auto facts = std::make_shared<Facts>(Inputs{});
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_checks(checks, facts, {});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, 900ms) << "six 100-300 ms checks must not run one after another";
  ASSERT_EQ(r.findings.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r.findings[i].id, "gpu.c" + std::to_string(i));
}

TEST(DoctorRunner, ASlowCheckTimesOutAndAThrowingCheckFails) {
  std::vector<Check> checks = {sleeper("cdi.slow", 2s, 100ms)};
  checks.push_back({"cdi.throws", "cdi", "throws",
                    [](const Facts&) -> Outcome { throw std::runtime_error("boom"); }});
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_checks(checks, std::make_shared<Facts>(Inputs{}), {});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(finding(r, "cdi.slow").outcome.verdict, Verdict::fail);
  EXPECT_EQ(finding(r, "cdi.slow").outcome.summary, "timed out after 100 ms (sleeps)");
  EXPECT_EQ(finding(r, "cdi.throws").outcome.summary, "the check itself failed: boom");
  EXPECT_TRUE(r.failed());
}

TEST(DoctorRunner, IgnoreTurnsAFailureIntoAWarningAndOnlySelectsSections) {
  std::vector<Check> checks = {sleeper("gpu.bad", 0ms, 1s, Verdict::fail),
                               sleeper("cdi.ok", 0ms, 1s)};
  auto facts = std::make_shared<Facts>(Inputs{});
  auto r = run_checks(checks, facts, {{}, {"gpu.bad"}});
  EXPECT_FALSE(r.failed());
  EXPECT_TRUE(finding(r, "gpu.bad").ignored);
  EXPECT_EQ(finding(r, "gpu.bad").outcome.verdict, Verdict::warn);
  r = run_checks(checks, facts, {{"cdi"}, {}});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].id, "cdi.ok");
  EXPECT_EQ(check_selection(checks, {{"gpx"}, {}}).error().message,
            "--only: no section \"gpx\"; did you mean \"gpu\"? (sections: gpu, cdi, cri, "
            "crio-config, runtime, "
            "storage, network, images, services, smoke)");
  EXPECT_EQ(check_selection(checks, {{}, {"gpu.bda"}}).error().message,
            "--ignore: no check \"gpu.bda\"; did you mean \"gpu.bad\"? (edgecrew doctor --json "
            "lists the ids)");
}

TEST(DoctorRunner, OptInChecksSkipWithoutTheirFlagAndSharedFactsAreComputedOnce) {
  struct CountedFact {
    int value;
  };
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto make = [calls](const Facts&) {
    std::this_thread::sleep_for(50ms);
    return CountedFact{++*calls};
  };
  std::vector<Check> checks;
  for (int i = 0; i < 4; ++i) {
    checks.push_back({"services.c" + std::to_string(i), "services", "uses a shared fact",
                      [make](const Facts& f) {
                        return pass(std::to_string(f.shared<CountedFact>(make).value));
                      }});
  }
  checks.push_back(sleeper("smoke.run", 0ms, 1s));
  checks.back().opt_in = "--smoke";
  auto facts = std::make_shared<Facts>(Inputs{});
  auto r = run_checks(checks, facts, {});
  EXPECT_EQ(calls->load(), 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.findings[i].outcome.summary, "1");
  EXPECT_EQ(finding(r, "smoke.run").outcome.verdict, Verdict::skip);
  EXPECT_EQ(finding(r, "smoke.run").outcome.summary, "not run without --smoke");
  r = run_checks(checks, facts, {{}, {}, {"--smoke"}});
  EXPECT_EQ(finding(r, "smoke.run").outcome.verdict, Verdict::pass);
}

TEST(DoctorCatalogue, IdsAreUniqueAndInSectionOrder) {
  auto all = catalogue();
  std::set<std::string> ids;
  std::size_t last = 0;
  for (const auto& c : all) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_TRUE(c.id.starts_with(c.section + ".")) << c.id;
    auto pos = std::find(section_order().begin(), section_order().end(), c.section) -
               section_order().begin();
    EXPECT_GE(static_cast<std::size_t>(pos), last) << c.id;
    last = pos;
  }
}

}  // namespace
}  // namespace edgecrew::doctor
