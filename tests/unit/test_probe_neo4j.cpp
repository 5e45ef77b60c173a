// The Neo4j probe against FIXTURES speaking Neo4j 5's bytes (the discovery document, the
// transactional endpoint with Basic auth, the Bolt handshake): ready, a refused password, a rate
// limit, no common Bolt version, and the handshake's exact bytes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/neo4j_fixture.h"
#include "probe/bolt_handshake.h"
#include "probe/probe.h"

namespace edgecrew::probe {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::BoltFixture;
using edgecrew::testing::Neo4jAuthMode;
using edgecrew::testing::Neo4jHttpFixture;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string k_password = "swefleet-dev-pw";
// Neo4j 5.26 speaks Bolt 5.0 to 5.8 and 4.4.
const std::vector<std::pair<int, int>> k_neo4j5_bolt = {{5, 8}, {5, 7}, {5, 6}, {5, 5}, {5, 4},
                                                        {5, 3}, {5, 2}, {5, 1}, {5, 0}, {4, 4}};

stack::Probe neo4j_probe(const std::string& http, const std::string& bolt,
                         const std::string& password = k_password) {
  stack::Probe p;
  p.kind = stack::Probe::Kind::neo4j;
  p.http = http;
  p.bolt = bolt;
  p.user = "neo4j";
  p.password = password;
  return p;
}

TEST(Neo4jFixtureProbe, ReadyWhenHttpAuthAndBoltAllPass) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  BoltFixture bolt(k_neo4j5_bolt);
  auto result = run_probe(neo4j_probe(neo4j.base_url(), bolt.url()), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary, "neo4j " + neo4j.base_url() + " + " + bolt.url() +
                                ": ready (Neo4j 5.26.0 community, RETURN 1 ok, bolt 5.8)");

  auto requests = neo4j.http.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method + " " + requests[0].target, "GET /");
  EXPECT_EQ(requests[0].header("Accept"), "application/json");
  EXPECT_EQ(requests[1].method + " " + requests[1].target, "POST /db/neo4j/tx/commit");
  EXPECT_EQ(requests[1].body, R"({"statements":[{"statement":"RETURN 1"}]})");
  EXPECT_EQ(requests[1].header("Content-Type"), "application/json");
  EXPECT_EQ(edgecrew::testing::fixture_base64_decode(requests[1].header("Authorization").substr(6)),
            "neo4j:" + k_password);
}

TEST(Neo4jFixtureProbe, AWrongPasswordIsUnauthorizedNotDown) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  BoltFixture bolt(k_neo4j5_bolt);
  auto result = run_probe(neo4j_probe(neo4j.base_url(), bolt.url(), "neo4j-test-pw"), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::unauthorized);
  EXPECT_THAT(result.summary,
              HasSubstr(": user \"neo4j\" was refused (Neo.ClientError.Security.Unauthorized: "
                        "Invalid username or password.): the probe's password does not match"));
  EXPECT_THAT(result.summary, Not(HasSubstr("neo4j-test-pw")));
  EXPECT_THAT(result.summary, Not(HasSubstr(k_password)));
}

TEST(Neo4jFixtureProbe, ARateLimitSaysBackOff) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  neo4j.mode = Neo4jAuthMode::rate_limited;
  auto result = run_probe(neo4j_probe(neo4j.base_url(), ""), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::rate_limited);
  EXPECT_EQ(result.summary,
            "neo4j " + neo4j.base_url() +
                ": too many failed logins (Neo.ClientError.Security.AuthenticationRateLimit: Too "
                "many failed authentication requests. Please wait 5 seconds and try again.); "
                "back off for a few seconds before the next attempt, and check the password if "
                "it persists");
}

TEST(Neo4jFixtureProbe, NoCommonBoltVersionIsAProtocolFailure) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  BoltFixture bolt({});
  auto result = run_probe(neo4j_probe(neo4j.base_url(), bolt.url()), 2s);
  EXPECT_FALSE(result.ready);
  EXPECT_EQ(result.failure, ProbeFailure::protocol);
  EXPECT_THAT(result.summary, HasSubstr("the server agreed to none of the Bolt versions proposed"));
  EXPECT_THAT(result.summary, HasSubstr("answered 00 00 00 00"));
}

TEST(Neo4jFixtureProbe, BoltOnlyReportsTheAgreedVersionWithinARange) {
  // A Neo4j 4.4 server: the 5.x proposal finds nothing, the 4.4-4.2 range finds 4.4.
  BoltFixture bolt({{4, 4}, {4, 3}});
  auto result = run_probe(neo4j_probe("", bolt.url()), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary, "neo4j " + bolt.url() + ": ready (bolt 4.4)");
}

