#include <gtest/gtest.h>

#include <map>

#include "stack/interpolate.h"

namespace edgecrew::stack {
namespace {

using Vars = std::vector<std::string>;

class InterpolateTest : public ::testing::Test {
 protected:
  VariableLookup lookup() {
    return [this](const std::string& name) -> std::optional<std::string> {
      ++m_lookups[name];
      auto it = m_env.find(name);
      if (it == m_env.end()) return std::nullopt;
      return it->second;
    };
  }

  // Expects success and returns the value.
  std::string ok(std::string_view text) {
    Interpolated r = interpolate(text, lookup());
    EXPECT_FALSE(r.error.has_value()) << text << ": " << (r.error ? r.error->message : "");
    return r.value;
  }

  InterpolationError err(std::string_view text) {
    Interpolated r = interpolate(text, lookup());
    EXPECT_TRUE(r.error.has_value()) << text << " gave \"" << r.value << "\"";
    return r.error.value_or(InterpolationError{});
  }

  std::map<std::string, std::string> m_env = {
      {"HOST", "db.local"}, {"PORT", "5432"}, {"EMPTY", ""}, {"USER", "alice"}, {"B", "bee"},
  };
  std::map<std::string, int> m_lookups;
};

TEST_F(InterpolateTest, PlainTextIsUnchanged) {
  EXPECT_EQ(ok(""), "");
  EXPECT_EQ(ok("postgres:16-alpine"), "postgres:16-alpine");
  EXPECT_EQ(ok("{braces} and } alone"), "{braces} and } alone");
}

TEST_F(InterpolateTest, DollarName) {
  EXPECT_EQ(ok("$HOST"), "db.local");
  EXPECT_EQ(ok("tcp://$HOST:$PORT/x"), "tcp://db.local:5432/x");
  // The name is the longest run of name characters: `$HOST_X` is HOST_X, not HOST + "_X".
  m_env["HOST_X"] = "hx";
  EXPECT_EQ(ok("$HOST_X-$HOST.y"), "hx-db.local.y");
}

TEST_F(InterpolateTest, UnderscoreStartsAName) {
  m_env["_x1"] = "under";
  EXPECT_EQ(ok("$_x1"), "under");
  EXPECT_EQ(ok("${_x1}"), "under");
}

TEST_F(InterpolateTest, BracedName) {
  EXPECT_EQ(ok("${HOST}"), "db.local");
  EXPECT_EQ(ok("${HOST}name"), "db.localname");
  EXPECT_EQ(ok("a${USER}b${PORT}c"), "aaliceb5432c");
}

TEST_F(InterpolateTest, SetButEmptyPlainVariableIsEmptyNotAnError) {
  EXPECT_EQ(ok("[${EMPTY}]"), "[]");
  EXPECT_EQ(ok("[$EMPTY]"), "[]");
}

TEST_F(InterpolateTest, DoubleDollarIsLiteralDollar) {
  EXPECT_EQ(ok("$$"), "$");
  EXPECT_EQ(ok("$$HOST"), "$HOST");
  EXPECT_EQ(ok("$${HOST}"), "${HOST}");
  EXPECT_EQ(ok("$$$HOST"), "$db.local");
  EXPECT_EQ(ok("$$$$"), "$$");
  EXPECT_EQ(ok("echo $${UNSET_IS_FINE}"), "echo ${UNSET_IS_FINE}");
}

TEST_F(InterpolateTest, DollarNotFollowedByAnExpressionIsLiteral) {
  EXPECT_EQ(ok("cost $5"), "cost $5");
  EXPECT_EQ(ok("a $ b"), "a $ b");
  EXPECT_EQ(ok("end$"), "end$");
  EXPECT_EQ(ok("$-x $. $/"), "$-x $. $/");
  EXPECT_EQ(ok("$1$HOST"), "$1db.local");
}

TEST_F(InterpolateTest, ColonDashUsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(ok("${HOST:-fallback}"), "db.local");
  EXPECT_EQ(ok("${NOPE:-fallback}"), "fallback");
  EXPECT_EQ(ok("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(ok("${NOPE:-}"), "");
}

TEST_F(InterpolateTest, DashUsesDefaultOnlyWhenUnset) {
  EXPECT_EQ(ok("${HOST-fallback}"), "db.local");
  EXPECT_EQ(ok("${NOPE-fallback}"), "fallback");
  EXPECT_EQ(ok("[${EMPTY-fallback}]"), "[]");
}

TEST_F(InterpolateTest, DefaultsMayContainSpecialCharacters) {
  EXPECT_EQ(ok("${NOPE:-a b:c-d?e+f{g}"), "a b:c-d?e+f{g");
  EXPECT_EQ(ok("${NOPE:-cost $5}"), "cost $5");
  EXPECT_EQ(ok("${NOPE:-$$}"), "$");
  EXPECT_EQ(ok("${NOPE:-x}}"), "x}");  // the first `}` closes, the second is text
}

TEST_F(InterpolateTest, ColonQuestionFailsWhenUnsetOrEmpty) {
  EXPECT_EQ(ok("${HOST:?need a host}"), "db.local");

  auto e = err("x=${NOPE:?need a host}");
  EXPECT_EQ(e.message, "variable \"NOPE\" is required: need a host");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_FALSE(e.hint.empty());

  e = err("${EMPTY:?must not be empty}");
  EXPECT_EQ(e.message, "variable \"EMPTY\" is required: must not be empty");
  EXPECT_EQ(e.offset, 0u);
}

TEST_F(InterpolateTest, QuestionFailsOnlyWhenUnset) {
  EXPECT_EQ(ok("[${EMPTY?gone}]"), "[]");
  EXPECT_EQ(ok("${PORT?gone}"), "5432");
  auto e = err("${NOPE?gone}");
  EXPECT_EQ(e.message, "variable \"NOPE\" is required: gone");
}

TEST_F(InterpolateTest, RequiredWithoutMessage) {
  EXPECT_EQ(err("${NOPE:?}").message, "variable \"NOPE\" is required");
  EXPECT_EQ(err("${NOPE?}").message, "variable \"NOPE\" is required");
}

TEST_F(InterpolateTest, RequiredMessageIsInterpolated) {
  EXPECT_EQ(err("${NOPE:?ask $USER}").message, "variable \"NOPE\" is required: ask alice");
}

TEST_F(InterpolateTest, ColonPlusUsesAlternativeWhenSetAndNonEmpty) {
  EXPECT_EQ(ok("[${HOST:+alt}]"), "[alt]");
  EXPECT_EQ(ok("[${EMPTY:+alt}]"), "[]");
  EXPECT_EQ(ok("[${NOPE:+alt}]"), "[]");
}

TEST_F(InterpolateTest, PlusUsesAlternativeWhenSet) {
  EXPECT_EQ(ok("[${HOST+alt}]"), "[alt]");
  EXPECT_EQ(ok("[${EMPTY+alt}]"), "[alt]");
  EXPECT_EQ(ok("[${NOPE+alt}]"), "[]");
}

TEST_F(InterpolateTest, NestedDefaults) {
  EXPECT_EQ(ok("${NOPE:-${B:-x}}"), "bee");
  EXPECT_EQ(ok("${NOPE:-${NOPE2:-x}}"), "x");
  EXPECT_EQ(ok("${NOPE:-${NOPE2:-${NOPE3:-${USER}}}}"), "alice");
  EXPECT_EQ(ok("${NOPE:-pre-${B}-post}!"), "pre-bee-post!");
  EXPECT_EQ(ok("${NOPE:-$B/$PORT}"), "bee/5432");
  EXPECT_EQ(ok("${HOST:+${PORT}:${USER}}"), "5432:alice");
  EXPECT_EQ(ok("${NOPE:-a}${NOPE:-b}"), "ab");
}

TEST_F(InterpolateTest, UntakenBranchIsNotEvaluated) {
  // These would be errors if the branch were expanded.
  EXPECT_EQ(ok("${HOST:-${NOPE}}"), "db.local");
  EXPECT_EQ(ok("${HOST:-${NOPE:?boom}}"), "db.local");
  EXPECT_EQ(ok("${HOST:?${NOPE}}"), "db.local");
  EXPECT_EQ(ok("[${NOPE:+$NOPE2}]"), "[]");
  EXPECT_EQ(m_lookups.count("NOPE2"), 0u);
}

TEST_F(InterpolateTest, UnsetVariableWithoutDefaultIsAnError) {
  auto e = err("redis://:${REDIS_PASSWORD}@cache");
  EXPECT_EQ(e.message, "variable \"REDIS_PASSWORD\" is not set");
  EXPECT_EQ(e.hint,
            "set it in the environment or in .env, or give a default: ${REDIS_PASSWORD:-value}");
  EXPECT_EQ(e.offset, 9u);

  e = err("ab $NOPE");
  EXPECT_EQ(e.message, "variable \"NOPE\" is not set");
  EXPECT_EQ(e.offset, 3u);
}

TEST_F(InterpolateTest, ErrorLeavesNoPartialValue) {
  Interpolated r = interpolate("$HOST-$NOPE", lookup());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.value, "");
}

TEST_F(InterpolateTest, EmptyLookupFunctionMeansNothingIsSet) {
  Interpolated r = interpolate("${A:-d}", VariableLookup{});
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.value, "d");
  EXPECT_TRUE(interpolate("$A", VariableLookup{}).error);
}

TEST_F(InterpolateTest, ErrorOffsetCountsEscapedDollarsInTheOriginalText) {
  // The output has one `$` for each `$$`; the offset must still be the one in the input.
  EXPECT_EQ(err("$$$$ ${NOPE}").offset, 5u);
  EXPECT_EQ(err("$$${NOPE}").offset, 2u);
  EXPECT_EQ(err("${HOST}${NOPE}").offset, 7u);
}

TEST_F(InterpolateTest, NestedErrorOffsetIsTheInnermostDollar) {
  auto e = err("x ${NOPE:-${NOPE2}}");
  EXPECT_EQ(e.message, "variable \"NOPE2\" is not set");
  EXPECT_EQ(e.offset, 10u);

  e = err("${X:-${Y:-${W:-$$ $ZZ}}}");
  EXPECT_EQ(e.message, "variable \"ZZ\" is not set");
  EXPECT_EQ(e.offset, 18u);

  e = err("${NOPE:-${EMPTY:?must be set}}");
  EXPECT_EQ(e.message, "variable \"EMPTY\" is required: must be set");
  EXPECT_EQ(e.offset, 8u);
}

TEST_F(InterpolateTest, UnterminatedBrace) {
  auto e = err("ab ${HOST");
  EXPECT_EQ(e.message, "unterminated \"${\"");
  EXPECT_EQ(e.hint, "close it with \"}\", or write \"$$\" for a literal \"$\"");
  EXPECT_EQ(e.offset, 3u);

  EXPECT_EQ(err("${").offset, 0u);
  EXPECT_EQ(err("${HOST:-abc").message, "unterminated \"${\"");
  EXPECT_EQ(err("${HOST:").message, "unterminated \"${\"");
}

TEST_F(InterpolateTest, UnterminatedEvenWhenTheVariableIsSet) {
  // A set variable must not hide the missing brace.
  EXPECT_EQ(err("${HOST").offset, 0u);
  EXPECT_EQ(err("${HOST:-x").offset, 0u);
}

TEST_F(InterpolateTest, UnterminatedNesting) {
  // The inner `${B}` is closed; the outer one is not.
  auto e = err("v=${NOPE:-${B}");
  EXPECT_EQ(e.message, "unterminated \"${\"");
  EXPECT_EQ(e.offset, 2u);
  // Here the inner one is the unclosed one.
  e = err("v=${NOPE:-x ${B");
  EXPECT_EQ(e.message, "unterminated \"${\"");
  EXPECT_EQ(e.offset, 12u);
}

TEST_F(InterpolateTest, InvalidNamesInBraces) {
  auto e = err("a ${1abc}");
  EXPECT_EQ(e.message, "invalid variable name \"1abc\"");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_FALSE(e.hint.empty());

  EXPECT_EQ(err("${}").message, "invalid variable name \"\"");
  EXPECT_EQ(err("${A B}").message, "invalid variable name \"A B\"");
  EXPECT_EQ(err("${a.b}").message, "invalid variable name \"a.b\"");
  EXPECT_EQ(err("${:-x}").message, "invalid variable name \"\"");
}

TEST_F(InterpolateTest, InvalidNameIsReportedEvenInAnUntakenBranch) {
  auto e = err("${HOST:-${9}}");
  EXPECT_EQ(e.message, "invalid variable name \"9\"");
  EXPECT_EQ(e.offset, 8u);
}

TEST_F(InterpolateTest, ColonWithoutAnOperatorIsAnError) {
  auto e = err("x${HOST:x}");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_NE(e.message.find("HOST"), std::string::npos);
  EXPECT_TRUE(err("${HOST:}").offset == 0u);
}

TEST_F(InterpolateTest, VariablesListsSubstitutedVariablesInOrderOnce) {
  Interpolated r = interpolate("$PORT ${HOST} $PORT ${USER:-x} $$B", lookup());
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.variables, (Vars{"PORT", "HOST", "USER"}));
}

TEST_F(InterpolateTest, VariablesExcludesUnsetAndUnusedLookups) {
  // NOPE was looked up but its default was used; HOST's branch was never taken.
  Interpolated r = interpolate("${NOPE:-${B}} ${USER:-${HOST}}", lookup());
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.value, "bee alice");
  EXPECT_EQ(r.variables, (Vars{"B", "USER"}));
}

