// The Redis probe against a REAL redis-server (started per test on a free loopback port): every
// password mismatch has its own failure and a sentence that explains it; refusals and silence
// read as such; no summary holds a password. Only the silent server is a fixture.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/redis_server.h"
#include "fixtures/socket_server.h"
#include "probe/probe.h"
#include "probe/redis_url.h"

namespace edgecrew::probe {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::RedisServer;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string k_password = "s3cret-Redis-pw";

stack::Probe redis_probe(const std::string& url) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::redis;
  p.url = url;
  return p;
}

std::string label(const RedisServer& server) {
  return "redis 127.0.0.1:" + std::to_string(server.port());
}

TEST(RedisProbe, ReadyWithTheServersPassword) {
  RedisServer server(k_password);
  ASSERT_TRUE(server.running()) << server.error();
  auto result = run_probe(redis_probe(server.url_with_password(k_password) + "/0"), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.failure, ProbeFailure::none);
  EXPECT_EQ(result.summary, label(server) + ": PONG");
  EXPECT_LT(result.took, 2s);
}

TEST(RedisProbe, ReadyWithoutAPasswordWhenTheServerHasNone) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.error();
  auto result = run_probe(redis_probe(server.url()), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
}

TEST(RedisProbe, AWrongPasswordIsWrongPassword) {
  RedisServer server(k_password);
  ASSERT_TRUE(server.running()) << server.error();
  auto result = run_probe(redis_probe(server.url_with_password("not-the-password")), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::wrong_password);
  EXPECT_EQ(result.summary, label(server) +
                                ": WRONGPASS: the password in the probe URL does not match the "
                                "server's requirepass");
  EXPECT_THAT(result.summary, Not(HasSubstr("not-the-password")));
}

TEST(RedisProbe, AnUnknownUserIsWrongPasswordNamingTheUser) {
  RedisServer server(k_password);
  ASSERT_TRUE(server.running()) << server.error();
  auto url = "redis://app:" + k_password + "@127.0.0.1:" + std::to_string(server.port());
  auto result = run_probe(redis_probe(url), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::wrong_password);
  EXPECT_THAT(result.summary, HasSubstr("refused user \"app\""));
  EXPECT_THAT(result.summary, Not(HasSubstr(k_password)));
}

TEST(RedisProbe, NoPasswordAgainstAServerWithOneIsAuthRequired) {
  RedisServer server(k_password);
  ASSERT_TRUE(server.running()) << server.error();
  auto result = run_probe(redis_probe(server.url()), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::auth_required);
  EXPECT_EQ(result.summary, label(server) +
                                ": NOAUTH: the server requires a password, but the probe URL has "
                                "none (it goes between \"redis://:\" and \"@host\")");
}

TEST(RedisProbe, APasswordAgainstAServerWithoutOneIsExplainedInWords) {
  RedisServer server;
  ASSERT_TRUE(server.running()) << server.error();
  auto result = run_probe(redis_probe(server.url_with_password(k_password)), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::no_password_configured);
  EXPECT_THAT(result.summary, HasSubstr("the probe URL carries a password, but the server has none "
                                        "configured (no requirepass)"));
  EXPECT_THAT(result.summary, HasSubstr("--requirepass"));
  EXPECT_THAT(result.summary, Not(HasSubstr(k_password)));
}

TEST(RedisProbe, SelectsTheDatabaseInTheUrl) {
  RedisServer server(k_password);
  ASSERT_TRUE(server.running()) << server.error();
  EXPECT_TRUE(run_probe(redis_probe(server.url_with_password(k_password) + "/3"), 2s).ready);
  auto result = run_probe(redis_probe(server.url_with_password(k_password) + "/99"), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::protocol);
  EXPECT_THAT(result.summary, HasSubstr("SELECT 99 failed: ERR DB index is out of range"));
}

TEST(RedisProbe, NothingListeningIsRefused) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto port = std::to_string(not_listening.port());
  auto result = run_probe(redis_probe("redis://:" + k_password + "@127.0.0.1:" + port), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::refused);
  EXPECT_EQ(result.summary, "redis 127.0.0.1:" + port + ": connection refused by 127.0.0.1:" +
                                port + ": nothing listens there");
}

// Fixture: a socket that accepts and never answers.
TEST(RedisProbe, ASilentServerTimesOutWithinTheTimeout) {
  SocketServer silent(edgecrew::testing::stall);
  auto port = std::to_string(silent.port());
  auto start = std::chrono::steady_clock::now();
  auto result = run_probe(redis_probe("redis://:" + k_password + "@127.0.0.1:" + port), 300ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.failure, ProbeFailure::timeout);
  EXPECT_THAT(result.summary, ::testing::MatchesRegex("redis 127.0.0.1:[0-9]+: timed out after "
                                                      "[0-9]+ ms waiting for the reply to AUTH"));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 800ms);
  EXPECT_THAT(result.summary, Not(HasSubstr(k_password)));
}

TEST(RedisProbe, TlsUrlsAreRefusedWithWhatToUseInstead) {
  auto result = run_probe(redis_probe("rediss://:" + k_password + "@127.0.0.1:6380"), 1s);
  EXPECT_EQ(result.failure, ProbeFailure::misconfigured);
  EXPECT_EQ(result.summary,
            "redis: rediss://:********@127.0.0.1:6380: TLS (rediss://) is not supported by the "
            "Redis probe; probe the plain port with redis://");
}

TEST(RedisProbeUrl, ParsesUserPasswordHostPortAndDatabase) {
  auto t = parse_redis_url("redis://app:pw%3Awith%40@redis.local:6380/2");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->user, "app");
  EXPECT_EQ(t->password, "pw:with@");
  EXPECT_TRUE(t->has_password);
  EXPECT_EQ(t->host, "redis.local");
  EXPECT_EQ(t->port, 6380);
  EXPECT_EQ(t->db, 2);

  auto plain = parse_redis_url("redis://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, k_redis_default_port);
  EXPECT_FALSE(plain->has_password);
  EXPECT_EQ(plain->db, 0);
}

TEST(RedisProbeUrl, RejectsOtherSchemesAndBadDatabases) {
  EXPECT_EQ(parse_redis_url("unix:///run/redis.sock").error().message,
            "invalid URL \"unix:///run/redis.sock\": no host");
  EXPECT_EQ(parse_redis_url("http://h:1").error().message,
            "http://h:1: expected a redis:// URL (unix sockets are not supported)");
  EXPECT_EQ(parse_redis_url("redis://:pw@h:1/x").error().message,
            "redis://:********@h:1/x: the database \"x\" is not a number");
}

}  // namespace
}  // namespace edgecrew::probe