TEST(Neo4jFixtureProbe, HttpOnlyNeedsNoBolt) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  auto result = run_probe(neo4j_probe(neo4j.base_url(), ""), 2s);
  EXPECT_TRUE(result.ready) << result.summary;
  EXPECT_EQ(result.summary,
            "neo4j " + neo4j.base_url() + ": ready (Neo4j 5.26.0 community, RETURN 1 ok)");
}

TEST(Neo4jFixtureProbe, BothMustPassWhenBothAreSet) {
  Neo4jHttpFixture neo4j("neo4j", k_password);
  SocketServer no_bolt(edgecrew::testing::stall, /*listen_now=*/false);
  auto bolt_url = "bolt://127.0.0.1:" + std::to_string(no_bolt.port());
  auto result = run_probe(neo4j_probe(neo4j.base_url(), bolt_url), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::refused);
  EXPECT_THAT(result.summary, HasSubstr("connection refused by 127.0.0.1:"));
}

TEST(Neo4jFixtureProbe, AServerThatIsNotNeo4jIsAProtocolFailure) {
  edgecrew::testing::HttpFixture other;
  other.route("GET", "/", [](const edgecrew::testing::FixtureRequest&) {
    return edgecrew::testing::json_response(200, R"({"status":"ok"})");
  });
  auto result = run_probe(neo4j_probe(other.url(), ""), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::protocol);
  EXPECT_THAT(result.summary, HasSubstr("not Neo4j's discovery document"));
}

TEST(Neo4jFixtureProbe, AnHttpServerOnTheBoltPortIsNotBolt) {
  SocketServer http_server([](int fd, int stop) {
    std::string bytes;
    if (edgecrew::testing::read_at_least(fd, stop, bytes, 20)) {
      edgecrew::testing::write_all(fd, "HTTP/1.1 400 Bad Request\r\n\r\n");
    }
  });
  auto result =
      run_probe(neo4j_probe("", "bolt://127.0.0.1:" + std::to_string(http_server.port())), 2s);
  EXPECT_EQ(result.failure, ProbeFailure::protocol);
  EXPECT_THAT(result.summary, HasSubstr("not a Bolt server: it answered the handshake with 48 54 "
                                        "54 50 (\"HTTP\")"));
}

TEST(Neo4jFixtureProbe, ASilentBoltPortTimesOutNamingTheHandshake) {
  SocketServer silent(edgecrew::testing::stall);
  auto start = std::chrono::steady_clock::now();
  auto result =
      run_probe(neo4j_probe("", "bolt://127.0.0.1:" + std::to_string(silent.port())), 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 800ms);
  EXPECT_EQ(result.failure, ProbeFailure::timeout);
  EXPECT_THAT(result.summary, HasSubstr("waiting for the Bolt handshake answer from 127.0.0.1:"));
}

TEST(Neo4jFixtureProbe, TlsBoltIsMisconfigured) {
  auto result = run_probe(neo4j_probe("", "bolt+s://db.example:7687"), 1s);
  EXPECT_EQ(result.failure, ProbeFailure::misconfigured);
  EXPECT_THAT(result.summary, HasSubstr("TLS (bolt+s://) is not supported"));
}

TEST(Neo4jProbeBolt, HandshakeBytesAreTheMagicAndFourProposals) {
  BoltFixture bolt(k_neo4j5_bolt);
  ASSERT_TRUE(run_probe(neo4j_probe("", bolt.url()), 2s).ready);
  const std::string expected(
      "\x60\x60\xB0\x17"
      "\x00\x08\x08\x05"
      "\x00\x02\x04\x04"
      "\x00\x00\x01\x04"
      "\x00\x00\x00\x03",
      20);
  EXPECT_EQ(bolt.received(), expected);
  EXPECT_EQ(bolt_handshake_request(), expected);
}

TEST(Neo4jProbeBolt, ParsesTheServersAnswer) {
  auto v = parse_bolt_reply(std::string("\x00\x00\x04\x05", 4));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 5);
  EXPECT_EQ(v->minor, 4);
  EXPECT_FALSE(parse_bolt_reply(std::string(4, '\0')));
  EXPECT_FALSE(parse_bolt_reply("HTTP"));
  EXPECT_FALSE(parse_bolt_reply(std::string("\x00\x00", 2)));
}

}  // namespace
}  // namespace edgecrew::probe
