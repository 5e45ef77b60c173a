// The CRI log format: records parsed, partial (P) records joined per stream, lines split across
// reads, tail, and follow ending once the container has stopped.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/cri/cri_logs.h"

namespace edgecrew::engine::cri {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> decode(const std::vector<std::string>& chunks) {
  std::vector<std::string> out;
  LogSink sink = [&](std::string_view stream, std::string_view line) {
    out.push_back(std::string(stream) + ":" + std::string(line));
    return true;
  };
  CriLogDecoder decoder;
  for (const auto& chunk : chunks) decoder.feed(chunk, sink);
  decoder.finish(sink);
  return out;
}

TEST(CriLogs, ParsesARecord) {
  auto r = parse_cri_log_record("2026-11-28T23:21:48.123456789Z stderr F disk full: /data");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->timestamp, "2026-11-28T23:21:48.123456789Z");
  EXPECT_EQ(r->stream, "stderr");
  EXPECT_FALSE(r->partial);
  EXPECT_EQ(r->message, "disk full: /data");
  auto empty = parse_cri_log_record("2026-11-28T23:21:48.1+01:00 stdout F ");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->message, "");
  EXPECT_FALSE(parse_cri_log_record("hello world"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-28T23:21:48Z stdin F x"));
  EXPECT_FALSE(parse_cri_log_record("2026-11-28T23:21:48Z stdout X x"));
}

TEST(CriLogs, JoinsPartialRecordsOfEachStream) {
  EXPECT_THAT(decode({"2026-11-28T00:00:00.1Z stdout P abc\n"
                      "2026-11-28T00:00:00.2Z stderr F oops\n"
                      "2026-11-28T00:00:00.3Z stdout P def\n"
                      "2026-11-28T00:00:00.4Z stdout F ghi\n"}),
              ElementsAre("stderr:oops", "stdout:abcdefghi"));
}

TEST(CriLogs, ARecordSplitAcrossReadsIsOneLine) {
  EXPECT_THAT(decode({"2026-11-28T00:00:00.1Z std", "out F one\n2026-11-28T00:00:00.2Z stdout F t",
                      "wo\n"}),
              ElementsAre("stdout:one", "stdout:two"));
}

TEST(CriLogs, WhatIsPendingAtTheEndIsPassedOn) {
  EXPECT_THAT(decode({"2026-11-28T00:00:00.1Z stdout P half\nnot a cri line\n"
                      "2026-11-28T00:00:00.2Z stderr F last"}),
              ElementsAre("stdout:not a cri line", "stderr:last", "stdout:half"));
}

TEST(CriLogs, TheSinkStopsTheReading) {
  std::vector<std::string> out;
  CriLogDecoder decoder;
  bool more = decoder.feed("2026-11-28T00:00:00.1Z stdout F a\n2026-11-28T00:00:00.2Z stdout F b\n",
                           [&](std::string_view, std::string_view line) {
                             out.emplace_back(line);
                             return false;
                           });
  EXPECT_FALSE(more);
  EXPECT_THAT(out, ElementsAre("a"));
}

class CriLogFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "edgecrew-cri-log-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    m_path = m_dir / "app.log";
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  void append(const std::string& text) {
    std::ofstream(m_path, std::ios::app | std::ios::binary) << text;
  }
  std::vector<std::string> read(const LogOptions& options, const LogFollow& follow = {}) {
    std::vector<std::string> out;
    auto status = read_cri_log(
        m_path, options,
        [&](std::string_view, std::string_view line) {
          out.emplace_back(line);
          return true;
        },
        follow);
    EXPECT_TRUE(status) << status.error().message;
    return out;
  }
  std::filesystem::path m_dir;
  std::filesystem::path m_path;
};

TEST_F(CriLogFile, TailKeepsTheLastLogicalLines) {
  append(
      "2026-11-28T00:00:00.1Z stdout F 1\n2026-11-28T00:00:00.2Z stdout P 2\n"
      "2026-11-28T00:00:00.3Z stdout F b\n2026-11-28T00:00:00.4Z stderr F 3\n");
  EXPECT_THAT(read({.tail = 2}), ElementsAre("2b", "3"));
  EXPECT_THAT(read({.tail = 0}), ElementsAre());
  EXPECT_THAT(read({}), ElementsAre("1", "2b", "3"));
}

TEST_F(CriLogFile, FollowReadsWhatIsAppendedUntilTheContainerStops) {
  append("2026-11-28T00:00:00.1Z stdout F first\n");
  std::atomic<int> polls = 0;
  LogFollow follow;
  follow.poll_interval = std::chrono::milliseconds(10);
  follow.still_running = [&]() -> Result<bool> {
    int n = ++polls;
    if (n == 3) append("2026-11-28T00:00:00.2Z stdout F second\n");
    if (n == 5) {
      // The last words, written just before the container stops: still read.
      append("2026-11-28T00:00:00.3Z stdout F last\n");
      return false;
    }
    return true;
  };
  EXPECT_THAT(read({.follow = true}, follow), ElementsAre("first", "second", "last"));
  EXPECT_EQ(polls, 5);
}

TEST_F(CriLogFile, AMissingFileIsNotFoundNamingIt) {
  auto status = read_cri_log(m_dir / "gone.log", {}, [](auto, auto) { return true; });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::not_found);
  EXPECT_THAT(status.error().message, ::testing::HasSubstr("gone.log"));
}

}  // namespace
}  // namespace edgecrew::engine::cri
