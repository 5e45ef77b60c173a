// Waiting for the first success: readiness is noticed within 100 ms of a FIXTURE becoming ready
// (refusing, or answering 503, until then), a permanent failure ends the wait at once, the wait
// gives up after start_period + retries x interval, and it stops when cancelled.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "fixtures/http_fixture.h"
#include "fixtures/vllm_fixture.h"
#include "probe/poll.h"

namespace edgecrew::probe {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using edgecrew::testing::FixtureRequest;
using edgecrew::testing::FixtureResponse;
using edgecrew::testing::HttpFixture;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// The promise made to the user: "ready" is seen this soon after it happens.
constexpr auto k_notice_within = 100ms;
constexpr auto k_becomes_ready_after = 300ms;

stack::Probe http_probe(const std::string& url) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::http;
  p.url = url;
  return p;
}

stack::Probe tcp_probe(std::uint16_t port) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::tcp;
  p.host = "127.0.0.1";
  p.port = port;
  return p;
}

TEST(PollProbe, NoticesAnHttpServiceWithin100msOfItBecomingReady) {
  HttpFixture http;
  auto ready_at = Clock::now() + k_becomes_ready_after;
  http.route("GET", "/health", [ready_at](const FixtureRequest&) {
    return FixtureResponse{Clock::now() >= ready_at ? 200 : 503, {}, ""};
  });
  // A Compose-like 30 s interval must not delay noticing readiness.
  auto result = poll_probe(http_probe(http.url("/health")), {.interval = 30s, .timeout = 1s});
  auto noticed = Clock::now();
  ASSERT_TRUE(result.ready) << result.summary;
  EXPECT_LT(noticed - ready_at, k_notice_within);
  EXPECT_GE(result.took, k_becomes_ready_after - 10ms);
  EXPECT_GT(http.requests().size(), 2u);
}

TEST(PollProbe, NoticesAPortStartingToListenWithin100ms) {
  SocketServer server(edgecrew::testing::stall, /*listen_now=*/false);
  Clock::time_point listening_at;
  std::thread starter([&] {
    std::this_thread::sleep_for(k_becomes_ready_after);
    listening_at = Clock::now();
    server.listen();
  });
  auto result = poll_probe(tcp_probe(server.port()), {.interval = 5s, .timeout = 1s});
  auto noticed = Clock::now();
  starter.join();
  ASSERT_TRUE(result.ready) << result.summary;
  EXPECT_LT(noticed - listening_at, k_notice_within);
}

TEST(PollProbe, APermanentFailureEndsTheWaitAtOnce) {
  edgecrew::testing::VllmFixture vllm;
  stack::Probe p;
  p.kind = stack::Probe::Kind::openai;
  p.url = vllm.base_url();
  p.model = "not-served";
  auto result = poll_probe(p, {.interval = 1s, .timeout = 1s, .retries = 30});
  EXPECT_EQ(result.failure, ProbeFailure::model_missing);
  EXPECT_LT(result.took, 1s);
  EXPECT_EQ(vllm.http.requests().size(), 2u);  // one attempt: /health and /v1/models
}

TEST(PollProbe, GivesUpAfterStartPeriodPlusRetriesTimesInterval) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto result = poll_probe(tcp_probe(not_listening.port()),
                           {.interval = 100ms, .timeout = 1s, .start_period = 200ms, .retries = 2});
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::refused);
  EXPECT_GE(result.took, 400ms);
  EXPECT_LT(result.took, 700ms);
  EXPECT_THAT(result.summary,
              MatchesRegex(".*nothing listens there \\(still not ready after 0\\.[45] s, [0-9]+ "
                           "attempts\\)"));
}

TEST(PollProbe, ALongStartPeriodIsWaitedOutOnTheCallersClock) {
  // vLLM's case: minutes of start_period. On a virtual clock the wait takes no real time, and
  // it lasts exactly start_period + retries x interval of that clock.
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  Clock::time_point virtual_now{};
  auto real_start = Clock::now();
  auto result = poll_probe(tcp_probe(not_listening.port()),
                           {.interval = 10s,
                            .timeout = 1s,
                            .start_period = 2min,
                            .retries = 3,
                            .now = [&] { return virtual_now; },
                            .sleep_for = [&](std::chrono::milliseconds d) { virtual_now += d; }});
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.took, 150s);
  EXPECT_LT(Clock::now() - real_start, 10s);
}

TEST(PollProbe, StopsWhenCancelled) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto cancel_at = Clock::now() + 150ms;
  auto result = poll_probe(tcp_probe(not_listening.port()), {.interval = 10s, .retries = 3},
                           [&] { return Clock::now() >= cancel_at; });
  EXPECT_FALSE(result.ready);
  EXPECT_GE(result.took, 150ms);
  EXPECT_LT(result.took, 400ms);
  EXPECT_THAT(result.summary, HasSubstr("(cancelled after 0."));
}

TEST(PollProbe, AShortIntervalIsThePollingPeriod) {
  HttpFixture http;
  http.route("GET", "/", [](const FixtureRequest&) { return FixtureResponse{503, {}, ""}; });
  auto result =
      poll_probe(http_probe(http.url("/")), {.interval = 10ms, .timeout = 1s, .retries = 20});
  EXPECT_EQ(result.failure, ProbeFailure::http_status);
  // 200 ms of 10 ms periods: far more attempts than the 50 ms ceiling would allow.
  EXPECT_GT(http.requests().size(), 6u);
}

}  // namespace
}  // namespace edgecrew::probe
