#include <gtest/gtest.h>

#include "stack/dotenv.h"

namespace edgecrew::stack {
namespace {

class DotenvTest : public ::testing::Test {
 protected:
  std::map<std::string, DotenvEntry> parse(std::string_view text) {
    VariableLookup lookup = [this](const std::string& name) -> std::optional<std::string> {
      auto it = m_env.find(name);
      if (it == m_env.end()) return std::nullopt;
      return it->second;
    };
    return parse_dotenv(text, ".env", lookup, m_diags);
  }

  // Value of `key`, or "<missing>".
  static std::string value(const std::map<std::string, DotenvEntry>& env, const std::string& key) {
    auto it = env.find(key);
    return it == env.end() ? "<missing>" : it->second.value;
  }

  static std::pair<int, int> pos(const Location& where) { return {where.line, where.column}; }

  std::map<std::string, std::string> m_env = {{"HOME", "/home/alice"}, {"SHELL_EMPTY", ""}};
  Diagnostics m_diags;
};

TEST_F(DotenvTest, SimpleAssignments) {
  auto env = parse("A=1\nB=two\nC=\n");
  EXPECT_FALSE(m_diags.has_errors());
  ASSERT_EQ(env.size(), 3u);
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "B"), "two");
  EXPECT_EQ(value(env, "C"), "");
}

TEST_F(DotenvTest, NoTrailingNewlineAndCrlf) {
  auto env = parse("A=1\r\nB=2");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "B"), "2");
}

TEST_F(DotenvTest, WhereIsFileLineAndColumnOfTheKey) {
  auto env = parse("\n# c\nA=1\n   B = 2\nexport  C=3\n");
  ASSERT_EQ(env.size(), 3u);
  EXPECT_EQ(env["A"].where.file, ".env");
  EXPECT_EQ(pos(env["A"].where), std::make_pair(3, 1));
  EXPECT_EQ(pos(env["B"].where), std::make_pair(4, 4));
  EXPECT_EQ(pos(env["C"].where), std::make_pair(5, 9));
}

