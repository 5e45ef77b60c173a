// A failed CRI call as the user reads it: the RPC, the socket, the deadline by name, and the fix.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "engine/cri/cri_client.h"
#include "fixtures/socket_server.h"
#include "fixtures/temp_dir.h"

namespace edgecrew::engine::cri {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr const char* k_socket = "/nonexistent/edgecrew-test/crio.sock";

Error mapped(grpc::StatusCode code, const std::string& message) {
  return map_rpc_error(code, message, "RunPodSandbox", k_socket, "create", 60s);
}

TEST(CriErrors, UnavailableNamesTheSocketAndAsksWhetherTheRuntimeRuns) {
  Error e = mapped(grpc::StatusCode::UNAVAILABLE, "connect: No such file or directory");
  EXPECT_EQ(e.kind, ErrorKind::unavailable);
  EXPECT_THAT(e.message, HasSubstr("RunPodSandbox"));
  EXPECT_THAT(e.message, HasSubstr(k_socket));
  EXPECT_THAT(e.message, HasSubstr("No such file or directory"));
  EXPECT_THAT(e.message, HasSubstr("is CRI-O or containerd running?"));
}

TEST(CriErrors, PermissionDeniedEitherWaySaysWhoToRunAs) {
  for (auto [code, text] : {std::pair{grpc::StatusCode::PERMISSION_DENIED, "denied"},
                            std::pair{grpc::StatusCode::UNAVAILABLE,
                                      "failed to connect: connect: Permission denied (13)"}}) {
    Error e = mapped(code, text);
    EXPECT_EQ(e.kind, ErrorKind::permission_denied) << text;
    EXPECT_THAT(e.message, HasSubstr("permission denied on the CRI socket"));
    EXPECT_THAT(e.message, HasSubstr(k_socket));
    EXPECT_THAT(e.message, HasSubstr("owns the socket"));
    EXPECT_THAT(e.message, Not(HasSubstr("is CRI-O or containerd running?")));
  }
}

TEST(CriErrors, DeadlineExceededIsATimeoutNamingTheDeadline) {
  Error e = mapped(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded");
  EXPECT_EQ(e.kind, ErrorKind::timeout);
  EXPECT_THAT(e.message, HasSubstr("did not answer within 60000 ms"));
  EXPECT_THAT(e.message, HasSubstr("deadline \"create\""));
  EXPECT_THAT(e.message, HasSubstr(k_socket));
}

TEST(CriErrors, OthersKeepTheRuntimesMessage) {
  Error missing = mapped(grpc::StatusCode::NOT_FOUND, "sandbox abc not found");
  EXPECT_EQ(missing.kind, ErrorKind::not_found);
  EXPECT_THAT(missing.message, HasSubstr("sandbox abc not found"));
  Error unknown = mapped(grpc::StatusCode::UNKNOWN, "no runtime for \"x\" is configured");
  EXPECT_EQ(unknown.kind, ErrorKind::io);
  EXPECT_THAT(unknown.message, HasSubstr("no runtime for \"x\" is configured"));
  Error old = mapped(grpc::StatusCode::UNIMPLEMENTED, "unknown service runtime.v1.RuntimeService");
  EXPECT_EQ(old.kind, ErrorKind::unavailable);
  EXPECT_THAT(old.message, HasSubstr("runtime.v1"));
}

TEST(CriErrors, ASocketThatNeverAnswersEndsAtTheNamedDeadline) {
  // A real socket that takes connections and never says a word.
  edgecrew::testing::TempDir tmp("cri-mute");
  const std::string socket = (tmp.path() / "mute.sock").string();
  edgecrew::testing::SocketServer server(socket, edgecrew::testing::stall);
  CriDeadlines deadlines;
  deadlines.call = 300ms;
  CriClient client(socket, deadlines);
  auto start = std::chrono::steady_clock::now();
  auto version = client.version();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().kind, ErrorKind::timeout) << version.error().message;
  EXPECT_THAT(version.error().message,
              HasSubstr("Version: the CRI runtime on " + socket +
                        " did not answer within 300 ms (deadline \"call\""));
  EXPECT_LT(took, 5s);
}

}  // namespace
}  // namespace edgecrew::engine::cri
