// The live progress lines: what each service's line says as events arrive (milestones kept,
// transient steps shown only while current, "unchanged" for a kept container), and the terminal
// drawing that rewrites the lines in place rather than adding new ones.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "cli/progress_board.h"

namespace edgecrew::cli {
namespace {

using namespace std::chrono_literals;
using plan::Event;
using plan::Phase;
using ::testing::ElementsAre;

Event ev(const std::string& service, Phase phase, std::chrono::milliseconds at,
         std::string detail = {}) {
  return Event{service, phase, std::move(detail), at};
}

TEST(ProgressBoard, AServiceLineGrowsWithItsMilestones) {
  ProgressBoard board({"redis", "app"});
  EXPECT_THAT(board.lines(), ElementsAre("redis  …", "app    …"));
  board.apply(ev("redis", Phase::creating, 10ms, "img"));
  board.apply(ev("redis", Phase::created, 100ms, "abc"));
  board.apply(ev("redis", Phase::starting, 150ms));
  EXPECT_EQ(board.lines()[0], "redis  created → starting 0.1s");
  board.apply(ev("redis", Phase::started, 300ms));
  board.apply(ev("redis", Phase::waiting, 400ms, "for readiness"));
  EXPECT_EQ(board.lines()[0], "redis  created → started → waiting 0.4s");
  board.apply(ev("redis", Phase::healthy, 1200ms, "PONG"));
  EXPECT_THAT(board.lines(), ElementsAre("redis  created → started → healthy 1.2s", "app    …"));
}

TEST(ProgressBoard, KeptAndFailedAndUnknownServices) {
  ProgressBoard board({"a"});
  board.apply(ev("a", Phase::started, 5ms, "unchanged"));
  board.apply(ev("b", Phase::created, 20ms));
  board.apply(ev("b", Phase::failed, 2500ms, "exited with code 2"));
  EXPECT_THAT(board.lines(), ElementsAre("a  unchanged 0.0s", "b  created → failed 2.5s"));
}

TEST(ProgressBoard, TeardownLines) {
  ProgressBoard board;
  board.apply(ev("web", Phase::stopping, 1ms));
  EXPECT_THAT(board.lines(), ElementsAre("web  stopping 0.0s"));
  board.apply(ev("web", Phase::removed, 10100ms));
  board.apply(ev("data", Phase::removed, 10200ms, "volume"));
  EXPECT_THAT(board.lines(), ElementsAre("web   removed 10.1s", "data  volume removed 10.2s"));
}

TEST(TerminalProgress, RedrawsTheSameLinesInPlace) {
  std::ostringstream out;
  TerminalProgress progress(out, {"a", "b"});
  progress.on_event(ev("a", Phase::created, 100ms));
  EXPECT_EQ(out.str(), "\r\x1b[2Ka  created 0.1s\n\r\x1b[2Kb  …\n");
  out.str("");
  progress.on_event(ev("b", Phase::created, 200ms));
  // Back up over the two lines drawn, then both again.
  EXPECT_EQ(out.str(), "\x1b[2A\r\x1b[2Ka  created 0.1s\n\r\x1b[2Kb  created 0.2s\n");
}

TEST(ProgressSink, PlainLinesWhenNotATerminal) {
  std::ostringstream out;
  auto sink = progress_sink(out, false, {"redis"});
  sink(ev("redis", Phase::created, 100ms, "abc"));
  EXPECT_EQ(out.str(), "redis  created   abc\n");
}

}  // namespace
}  // namespace edgecrew::cli