TEST_F(InterpolateTest, VariablesForEmptyValues) {
  // `-` substitutes the (empty) value, `:-` substitutes the default instead.
  EXPECT_EQ(interpolate("${EMPTY-d}", lookup()).variables, (Vars{"EMPTY"}));
  EXPECT_EQ(interpolate("${EMPTY:-d}", lookup()).variables, Vars{});
  EXPECT_EQ(interpolate("$EMPTY", lookup()).variables, (Vars{"EMPTY"}));
}

TEST_F(InterpolateTest, VariablesForAlternatives) {
  // `+` substitutes the alternative, never the variable's own value.
  EXPECT_EQ(interpolate("${HOST:+$PORT}", lookup()).variables, (Vars{"PORT"}));
}

TEST_F(InterpolateTest, UnsetVariablesEmptyMode) {
  Interpolated r = interpolate("[$NOPE][${NOPE}][${NOPE-d}][${NOPE:+a}][$HOST]", lookup(),
                               UnsetVariables::empty);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.value, "[][][d][][db.local]");
  EXPECT_EQ(r.variables, (Vars{"HOST"}));
  // An explicit requirement still fails, and syntax errors are still errors.
  EXPECT_TRUE(interpolate("${NOPE:?x}", lookup(), UnsetVariables::empty).error);
  EXPECT_TRUE(interpolate("${NOPE", lookup(), UnsetVariables::empty).error);
}

TEST_F(InterpolateTest, DeepNesting) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "${NOPE:-";
  text += "$B";
  for (int i = 0; i < 200; ++i) text += "}";
  EXPECT_EQ(ok(text), "bee");
}

}  // namespace
}  // namespace edgecrew::stack
