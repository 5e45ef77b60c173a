// Discovery against a socket whose service takes the connection and never answers (a Podman
// stopped with SIGSTOP): a timeout error naming the socket, within the named limit, and no second
// service started on the same storage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "engine/podman/podman_discovery.h"
#include "fixtures/socket_server.h"
#include "fixtures/temp_dir.h"

namespace edgecrew::engine::podman {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(PodmanDiscoveryHung, ASilentSocketIsATimeoutNotAReasonToStartAService) {
  edgecrew::testing::TempDir tmp("hung");
  const fs::path dir = tmp.path();
  const std::string path = (dir / "podman.sock").string();
  // Taking connections and never answering: the kernel completes the connection, nothing more.
  edgecrew::testing::SocketServer server(path, edgecrew::testing::stall);

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
