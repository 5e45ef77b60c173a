// The http and tcp probes against fixture servers, and which failures are permanent.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/http_fixture.h"
#include "probe/probe.h"

namespace edgecrew::probe {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::FixtureRequest;
using edgecrew::testing::FixtureResponse;
using edgecrew::testing::HttpFixture;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;
using ::testing::Not;

stack::Probe http_probe(const std::string& url, int status = 200) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::http;
  p.url = url;
  p.status = status;
  return p;
}

stack::Probe tcp_probe(const std::string& host, std::uint16_t port) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::tcp;
  p.host = host;
  p.port = port;
  return p;
}

TEST(HttpProbe, ReadyWhenTheStatusMatches) {
  HttpFixture http;
  http.route("GET", "/", [](const FixtureRequest&) { return FixtureResponse{200, {}, "<html>"}; });
  auto result = run_probe(http_probe(http.url("/")), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary, "http " + http.url("/") + ": HTTP 200");
}

TEST(HttpProbe, AnotherStatusIsHttpStatusWithTheStartOfTheBody) {
  HttpFixture http;
  http.route("GET", "/", [](const FixtureRequest&) {
    return FixtureResponse{503, {}, "Service Unavailable: loading\nmore detail"};
  });
  auto result = run_probe(http_probe(http.url("/")), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::http_status);
  EXPECT_EQ(result.summary, "http " + http.url("/") +
                                ": HTTP 503, expected 200 (\"Service Unavailable: loading\")");
}

TEST(HttpProbe, TheExpectedStatusCanBeAnother) {
  HttpFixture http;
  http.route("GET", "/gone", [](const FixtureRequest&) { return FixtureResponse{404, {}, ""}; });
  EXPECT_TRUE(run_probe(http_probe(http.url("/gone"), 404), 2s).ready);
  EXPECT_EQ(run_probe(http_probe(http.url("/gone"), 200), 2s).failure, ProbeFailure::http_status);
}

TEST(HttpProbe, RefusedAndTimeoutAreToldApart) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto refused =
      run_probe(http_probe("http://127.0.0.1:" + std::to_string(not_listening.port()) + "/"), 2s);
  EXPECT_EQ(refused.failure, ProbeFailure::refused);

  SocketServer silent(edgecrew::testing::stall);
  auto start = std::chrono::steady_clock::now();
  auto timeout =
      run_probe(http_probe("http://127.0.0.1:" + std::to_string(silent.port()) + "/"), 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 800ms);
  EXPECT_EQ(timeout.failure, ProbeFailure::timeout);
  EXPECT_THAT(timeout.summary, HasSubstr("ms waiting for the response to GET"));
  // curl's timer may fire within a millisecond of the budget, either side.
  EXPECT_GE(timeout.took, 290ms);
}

TEST(HttpProbe, TheUrlPasswordIsMasked) {
  HttpFixture http;
  http.route("GET", "/", [](const FixtureRequest&) { return FixtureResponse{500, {}, ""}; });
  std::string url = "http://admin:hunter2pw@127.0.0.1:" + std::to_string(http.port()) + "/";
  auto result = run_probe(http_probe(url), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::http_status);
  EXPECT_THAT(result.summary, Not(HasSubstr("hunter2pw")));
  EXPECT_THAT(result.summary, HasSubstr("http://admin:********@127.0.0.1:"));
}

TEST(TcpProbe, ReadyWhenAConnectionIsAccepted) {
  SocketServer server(edgecrew::testing::stall);
  auto result = run_probe(tcp_probe("127.0.0.1", server.port()), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary, "tcp 127.0.0.1:" + std::to_string(server.port()) + ": connected");
}

TEST(TcpProbe, RefusedWhenNothingListens) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto result = run_probe(tcp_probe("127.0.0.1", not_listening.port()), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::refused);
  EXPECT_THAT(result.summary, HasSubstr("connection refused"));
}

TEST(TcpProbe, MisconfiguredWithoutHostOrPort) {
  auto result = run_probe(tcp_probe("127.0.0.1", 0), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::misconfigured);
  EXPECT_EQ(result.summary, "tcp 127.0.0.1:0: the probe needs a host and a port");
}

TEST(ProbeFailures, PermanentAreThoseWaitingCannotFix) {
  for (auto f : {ProbeFailure::auth_required, ProbeFailure::wrong_password,
                 ProbeFailure::no_password_configured, ProbeFailure::unauthorized,
                 ProbeFailure::model_missing, ProbeFailure::misconfigured}) {
    EXPECT_TRUE(is_permanent(f)) << to_string(f);
  }
  for (auto f : {ProbeFailure::refused, ProbeFailure::timeout, ProbeFailure::unreachable,
                 ProbeFailure::http_status, ProbeFailure::protocol, ProbeFailure::rate_limited}) {
    EXPECT_FALSE(is_permanent(f)) << to_string(f);
  }
  EXPECT_STREQ(to_string(ProbeFailure::no_password_configured), "no_password_configured");
}

}  // namespace
}  // namespace edgecrew::probe
