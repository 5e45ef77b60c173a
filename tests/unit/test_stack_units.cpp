#include <gtest/gtest.h>

#include "stack/units.h"

namespace edgecrew::stack {
namespace {

std::optional<long long> ms(std::string_view text) {
  auto d = parse_duration(text);
  if (!d) return std::nullopt;
  return d->count();
}

TEST(ParseDuration, SingleUnits) {
  EXPECT_EQ(ms("500ms"), 500);
  EXPECT_EQ(ms("30s"), 30'000);
  EXPECT_EQ(ms("1m"), 60'000);
  EXPECT_EQ(ms("1h"), 3'600'000);
  EXPECT_EQ(ms("2000000ns"), 2);
  EXPECT_EQ(ms("3000us"), 3);
  EXPECT_EQ(ms("3000\xC2\xB5s"), 3);
  EXPECT_EQ(ms("3000\xCE\xBCs"), 3);
}

TEST(ParseDuration, CompoundAndFractions) {
  EXPECT_EQ(ms("1m30s"), 90'000);
  EXPECT_EQ(ms("1h2m3s"), 3'723'000);
  EXPECT_EQ(ms("1.5s"), 1'500);
  EXPECT_EQ(ms("1.5h"), 5'400'000);
  EXPECT_EQ(ms(".5s"), 500);
  EXPECT_EQ(ms("1.s"), 1'000);
  EXPECT_EQ(ms("1s500ms"), 1'500);
  EXPECT_EQ(ms("0.001s"), 1);
  EXPECT_EQ(ms("+5s"), 5'000);
}

TEST(ParseDuration, SubMillisecondRoundsDown) {
  EXPECT_EQ(ms("1999us"), 1);
  EXPECT_EQ(ms("999999ns"), 0);
  EXPECT_EQ(ms("1.9999ms"), 1);
}

TEST(ParseDuration, ZeroForms) {
  EXPECT_EQ(ms("0"), 0);
  EXPECT_EQ(ms("0s"), 0);
  EXPECT_EQ(ms("0h0m"), 0);
}

TEST(ParseDuration, RejectsMalformed) {
  for (const char* bad :
       {"",    "10",  "1x",  "s",  "-1s",  "-0",    "1",      "1s10", ".s",  ".",
        "1 s", " 1s", "1s ", "1S", "1sec", "1..5s", "1.5.5s", "+",    "0s0", "00"}) {
    EXPECT_FALSE(parse_duration(bad)) << '"' << bad << '"';
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_FALSE(parse_duration("9223372036854775808ns"));
  EXPECT_FALSE(parse_duration("3000000h"));
  EXPECT_EQ(ms("2562047h"), 2562047LL * 3'600'000);
}

TEST(ParseSize, BareNumberIsBytes) {
  EXPECT_EQ(parse_size("1024"), 1024);
  EXPECT_EQ(parse_size("100"), 100);
  EXPECT_EQ(parse_size("0"), 0);
  EXPECT_EQ(parse_size("100b"), 100);
  EXPECT_EQ(parse_size("100B"), 100);
}

TEST(ParseSize, BinaryMultiples) {
  EXPECT_EQ(parse_size("1k"), 1024);
  EXPECT_EQ(parse_size("100kb"), 102'400);
  EXPECT_EQ(parse_size("512m"), 536'870'912);
  EXPECT_EQ(parse_size("1g"), 1'073'741'824);
  EXPECT_EQ(parse_size("1G"), 1'073'741'824);
  EXPECT_EQ(parse_size("1gb"), 1'073'741'824);
  EXPECT_EQ(parse_size("1GB"), 1'073'741'824);
  EXPECT_EQ(parse_size("1GiB"), 1'073'741'824);
  EXPECT_EQ(parse_size("1gi"), 1'073'741'824);
  EXPECT_EQ(parse_size("2t"), 2LL << 40);
  EXPECT_EQ(parse_size("1p"), 1LL << 50);
}

TEST(ParseSize, FractionsTruncate) {
  EXPECT_EQ(parse_size("1.5g"), 1'610'612'736);
  EXPECT_EQ(parse_size("0.5k"), 512);
  EXPECT_EQ(parse_size("0.1k"), 102);
  EXPECT_EQ(parse_size("1.9"), 1);
}

TEST(ParseSize, OptionalSingleSpaceBeforeUnit) {
  EXPECT_EQ(parse_size("512 m"), 536'870'912);
  EXPECT_EQ(parse_size("1 GiB"), 1'073'741'824);
  EXPECT_FALSE(parse_size("512  m"));
}

TEST(ParseSize, RejectsMalformed) {
  for (const char* bad : {"", "-1", "-1g", "g", "1x", "1gg", "1bb", "1.", ".5g", "1.2.3", "1e3",
                          " 1", "1g ", "0x10", "1kib2", "1bi", "inf"}) {
    EXPECT_FALSE(parse_size(bad)) << '"' << bad << '"';
  }
}

TEST(ParseSize, RejectsOverflow) {
  EXPECT_FALSE(parse_size("8192p"));
  EXPECT_FALSE(parse_size("99999999999999999999"));
  EXPECT_EQ(parse_size("8191p"), 8191LL << 50);
}

TEST(FormatDuration, ShortestGoSpelling) {
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(Duration{1}), "1ms");
  EXPECT_EQ(format_duration(Duration{500}), "500ms");
  EXPECT_EQ(format_duration(Duration{1'000}), "1s");
  EXPECT_EQ(format_duration(Duration{1'500}), "1.5s");
  EXPECT_EQ(format_duration(Duration{1'250}), "1.25s");
  EXPECT_EQ(format_duration(Duration{1'005}), "1.005s");
  EXPECT_EQ(format_duration(Duration{60'000}), "1m");
  EXPECT_EQ(format_duration(Duration{90'000}), "1m30s");
  EXPECT_EQ(format_duration(Duration{61'500}), "1m1.5s");
  EXPECT_EQ(format_duration(Duration{7'200'000}), "2h");
  EXPECT_EQ(format_duration(Duration{3'723'000}), "1h2m3s");
  EXPECT_EQ(format_duration(Duration{3'600'500}), "1h0.5s");
  EXPECT_EQ(format_duration(Duration{-90'000}), "-1m30s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (long long value : {0LL, 1LL, 999LL, 1'001LL, 59'999LL, 3'600'001LL, 86'400'000LL}) {
    auto text = format_duration(Duration{value});
    auto back = parse_duration(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(back->count(), value) << text;
  }
}

}  // namespace
}  // namespace edgecrew::stack
