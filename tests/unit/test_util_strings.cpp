// String helpers: "did you mean", shell word splitting and quoting, edit distance.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/strings.h"

namespace edgecrew {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(EditDistance, Levenshtein) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("image", "image"), 0u);
  EXPECT_EQ(edit_distance("imagee", "image"), 1u);  // insertion
  EXPECT_EQ(edit_distance("imge", "image"), 1u);    // deletion
  EXPECT_EQ(edit_distance("imabe", "image"), 1u);   // substitution
  EXPECT_EQ(edit_distance("imgae", "image"), 1u);   // a swap of neighbours is one edit
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("sitting", "kitten"), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("Image", "image"), 1u);  // case counts here
}

TEST(DidYouMean, SuggestsCloseCandidates) {
  const std::vector<std::string> keys = {"image", "environment", "volumes", "ports", "depends_on"};
  EXPECT_EQ(did_you_mean("imagee", keys), "did you mean \"image\"?");
  EXPECT_EQ(did_you_mean("IMAGE", keys), "did you mean \"image\"?");  // case does not count
  EXPECT_EQ(did_you_mean("envirnoment", keys), "did you mean \"environment\"?");
  EXPECT_EQ(did_you_mean("volumse", keys), "did you mean \"volumes\"?");
  EXPECT_EQ(did_you_mean("depend_on", keys), "did you mean \"depends_on\"?");
  EXPECT_EQ(did_you_mean("frobnicate", keys), "");
  EXPECT_EQ(did_you_mean("image", {}), "");
}

TEST(DidYouMean, Thresholds) {
  // Up to a third of the word's length, at least 1 and at most 3 edits.
  EXPECT_EQ(closest_match("prt", {"port"}), "port");            // 3 chars: 1 edit allowed
  EXPECT_EQ(closest_match("prot", {"port"}), "port");           // a swap is one edit
  EXPECT_EQ(closest_match("imgae", {"image"}), "image");        // a swap is one edit
  EXPECT_EQ(closest_match("imagxx", {"image"}), "image");       // 6 chars: 2 allowed, 2 needed
  EXPECT_EQ(closest_match("imxgxx", {"image"}), std::nullopt);  // 6 chars: 3 needed
  EXPECT_EQ(closest_match("environmxnt__", {"environment"}), "environment");  // 13: 3 allowed
  EXPECT_EQ(closest_match("envxronmxnt___", {"environment"}), std::nullopt);  // 14: 5 needed
  EXPECT_EQ(closest_match("abcdefghijklmnopqrst", {"abcdefghijklmnopqXXXX"}), std::nullopt);
  EXPECT_EQ(closest_match("ab", {"xb"}), "xb");  // short words: 1 edit
  EXPECT_EQ(closest_match("ab", {"xy"}), std::nullopt);
  // The closest wins; on a tie, the first.
  EXPECT_EQ(closest_match("ports", {"posts", "ports2", "port"}), "posts");
  EXPECT_EQ(closest_match("volume", {"volumes", "volume_"}), "volumes");
}

TEST(ShellSplit, Words) {
  EXPECT_THAT(*shell_split("a b  c"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(*shell_split("  a\tb\nc  "), ElementsAre("a", "b", "c"));
  EXPECT_THAT(*shell_split(""), IsEmpty());
  EXPECT_THAT(*shell_split("   "), IsEmpty());
}

TEST(ShellSplit, QuotesAndEscapes) {
  EXPECT_THAT(*shell_split(R"('a b' "c d" e\ f)"), ElementsAre("a b", "c d", "e f"));
  EXPECT_THAT(*shell_split(R"(a'b'c"d"e)"), ElementsAre("abcde"));
  EXPECT_THAT(*shell_split(R"('' "")"), ElementsAre("", ""));
  // Single quotes keep everything; double quotes unescape only " \ $ and `.
  EXPECT_THAT(*shell_split(R"('a\"b $x')"), ElementsAre(R"(a\"b $x)"));
  EXPECT_THAT(*shell_split(R"("a \"q\" \\ \$ \` \n")"), ElementsAre(R"(a "q" \ $ ` \n)"));
  EXPECT_THAT(*shell_split(R"('don'\''t')"), ElementsAre("don't"));
  EXPECT_THAT(*shell_split(R"(nginx -g "daemon off;")"), ElementsAre("nginx", "-g", "daemon off;"));
  EXPECT_THAT(*shell_split(R"(a\\b \"c)"), ElementsAre(R"(a\b)", R"("c)"));
  EXPECT_THAT(*shell_split(R"(end\)"), ElementsAre(R"(end\)"));  // a final backslash stays
}

TEST(ShellSplit, UnterminatedQuotes) {
  EXPECT_EQ(shell_split("'abc"), std::nullopt);
  EXPECT_EQ(shell_split("\"abc"), std::nullopt);
  EXPECT_EQ(shell_split(R"("abc\")"), std::nullopt);  // the escaped quote does not close it
  EXPECT_EQ(shell_split("ok 'then open"), std::nullopt);
}

TEST(ShellQuote, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(shell_quote("abc"), "abc");
  EXPECT_EQ(shell_quote("--x=1,2:/p@h%+_."), "--x=1,2:/p@h%+_.");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("*"), "'*'");
}

TEST(ShellQuote, RoundTripsThroughShellSplit) {
  for (const std::string s : {"abc", "", "a b", "it's", "\"quoted\"", "back\\slash", "$x `y`",
                              "tab\there", "new\nline", "''", "semi;colon&amp"}) {
    auto words = shell_split(shell_quote(s));
    ASSERT_TRUE(words.has_value()) << s;
    EXPECT_THAT(*words, ElementsAre(s));
  }
}

TEST(Strings, SmallHelpers) {
  EXPECT_EQ(trim(" \t a b \n"), "a b");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(to_lower("AbC-1"), "abc-1");
  EXPECT_THAT(split("a::b", ':'), ElementsAre("a", "", "b"));
  EXPECT_THAT(split("", ':'), ElementsAre(""));
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(replace_all("aaa", "a", "aa"), "aaaaaa");  // no endless loop on overlap
  EXPECT_EQ(replace_all("abc", "", "x"), "abc");
}

}  // namespace
TEST(Strings, DidYouMeanCatchesSwappedLetters) {
  std::vector<std::string> keys = {"image", "ports", "volumes"};
  EXPECT_EQ(did_you_mean("imgae", keys), "did you mean \"image\"?");
  EXPECT_EQ(did_you_mean("prots", keys), "did you mean \"ports\"?");
  EXPECT_EQ(did_you_mean("xyzzy", keys), "");
}

}  // namespace edgecrew
