// The libcurl client against the HTTP fixture: TCP and unix sockets, methods and bodies, and
// errors that say what failed: refused (naming the address), timed out (naming what was awaited
// and after how long), a missing socket.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "fixtures/http_fixture.h"
#include "fixtures/temp_dir.h"
#include "fixtures/vllm_fixture.h"
#include "net/http_client.h"
#include "net/tcp.h"

namespace edgecrew::net {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::FixtureRequest;
using edgecrew::testing::FixtureResponse;
using edgecrew::testing::HttpFixture;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;
using ::testing::Pair;

FixtureResponse echo(const FixtureRequest& r) {
  return {
      200,
      {{"X-Method", r.method}, {"X-Header", r.header("X-Test")}, {"Content-Type", "text/plain"}},
      r.body};
}

TEST(HttpClient, GetReturnsStatusHeadersAndBody) {
  HttpFixture http;
  http.route("GET", "/hello", [](const FixtureRequest&) {
    return FixtureResponse{200, {{"Content-Type", "application/json"}}, R"({"hi":1})"};
  });
  auto response = http_request({.url = http.url("/hello")});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"hi":1})");
  ASSERT_NE(response->header("content-type"), nullptr);
  EXPECT_EQ(*response->header("CONTENT-TYPE"), "application/json");
  EXPECT_THAT(response->headers, ::testing::Contains(Pair("Content-Length", "8")));
  EXPECT_EQ(response->header("X-Missing"), nullptr);
}

TEST(HttpClient, AStatusOtherThan200IsAResponseNotAnError) {
  HttpFixture http;
  auto response = http_request({.url = http.url("/nowhere")});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
}

TEST(HttpClient, SendsMethodHeadersAndBody) {
  HttpFixture http;
  for (const char* method : {"POST", "PUT", "DELETE"}) http.route(method, "/echo", echo);
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    auto response = http_request({.method = method,
                                  .url = http.url("/echo"),
                                  .headers = {{"X-Test", "yes"}},
                                  .body = R"({"statements":[]})"});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(*response->header("X-Method"), method);
    EXPECT_EQ(*response->header("X-Header"), "yes");
    EXPECT_EQ(response->body, R"({"statements":[]})");
  }
  // No "Expect: 100-continue" (it would delay large bodies).
  for (const auto& r : http.requests()) EXPECT_EQ(r.header("Expect"), "");
}

TEST(HttpClient, RefusedIsUnavailableAndNamesTheAddress) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  std::string address = "127.0.0.1:" + std::to_string(not_listening.port());
  auto response = http_request({.url = "http://" + address + "/health"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(response.error().message, "connection refused by " + address +
                                          ": nothing listens there (GET http://" + address +
                                          "/health)");
}

TEST(HttpClient, ATimeoutSaysItWaitedForTheResponseAndHowLong) {
  SocketServer silent(edgecrew::testing::stall);
  auto start = std::chrono::steady_clock::now();
  auto response = http_request(
      {.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/health", .timeout = 300ms});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::timeout);
  EXPECT_THAT(
      response.error().message,
      ::testing::MatchesRegex("timed out after [23][0-9][0-9] ms waiting for the response "
                              "to GET http://127.0.0.1:[0-9]+/health from 127.0.0.1:[0-9]+"));
  // curl's timer may fire within a millisecond of the budget, either side.
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 800ms);
}

TEST(HttpClient, TalksOverAUnixSocket) {
  edgecrew::testing::TempDir dir("net");
  std::string socket = (dir.path() / "podman.sock").string();
  HttpFixture http(socket);
  http.route("GET", "/v4.0.0/libpod/_ping", [](const FixtureRequest&) {
    return FixtureResponse{200, {{"Content-Type", "text/plain; charset=utf-8"}}, "OK"};
  });
  auto response = http_request({.url = "http://d/v4.0.0/libpod/_ping", .unix_socket = socket});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "OK");
  ASSERT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].target, "/v4.0.0/libpod/_ping");
}

TEST(HttpClient, AMissingUnixSocketIsUnavailableAndNamed) {
  edgecrew::testing::TempDir dir("net");
  std::string socket = (dir.path() / "absent.sock").string();
  auto response = http_request({.url = "http://d/_ping", .unix_socket = socket});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(response.error().message, "no unix socket " + socket + " (GET http://d/_ping)");
}

