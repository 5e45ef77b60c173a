// Discovery against a socket whose service takes the connection and never answers (a Podman
// stopped with SIGSTOP): a timeout error naming the socket, within the named limit, and no second
// service started on the same storage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "engine/podman/podman_discovery.h"

namespace edgecrew::engine::podman {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(PodmanDiscoveryHung, ASilentSocketIsATimeoutNotAReasonToStartAService) {
  std::string pattern = (fs::temp_directory_path() / "edgecrew-hung-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  const std::string path = (dir / "podman.sock").string();
  // Listening, never accepting: the kernel completes the connection, nothing ever answers.
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 8), 0);

  PodmanEnvironment env;
  env.container_host = "unix://" + path;
  DiscoveryOptions options;
  options.root_socket = (dir / "no-root.sock").string();
  options.podman_program = (dir / "no-podman").string();  // starting one would fail differently
  options.temp_root = dir;
  options.hung_timeout = 300ms;
  const auto begin = std::chrono::steady_clock::now();
  auto found = discover(env, options);
  const auto took = std::chrono::steady_clock::now() - begin;
  ::close(listener);
  fs::remove_all(dir);

  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, ErrorKind::timeout);
  EXPECT_THAT(found.error().message, HasSubstr("timeout"));
  EXPECT_THAT(found.error().message, HasSubstr(path));
  EXPECT_THAT(found.error().message, HasSubstr("300 ms"));
  EXPECT_THAT(found.error().message, HasSubstr("unset CONTAINER_HOST"));
  // The ping (1 s), then the named 300 ms, and nothing more.
  EXPECT_LT(took, k_podman_ping_timeout + 300ms + 1500ms);
}

}  // namespace
}  // namespace edgecrew::engine::podman
