// TCP connections and byte exchanges with deadlines: refused, connected, timed out (naming what
// was awaited), closed early.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "fixtures/socket_server.h"
#include "net/tcp.h"

namespace edgecrew::net {
namespace {

using namespace std::chrono_literals;
using edgecrew::testing::SocketServer;
using ::testing::HasSubstr;

TEST(TcpConnect, ConnectsToAListeningPort) {
  SocketServer server(edgecrew::testing::stall);
  auto fd = tcp_connect("127.0.0.1", server.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
  EXPECT_TRUE(fd->valid());
}

TEST(TcpConnect, ResolvesLocalhost) {
  SocketServer server(edgecrew::testing::stall);
  // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
  auto fd = tcp_connect("localhost", server.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
}

TEST(TcpConnect, RefusedIsUnavailableAndNamesTheAddress) {
  SocketServer not_listening(edgecrew::testing::stall, /*listen_now=*/false);
  auto fd = tcp_connect("127.0.0.1", not_listening.port(), 2s);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(fd.error().message,
            "connection refused by 127.0.0.1:" + std::to_string(not_listening.port()) +
                ": nothing listens there");
}

TEST(TcpConnect, SendAndReceiveExactly) {
  SocketServer echo([](int fd, int stop) {
    std::string bytes;
    if (edgecrew::testing::read_at_least(fd, stop, bytes, 5))
      edgecrew::testing::write_all(fd, bytes);
  });
  auto fd = tcp_connect("127.0.0.1", echo.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
  Deadline deadline(2s);
  ASSERT_TRUE(send_all(fd->get(), std::string("ab\0cd", 5), deadline, "five bytes"));
  auto reply = recv_exact(fd->get(), 5, deadline, "the echo");
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(*reply, std::string("ab\0cd", 5));
}

TEST(TcpConnect, ReceiveTimesOutNamingWhatItAwaited) {
  SocketServer silent(edgecrew::testing::stall);
  auto fd = tcp_connect("127.0.0.1", silent.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
  auto start = std::chrono::steady_clock::now();
  auto reply = recv_exact(fd->get(), 4, Deadline(200ms), "the Bolt handshake answer");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, ErrorKind::timeout);
  EXPECT_THAT(reply.error().message,
              ::testing::MatchesRegex("timed out after 2[0-9][0-9] ms waiting for the Bolt "
                                      "handshake answer"));
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 700ms);
}

TEST(TcpConnect, APeerClosingEarlyIsAnIoError) {
  SocketServer closer([](int fd, int) { edgecrew::testing::write_all(fd, "ab"); });
  auto fd = tcp_connect("127.0.0.1", closer.port(), 2s);
  ASSERT_TRUE(fd) << fd.error().message;
  auto reply = recv_exact(fd->get(), 4, Deadline(2s), "the answer");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().kind, ErrorKind::io);
  EXPECT_EQ(reply.error().message, "the connection closed after 2 of the 4 bytes of the answer");
}

}  // namespace
}  // namespace edgecrew::net
