// Child processes from argv: output captured or discarded, environment additions, waiting with
// a timeout, stopping with SIGTERM then SIGKILL, and no child left behind by a destroyed object.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "util/subprocess.h"

namespace edgecrew {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

TEST(Subprocess, CapturesStdoutStderrAndTheExitCode) {
  auto done = run_process({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}}, 10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status.code, 3);
  EXPECT_EQ(done->status.signal, 0);
  EXPECT_FALSE(done->status.success());
  EXPECT_EQ(done->status.describe(), "exit code 3");
  EXPECT_EQ(done->out, "out\n");
  EXPECT_EQ(done->err, "err\n");
}

TEST(Subprocess, PassesArgumentsWithoutAShell) {
  auto done = run_process({.argv = {"printf", "%s|", "a b", "$HOME", "*"}}, 10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->out, "a b|$HOME|*|");
}

TEST(Subprocess, AddsEnvironmentVariablesAndKeepsTheRest) {
  ASSERT_NE(std::getenv("PATH"), nullptr);
  auto done = run_process({.argv = {"sh", "-c", "echo \"$EDGECREW_TEST_VAR:${PATH:+path}\""},
                           .env = {{"EDGECREW_TEST_VAR", "value with spaces"}}},
                          10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->out, "value with spaces:path\n");
}

TEST(Subprocess, RunsInTheWorkingDirectory) {
  auto dir = std::filesystem::canonical(std::filesystem::temp_directory_path());
  auto done = run_process({.argv = {"pwd"}, .working_dir = dir}, 10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->out, dir.string() + "\n");
}

TEST(Subprocess, CapturesMoreThanAPipeHoldsWithoutBlockingTheChild) {
  auto done = run_process({.argv = {"head", "-c", "1000000", "/dev/zero"}}, 10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(done->status.success());
  EXPECT_EQ(done->out.size(), 1000000u);
}

TEST(Subprocess, DiscardedOutputIsNotCaptured) {
  auto child = Subprocess::spawn({.argv = {"echo", "hidden"},
                                  .stdout_mode = StreamMode::discard,
                                  .stderr_mode = StreamMode::discard});
  ASSERT_TRUE(child) << child.error().message;
  auto status = child->wait(10s);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->success());
  EXPECT_EQ(child->stdout_text(), "");
}

TEST(Subprocess, AMissingProgramIsNotFound) {
  auto child = Subprocess::spawn({.argv = {"edgecrew-no-such-program"}});
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().kind, ErrorKind::not_found);
  EXPECT_EQ(child.error().message, "cannot run edgecrew-no-such-program: not found in PATH");
  auto empty = Subprocess::spawn({.argv = {}});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, ErrorKind::invalid_input);
}

TEST(Subprocess, WaitTimesOutNamingTheProgramThenStopEndsIt) {
  auto child = Subprocess::spawn({.argv = {"sleep", "30"}});
  ASSERT_TRUE(child) << child.error().message;
  auto waited = child->wait(50ms);
  ASSERT_FALSE(waited);
  EXPECT_EQ(waited.error().kind, ErrorKind::timeout);
  EXPECT_THAT(waited.error().message, HasSubstr("sleep"));
  EXPECT_THAT(waited.error().message, HasSubstr("still running after 50 ms"));
  EXPECT_FALSE(child->poll().has_value());
  ExitStatus status = child->stop();
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.describe(), "killed by SIGTERM");
}

