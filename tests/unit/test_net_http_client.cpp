// The libcurl client against the HTTP fixture: TCP and unix sockets, methods and bodies, and
// errors that say what failed: refused (naming the address), timed out (naming what was awaited
// and after how long), a missing socket.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "fixtures/http_fixture.h"
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

// A temporary directory for unix sockets, removed afterwards.
struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "edgecrew-net-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path path;
};

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
  TempDir dir;
  std::string socket = (dir.path / "podman.sock").string();
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
  TempDir dir;
  std::string socket = (dir.path / "absent.sock").string();
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