TEST_F(DotenvTest, ExportPrefix) {
  auto env = parse("export A=1\nexport\tB=2\nexport=3\nexporter=4\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "B"), "2");
  EXPECT_EQ(value(env, "export"), "3");
  EXPECT_EQ(value(env, "exporter"), "4");
  EXPECT_EQ(env.count("export A"), 0u);
}

TEST_F(DotenvTest, BlankAndCommentLinesAreSkipped) {
  auto env = parse("# comment=1\n\n   \n\t# indented comment\nA=1\n");
  EXPECT_TRUE(m_diags.items().empty());
  ASSERT_EQ(env.size(), 1u);
  EXPECT_EQ(value(env, "A"), "1");
}

TEST_F(DotenvTest, WhitespaceAroundKeyAndEquals) {
  auto env = parse("  A  =  spaced value  \nB\t=\tx\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "spaced value");
  EXPECT_EQ(value(env, "B"), "x");
}

TEST_F(DotenvTest, UnquotedInlineComment) {
  auto env = parse("A=value # a comment\nB=a#b\nC=x\t# tab comment\nD= # only comment\nE=#x\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "value");
  EXPECT_EQ(value(env, "B"), "a#b");
  EXPECT_EQ(value(env, "C"), "x");
  EXPECT_EQ(value(env, "D"), "");
  EXPECT_EQ(value(env, "E"), "#x");
}

TEST_F(DotenvTest, ValueMayContainEquals) {
  auto env = parse("URL=postgres://u:p@h/db?sslmode=require\n");
  EXPECT_EQ(value(env, "URL"), "postgres://u:p@h/db?sslmode=require");
}

TEST_F(DotenvTest, SingleQuotesAreLiteral) {
  auto env = parse("A='  $HOME ${NOPE} \\n # not a comment '\nB=''\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "  $HOME ${NOPE} \\n # not a comment ");
  EXPECT_EQ(value(env, "B"), "");
}

TEST_F(DotenvTest, DoubleQuotesKeepSpacesAndHash) {
  auto env = parse("A=\"  a # b  \" # trailing comment\n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "A"), "  a # b  ");
}

TEST_F(DotenvTest, DoubleQuoteEscapes) {
  auto env = parse(R"(A="l1\nl2\tt\rr\"q\"\\b\$HOME\x")"
                   "\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "l1\nl2\tt\rr\"q\"\\b$HOME\\x");
}

TEST_F(DotenvTest, EscapedBackslashBeforeDollarStillExpands) {
  auto env = parse(R"(A="\\$HOME")"
                   "\n");
  EXPECT_EQ(value(env, "A"), "\\/home/alice");
}

TEST_F(DotenvTest, DoubleQuotesExpand) {
  auto env = parse("A=\"${HOME}/x $HOME ${NOPE:-def} $$\"\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "/home/alice/x /home/alice def $");
}

TEST_F(DotenvTest, UnquotedValuesExpand) {
  auto env = parse("A=${HOME}/bin\nB=$HOME:x\nC=${SHELL_EMPTY-unused}|${SHELL_EMPTY:-used}\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "/home/alice/bin");
  EXPECT_EQ(value(env, "B"), "/home/alice:x");
  EXPECT_EQ(value(env, "C"), "|used");
}

TEST_F(DotenvTest, UnsetVariableExpandsToEmpty) {
  auto env = parse("A=[${NOPE}]\nB=\"[$NOPE]\"\nC=${NOPE-dflt}\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "[]");
  EXPECT_EQ(value(env, "B"), "[]");
  EXPECT_EQ(value(env, "C"), "dflt");  // unset is not the same as empty
}

TEST_F(DotenvTest, ExpansionPrefersEarlierKeysOverLookup) {
  auto env = parse("HOME=/srv\nA=${HOME}/a\nB=$A/b\n");
  EXPECT_EQ(value(env, "A"), "/srv/a");
  EXPECT_EQ(value(env, "B"), "/srv/a/b");
}

TEST_F(DotenvTest, ExpansionSeesOnlyEarlierKeys) {
  auto env = parse("A=[${LATER}]\nLATER=x\n");
  EXPECT_EQ(value(env, "A"), "[]");
}

TEST_F(DotenvTest, SelfReferenceUsesThePreviousValue) {
  auto env = parse("P=$HOME\nP=$P:/extra\n");
  EXPECT_EQ(value(env, "P"), "/home/alice:/extra");
}

TEST_F(DotenvTest, LaterLinesOverrideEarlier) {
  auto env = parse("A=1\nB=x\nA=2\n");
  EXPECT_EQ(value(env, "A"), "2");
  EXPECT_EQ(pos(env["A"].where), std::make_pair(3, 1));
}

TEST_F(DotenvTest, MultiLineDoubleQuotes) {
  auto env = parse("A=\"first\nsecond\n  third\"\nB=after\n\n  C=c\n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "A"), "first\nsecond\n  third");
  EXPECT_EQ(pos(env["A"].where), std::make_pair(1, 1));
  EXPECT_EQ(value(env, "B"), "after");
  EXPECT_EQ(pos(env["B"].where), std::make_pair(4, 1));
  EXPECT_EQ(pos(env["C"].where), std::make_pair(6, 3));
}

TEST_F(DotenvTest, MultiLineValueContentIsNotParsedAsKeys) {
  auto env = parse("CERT=\"-----BEGIN-----\nX=not a key\n# not a comment\n-----END-----\"\n");
  EXPECT_FALSE(m_diags.has_errors());
  ASSERT_EQ(env.size(), 1u);
  EXPECT_EQ(value(env, "CERT"), "-----BEGIN-----\nX=not a key\n# not a comment\n-----END-----");
}

TEST_F(DotenvTest, MultiLineSingleQuotes) {
  auto env = parse("A='x\n$HOME'\nB=1\n");
  EXPECT_EQ(value(env, "A"), "x\n$HOME");
  EXPECT_EQ(pos(env["B"].where), std::make_pair(3, 1));
}

TEST_F(DotenvTest, ErrorPositionAfterAMultiLineValue) {
  parse("A=\"x\ny\"\nB@D=v\n");
  ASSERT_EQ(m_diags.items().size(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(3, 1));
}

TEST_F(DotenvTest, InvalidKeyIsAnErrorAndTheLineIsSkipped) {
  auto env = parse("A=1\n  B@D=x\nMY/KEY=y\nB=2\n");
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "B"), "2");
  EXPECT_EQ(env.size(), 2u);
  ASSERT_EQ(m_diags.error_count(), 2u);
  const auto& d = m_diags.items()[0];
  EXPECT_EQ(d.severity, Severity::error);
  EXPECT_EQ(d.where.file, ".env");
  EXPECT_EQ(pos(d.where), std::make_pair(2, 3));
  EXPECT_NE(d.message.find("B@D"), std::string::npos);
  EXPECT_FALSE(d.hint.empty());
  EXPECT_EQ(pos(m_diags.items()[1].where), std::make_pair(3, 1));
}

TEST_F(DotenvTest, InvalidKeyWithExportReportsTheKeyColumn) {
  parse("export X@Y=1\n");
  ASSERT_EQ(m_diags.error_count(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(1, 8));
}

// Compose's .env names: letters, digits, '_', '.', '-', '[', ']' in any order (a digit may lead).
TEST_F(DotenvTest, NamesAsComposeReadsThem) {
  auto env = parse("1ABC=1\nMY.KEY=2\nmy-key=3\nA[0]=4\n_x=5\n\xc3\xa9t\xc3\xa9=6\n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "1ABC"), "1");
  EXPECT_EQ(value(env, "MY.KEY"), "2");
  EXPECT_EQ(value(env, "my-key"), "3");
  EXPECT_EQ(value(env, "A[0]"), "4");
  EXPECT_EQ(value(env, "_x"), "5");
  EXPECT_EQ(value(env, "\xc3\xa9t\xc3\xa9"), "6");
  for (const char* bad : {"A$B=1\n", "A/B=1\n", "A,B=1\n", "A*=1\n"}) {
    Diagnostics diags;
    parse_dotenv(bad, ".env", nullptr, diags);
    EXPECT_EQ(diags.error_count(), 1u) << bad;
  }
}

// Compose also reads `KEY: value`; the name ends at the first '=' or ':'.
TEST_F(DotenvTest, ColonSeparatesLikeEquals) {
  auto env = parse("A: 1\nURL=http://h:80/x\nB:\"q: r\"\n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "URL"), "http://h:80/x");
  EXPECT_EQ(value(env, "B"), "q: r");
}

TEST_F(DotenvTest, EmptyKeyIsAnError) {
  auto env = parse("=value\n");
  EXPECT_TRUE(env.empty());
  ASSERT_EQ(m_diags.error_count(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(1, 1));
}

TEST_F(DotenvTest, InvalidKeyWithMultiLineValueSkipsTheWholeValue) {
  auto env = parse("B@D=\"a\nB=inside\"\nC=1\n");
  EXPECT_EQ(env.count("B"), 0u);
  EXPECT_EQ(value(env, "C"), "1");
  EXPECT_EQ(m_diags.error_count(), 1u);
}

TEST_F(DotenvTest, BareKeyTakesTheValueFromLookup) {
  auto env = parse("HOME\nNOT_IN_ENV\n  SHELL_EMPTY  \n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "HOME"), "/home/alice");
  EXPECT_EQ(pos(env["HOME"].where), std::make_pair(1, 1));
  EXPECT_EQ(env.count("NOT_IN_ENV"), 0u);
  EXPECT_EQ(value(env, "SHELL_EMPTY"), "");
  EXPECT_EQ(pos(env["SHELL_EMPTY"].where), std::make_pair(3, 3));
}

TEST_F(DotenvTest, BareKeyWithExportAndComment) {
  auto env = parse("export HOME # from the shell\n");
  EXPECT_TRUE(m_diags.items().empty());
  EXPECT_EQ(value(env, "HOME"), "/home/alice");
}

TEST_F(DotenvTest, LineWithoutEqualsThatIsNotANameIsAnError) {
  auto env = parse("A=1\n  this is not valid\n");
  EXPECT_EQ(env.size(), 1u);
  ASSERT_EQ(m_diags.error_count(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(2, 3));
}

TEST_F(DotenvTest, UnterminatedDoubleQuote) {
  auto env = parse("A=1\nB =  \"never closed\nC=3\n");
  ASSERT_EQ(m_diags.error_count(), 1u);
  const auto& d = m_diags.items()[0];
  EXPECT_EQ(pos(d.where), std::make_pair(2, 6));
  EXPECT_NE(d.message.find("unterminated"), std::string::npos);
  EXPECT_EQ(env.count("B"), 0u);
  // Only the line with the stray quote is lost.
  EXPECT_EQ(value(env, "A"), "1");
  EXPECT_EQ(value(env, "C"), "3");
}

TEST_F(DotenvTest, UnterminatedSingleQuote) {
  auto env = parse("A='oops\n");
  ASSERT_EQ(m_diags.error_count(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(1, 3));
  EXPECT_TRUE(env.empty());
}

TEST_F(DotenvTest, EscapedQuoteDoesNotCloseTheValue) {
  auto env = parse(R"(A="say \"hi\"")"
                   "\n");
  EXPECT_FALSE(m_diags.has_errors());
  EXPECT_EQ(value(env, "A"), "say \"hi\"");
}

TEST_F(DotenvTest, TextAfterClosingQuoteIsAWarning) {
  auto env = parse("A=\"x\" y\n");
  EXPECT_FALSE(m_diags.has_errors());
  ASSERT_EQ(m_diags.items().size(), 1u);
  EXPECT_EQ(m_diags.items()[0].severity, Severity::warning);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(1, 7));
  EXPECT_EQ(value(env, "A"), "x");
}

TEST_F(DotenvTest, InterpolationErrorsArePositioned) {
  auto env = parse("A=ok\nB=x ${NOPE:?needed}\nC=\"a\nb ${oops\"\nD=1\n");
  EXPECT_EQ(env.count("B"), 0u);
  EXPECT_EQ(env.count("C"), 0u);
  EXPECT_EQ(value(env, "D"), "1");
  ASSERT_EQ(m_diags.error_count(), 2u);
  EXPECT_EQ(m_diags.items()[0].message, "variable \"NOPE\" is required: needed");
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(2, 5));
  EXPECT_EQ(pos(m_diags.items()[1].where), std::make_pair(4, 3));
}

TEST_F(DotenvTest, InterpolationErrorPositionAccountsForEscapes) {
  // `\n` is two bytes in the file but one in the value; the column must be the file's.
  parse(R"(A="\n\t${NOPE:?x}")"
        "\n");
  ASSERT_EQ(m_diags.error_count(), 1u);
  EXPECT_EQ(pos(m_diags.items()[0].where), std::make_pair(1, 8));
}

TEST_F(DotenvTest, NullLookupIsAllowed) {
  Diagnostics diags;
  auto env = parse_dotenv("A=${X:-d}\nHOME\n", "f", VariableLookup{}, diags);
  EXPECT_FALSE(diags.has_errors());
  EXPECT_EQ(value(env, "A"), "d");
  EXPECT_EQ(env.count("HOME"), 0u);
}

TEST_F(DotenvTest, EmptyInput) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(m_diags.items().empty());
}

}  // namespace
}  // namespace edgecrew::stack