TEST(Subprocess, StopSendsSigkillAfterTheGraceWhenSigtermIsIgnored) {
  // The child ignores SIGTERM, and says so once it does, so the test never races its setup.
  auto child = Subprocess::spawn(
      {.argv = {"sh", "-c", "trap '' TERM; echo trapped; while :; do sleep 0.05; done"}});
  ASSERT_TRUE(child) << child.error().message;
  for (int i = 0; i < 200 && child->stdout_text().empty(); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(child->stdout_text(), "trapped\n");
  auto start = std::chrono::steady_clock::now();
  ExitStatus status = child->stop(200ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s);
}

TEST(Subprocess, RunProcessStopsAProgramThatRunsTooLong) {
  auto start = std::chrono::steady_clock::now();
  auto done = run_process({.argv = {"sleep", "30"}}, 100ms);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, ErrorKind::timeout);
  EXPECT_EQ(done.error().message, "sleep did not finish within 100 ms; stopped it");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(Subprocess, DestroyingTheObjectStopsAndReapsTheProcess) {
  pid_t pid = 0;
  {
    auto child = Subprocess::spawn({.argv = {"sleep", "30"}});
    ASSERT_TRUE(child) << child.error().message;
    pid = child->pid();
    EXPECT_TRUE(process_exists(pid));
  }
  // Reaped, not a zombie: the pid no longer exists.
  EXPECT_FALSE(process_exists(pid));
}

TEST(Subprocess, AGrandchildHoldingThePipeDoesNotBlockTheOwner) {
  // The shell exits at once; its background sleep keeps stdout open for 3 s.
  auto start = std::chrono::steady_clock::now();
  auto done = run_process({.argv = {"sh", "-c", "sleep 3 & echo started"}}, 10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->out, "started\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Subprocess, MovedObjectsKeepOwningTheProcess) {
  auto child = Subprocess::spawn({.argv = {"sh", "-c", "echo moved"}});
  ASSERT_TRUE(child) << child.error().message;
  Subprocess moved = std::move(*child);
  auto status = moved.wait(10s);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE(status->success());
  EXPECT_EQ(moved.stdout_text(), "moved\n");
}

TEST(Subprocess, RemovesNamedVariablesFromTheChildsEnvironment) {
  auto done = run_process({.argv = {"env"},
                           .env = {{"EC_TEST_GONE", "x"}, {"EC_TEST_KEPT", "y"}},
                           .env_remove = {"EC_TEST_GONE", "PATH"}},
                          10s);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_THAT(done->out, HasSubstr("EC_TEST_KEPT=y\n"));
  EXPECT_THAT(done->out, ::testing::Not(HasSubstr("EC_TEST_GONE=")));
  EXPECT_THAT(done->out, ::testing::Not(HasSubstr("\nPATH=")));
}

TEST(Subprocess, AChildTiedToItsParentGetsTheNamedSignalWhenTheSpawningThreadEnds) {
  for (int sig : {SIGKILL, SIGTERM}) {
    std::optional<Subprocess> child;
    std::thread([&] {
      auto spawned = Subprocess::spawn({.argv = {"sleep", "100"}, .parent_death_signal = sig});
      ASSERT_TRUE(spawned) << spawned.error().message;
      child.emplace(std::move(*spawned));
    }).join();
    ASSERT_TRUE(child);
    auto ended = child->wait(5s);
    ASSERT_TRUE(ended) << "the child outlived the thread that spawned it";
    EXPECT_EQ(ended->signal, sig);
  }
}

TEST(Subprocess, ATiedChildCapturesOutputLeadsItsOwnGroupAndReportsAMissingProgram) {
  auto child = Subprocess::spawn({.argv = {"sh", "-c", "echo out; echo err >&2; sleep 1"},
                                  .parent_death_signal = SIGKILL,
                                  .own_process_group = true});
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_EQ(::getpgid(child->pid()), child->pid());
  auto ended = child->wait(10s);
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_TRUE(ended->success());
  EXPECT_EQ(child->stdout_text(), "out\n");
  EXPECT_EQ(child->stderr_text(), "err\n");
  auto missing =
      Subprocess::spawn({.argv = {"edgecrew-no-such-program"}, .parent_death_signal = SIGTERM});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_THAT(missing.error().message, HasSubstr("not found in PATH"));
}

}  // namespace
}  // namespace edgecrew