TEST(HttpClient, ABodyOverTheLimitIsAnError) {
  HttpFixture http;
  http.route("GET", "/big", [](const FixtureRequest&) {
    return FixtureResponse{200, {}, std::string(100'000, 'x')};
  });
  auto response = http_request({.url = http.url("/big"), .max_response_bytes = 1000});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::io);
  EXPECT_THAT(response.error().message, HasSubstr("larger than 1000 bytes"));
}

TEST(HttpClient, AUrlPasswordNeverAppearsInAnError) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto response = http_request(
      {.url = "http://neo4j:hunter2pw@127.0.0.1:" + std::to_string(not_listening.port()) + "/"});
  ASSERT_FALSE(response);
  EXPECT_THAT(response.error().message, ::testing::Not(HasSubstr("hunter2pw")));
  EXPECT_THAT(response.error().message, HasSubstr("neo4j:********@"));
}

TEST(HttpClient, ManyThreadsAtOnce) {
  edgecrew::testing::VllmFixture vllm;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = http_request({.url = vllm.http.url("/health")});
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);
}

// The fixture is only as good as its bytes: this is what a client reads off the wire.
// A raw server that answers 200 with a body sent in pieces, `gap` apart, then closes.
SocketServer::Handler pieces(std::vector<std::string> parts, std::chrono::milliseconds gap) {
  return [parts, gap](int fd, int stop_fd) {
    std::string request;
    if (!edgecrew::testing::read_until(fd, stop_fd, request, "\r\n\r\n")) return;
    edgecrew::testing::write_all(
        fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n");
    for (const auto& part : parts) {
      pollfd stop{stop_fd, POLLIN, 0};
      if (::poll(&stop, 1, static_cast<int>(gap.count())) != 0) return;  // the fixture stops
      edgecrew::testing::write_all(fd, part);
    }
  };
}

TEST(HttpStream, HandsEachPieceOverAsItArrivesAndTheOverallTimeoutDoesNotApply) {
  // Idle for 3 x 400 ms in all, with a 500 ms request timeout: a stream is not cut by it.
  SocketServer server(pieces({"one\n", "two\n", "three\n"}, 400ms));
  std::vector<std::string> seen;
  std::vector<std::chrono::steady_clock::time_point> when;
  auto response = http_stream(
      {.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/logs", .timeout = 500ms},
      [&](std::string_view chunk) {
        seen.emplace_back(chunk);
        when.push_back(std::chrono::steady_clock::now());
        return true;
      });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body.empty());
  EXPECT_THAT(seen, ::testing::ElementsAre("one\n", "two\n", "three\n"));
  // Delivered as they came, not all at the end.
  ASSERT_EQ(when.size(), 3u);
  EXPECT_GE(when[2] - when[0], 600ms);
}

TEST(HttpStream, ASinkReturningFalseEndsTheStreamWithoutAnError) {
  SocketServer server(pieces({"one\n", "two\n", "three\n"}, 100ms));
  int calls = 0;
  auto response =
      http_stream({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/logs"},
                  [&](std::string_view) { return ++calls < 2; });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(calls, 2);
}

TEST(HttpStream, CancelEndsAnIdleStream) {
  SocketServer silent(pieces({"only\n"}, 60s));
  auto start = std::chrono::steady_clock::now();
  auto response = http_stream(
      {.url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/logs"},
      [](std::string_view) { return true; },
      [&] { return std::chrono::steady_clock::now() - start > 300ms; });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(HttpStream, TheConnectTimeoutStillApplies) {
  // A bound socket that does not listen refuses: the stream reports it like a request does.
  SocketServer closed(pieces({}, 0ms), false);
  auto response =
      http_stream({.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/logs"},
                  [](std::string_view) { return true; });
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::unavailable);
}

TEST(HttpStream, AnErrorAnswerIsCollectedNotStreamed) {
  HttpFixture http;
  bool called = false;
  auto response = http_stream({.url = http.url("/nowhere")}, [&](std::string_view) {
    called = true;
    return true;
  });
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_FALSE(called);
}

TEST(HttpFixture, AnswersWithStatusLineContentLengthAndConnectionClose) {
  edgecrew::testing::VllmFixture vllm;
  auto fd = tcp_connect("127.0.0.1", vllm.http.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
  Deadline deadline(2s);
  ASSERT_TRUE(send_all(fd->get(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", deadline, "request"));
  std::string reply;
  char buffer[1024];
  ssize_t n;
  while ((n = ::recv(fd->get(), buffer, sizeof buffer, 0)) > 0) reply.append(buffer, n);
  EXPECT_EQ(reply,
            "HTTP/1.1 200 OK\r\nserver: uvicorn\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace edgecrew::net
