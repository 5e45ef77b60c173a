// The libpod wire details the Podman engine parses (engine/podman/podman_protocol.cpp).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "engine/podman/podman_protocol.h"

namespace edgecrew::engine::podman {
namespace {

using ::testing::HasSubstr;

std::string frame(char stream, const std::string& data) {
  std::string header = {stream, 0, 0, 0};
  const auto size = static_cast<std::uint32_t>(data.size());
  header += static_cast<char>(size >> 24);
  header += static_cast<char>((size >> 16) & 0xff);
  header += static_cast<char>((size >> 8) & 0xff);
  header += static_cast<char>(size & 0xff);
  return header + data;
}

TEST(PodmanProtocol, DemultiplexesFrames) {
  const std::string big(300, 'x');  // a size over one byte
  auto frames = demultiplex(frame(1, "hi\n") + frame(2, "oops\n") + frame(1, big));
  ASSERT_TRUE(frames) << frames.error().message;
  ASSERT_EQ(frames->size(), 3u);
  EXPECT_EQ((*frames)[0].stream, 1);
  EXPECT_EQ((*frames)[0].data, "hi\n");
  EXPECT_EQ((*frames)[1].stream, 2);
  EXPECT_EQ((*frames)[2].data, big);
  EXPECT_TRUE(demultiplex("")->empty());
}

TEST(PodmanProtocol, DemultiplexRejectsTruncatedOrForeignBodies) {
  EXPECT_EQ(demultiplex(frame(1, "hello").substr(0, 10)).error().kind, ErrorKind::io);
  EXPECT_EQ(demultiplex(std::string("\x01\x00\x00", 3)).error().kind, ErrorKind::io);
  EXPECT_THAT(demultiplex("plain text output").error().message, HasSubstr("not a multiplexed"));
}

TEST(PodmanProtocol, ApiErrorsCarryKindCauseAndMessage) {
  net::HttpResponse r;
  r.status = 404;
  r.body = R"({"cause":"no such container","message":"no container with name or ID \"x\" found: )"
           R"(no such container","response":404})";
  Error e = api_error(r, "inspecting container x");
  EXPECT_EQ(e.kind, ErrorKind::not_found);
  EXPECT_EQ(e.message,
            "inspecting container x: Podman answered HTTP 404: no container with name or ID \"x\" "
            "found: no such container");
  r.status = 500;
  r.body = R"({"cause":"boom","message":"it failed"})";
  EXPECT_EQ(api_error(r, "w").kind, ErrorKind::io);
  EXPECT_THAT(api_error(r, "w").message, HasSubstr("it failed (boom)"));
  r.status = 409;
  r.body = "not json";
  EXPECT_EQ(api_error(r, "w").kind, ErrorKind::invalid_input);
  EXPECT_THAT(api_error(r, "w").message, HasSubstr("not json"));
  r.status = 403;
  EXPECT_EQ(api_error(r, "w").kind, ErrorKind::permission_denied);
}

// Podman 4.3's answer to removing a network a container is on (measured with curl on a private
// service), and Docker's 409; other failures are not "in use".
TEST(PodmanProtocol, ANetworkInUseIsToldFromOtherFailures) {
  net::HttpResponse r;
  r.status = 500;
  r.body = R"({"cause":"network is being used","message":"\"n\" has associated containers with )"
           R"(it. Use -f to forcibly delete containers and pods: network is being used",)"
           R"("response":500})";
  EXPECT_TRUE(network_in_use(r));
  r.status = 409;
  r.body = R"({"message":"error while removing network: network n has active endpoints"})";
  EXPECT_TRUE(network_in_use(r));
  r.status = 500;
  r.body = R"({"cause":"boom","message":"network is being used? no","response":500})";
  EXPECT_FALSE(network_in_use(r));
  r.body = "network is being used";  // not JSON
  EXPECT_FALSE(network_in_use(r));
  r.status = 404;
  r.body = R"({"cause":"network is being used"})";
  EXPECT_FALSE(network_in_use(r));
}

TEST(PodmanProtocol, A500ForAContainerRemovedMeanwhileMeansItIsGone) {
  net::HttpResponse r;
  r.status = 404;
  EXPECT_TRUE(container_is_gone(r));
  // Podman 4.3's answers to stop, kill and remove of a container removed meanwhile.
  r.status = 500;
  for (const char* body :
       {R"({"cause":"no such container","message":"no container with ID abc found in database: )"
        R"(no such container","response":500})",
        R"({"cause":"container abc does not exist in database","message":"x","response":500})",
        R"({"message":"no container with name or ID \"abc\" found","response":500})"}) {
    r.body = body;
    EXPECT_TRUE(container_is_gone(r)) << body;
    EXPECT_EQ(api_error(r, "stopping container abc").kind, ErrorKind::not_found) << body;
  }
  r.body = R"({"cause":"boom","message":"it failed","response":500})";
  EXPECT_FALSE(container_is_gone(r));
  r.status = 409;
  r.body = R"({"message":"no such container"})";
  EXPECT_FALSE(container_is_gone(r));
}

TEST(PodmanProtocol, QueryEscape) {
  EXPECT_EQ(query_escape(R"({"label":["a=b"]})"), "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
  EXPECT_EQ(query_escape("docker.io/x:1_~-"), "docker.io%2Fx%3A1_~-");
}

TEST(PodmanProtocol, TolerantJsonAccess) {
  auto j = nlohmann::json::parse(R"({"s":"v","n":3,"b":true,"o":{"k":1},"nul":null})");
  EXPECT_EQ(json_string(j, "s"), "v");
  EXPECT_EQ(json_string(j, "n"), "");
  EXPECT_EQ(json_int(j, "n"), 3);
  EXPECT_EQ(json_int(j, "missing"), 0);
  EXPECT_TRUE(json_bool(j, "b"));
  EXPECT_EQ(json_object(j, "o")["k"], 1);
  EXPECT_TRUE(json_object(j, "nul").empty());
  EXPECT_EQ(json_string(nlohmann::json::array(), "s"), "");
}

// A pull's progress total of 1e73 (found by the stream fuzzer: a float outside int64's range was
// undefined behaviour) and other numbers out of range give the nearest value that fits.
TEST(PodmanProtocol, JsonIntClampsWhatDoesNotFit) {
  auto j = nlohmann::json::parse(
      R"({"big":1.0033e73,"small":-1e30,"u":18446744073709551615,"f":2.9,"neg":-7,)"
      R"("max":9223372036854775807})");
  EXPECT_EQ(json_int(j, "big"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(json_int(j, "small"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(json_int(j, "u"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(json_int(j, "f"), 2);
  EXPECT_EQ(json_int(j, "neg"), -7);
  EXPECT_EQ(json_int(j, "max"), std::numeric_limits<std::int64_t>::max());
}

TEST(PodmanProtocol, Rfc3339Times) {
  using std::chrono::system_clock;
  auto t = parse_rfc3339("2026-11-28T21:40:42.5Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(system_clock::to_time_t(*t), 1795902042);
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count() % 1000,
      500);
  auto offset = parse_rfc3339("2026-11-28T22:40:42.123456789+01:00");
  ASSERT_TRUE(offset);
  EXPECT_EQ(system_clock::to_time_t(*offset), 1795902042);
  EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_FALSE(parse_rfc3339("2026-11-28T21:40:42"));
}

}  // namespace
}  // namespace edgecrew::engine::podman
