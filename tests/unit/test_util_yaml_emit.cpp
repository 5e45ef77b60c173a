// to_yaml: block YAML whose strings every YAML reader takes back as the same strings.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "util/yaml_emit.h"

namespace edgecrew {
namespace {

using json = nlohmann::ordered_json;

std::string value_line(const std::string& s) {
  return to_yaml(json{{"k", s}});
}

TEST(ToYaml, StringsThatLookLikeOtherTypesAreQuoted) {
  for (const char* s :
       {"1",       "0.85", "-1",   "+1",    "1e3",  "1_000", "0x1F",  "0xff", "0o17", "1:30",
        "0.0.0.0", ".5",   "true", "False", "YES",  "no",    "on",    "Off",  "y",    "N",
        "null",    "Null", "~",    "",      ".inf", "-.Inf", "+.inf", ".NaN", "<<",   "="}) {
    EXPECT_EQ(value_line(s), "k: \"" + std::string(s) + "\"\n") << s;
  }
}

TEST(ToYaml, StringsWithSyntaxAreQuoted) {
  for (const char* s :
       {"- x", "-",  "? x", ": x", "a: b", "x:",    "a #b", "#x", "*alias", "&anchor", "!tag",  "|",
        ">",   "@x", "`x",  "%x",  "{x",   "[::1]", "]",    ",x", "'x",     " lead",   "trail "}) {
    EXPECT_EQ(value_line(s).substr(0, 4), "k: \"") << s;
  }
  EXPECT_EQ(value_line("say \"hi\"\\"), "k: say \"hi\"\\\n");  // quotes inside need no quoting
  EXPECT_EQ(value_line("\"q\""), "k: \"\\\"q\\\"\"\n");
  EXPECT_EQ(value_line("two\nlines\ttab\r\x01\x7f"), "k: \"two\\nlines\\ttab\\r\\x01\\x7f\"\n");
}

TEST(ToYaml, OrdinaryStringsAreNotQuoted) {
  for (const char* s : {"--flag",
                        "--tensor-parallel-size",
                        "--",
                        "-x",
                        "plain text",
                        "a:b",
                        "nvidia.com/gpu=all",
                        "http://127.0.0.1:8000/v1",
                        "compute,utility",
                        "redis-cli ping | grep -q PONG",
                        "neo4j/********",
                        "x",
                        "e",
                        "1a",
                        "v1.2.3",
                        "a#b",
                        "?x",
                        ":x",
                        "Yesterday",
                        "nullable"}) {
    EXPECT_EQ(value_line(s), "k: " + std::string(s) + "\n") << s;
  }
}

TEST(ToYaml, OtherScalarsArePlain) {
  EXPECT_EQ(to_yaml(json{{"i", 5}, {"f", 0.5}, {"b", true}, {"z", nullptr}, {"neg", -3}}),
            "i: 5\nf: 0.5\nb: true\nz: null\nneg: -3\n");
}

TEST(ToYaml, KeysAreQuotedByTheSameRules) {
  EXPECT_EQ(to_yaml(json{{"true", 1}, {"a b", 2}, {"x: y", 3}, {"", 4}, {"8080", 5}}),
            "\"true\": 1\na b: 2\n\"x: y\": 3\n\"\": 4\n\"8080\": 5\n");
}

TEST(ToYaml, NestedListsAndMaps) {
  json v = json::parse(R"({
    "services": {
      "a": {
        "command": ["--x", "1"],
        "ports": [{"target": 80, "published": "8080"}, {"target": 53}],
        "deploy": {"resources": {"limits": {"cpus": 0.5}}},
        "empty_list": [],
        "empty_map": {},
        "nested": [[1, [2]], [], {}, [{"a": 1}]]
      }
    },
    "list_of_maps": [{"a": {"b": [1]}, "c": 2}]
  })");
  EXPECT_EQ(to_yaml(v),
            "services:\n"
            "  a:\n"
            "    command:\n"
            "    - --x\n"
            "    - \"1\"\n"
            "    ports:\n"
            "    - target: 80\n"
            "      published: \"8080\"\n"
            "    - target: 53\n"
            "    deploy:\n"
            "      resources:\n"
            "        limits:\n"
            "          cpus: 0.5\n"
            "    empty_list: []\n"
            "    empty_map: {}\n"
            "    nested:\n"
            "    -\n"
            "      - 1\n"
            "      -\n"
            "        - 2\n"
            "    - []\n"
            "    - {}\n"
            "    -\n"
            "      - a: 1\n"
            "list_of_maps:\n"
            "- a:\n"
            "    b:\n"
            "    - 1\n"
            "  c: 2\n");
}

TEST(ToYaml, TopLevelValues) {
  EXPECT_EQ(to_yaml(json::object()), "{}\n");
  EXPECT_EQ(to_yaml(json::array()), "[]\n");
  EXPECT_EQ(to_yaml(json("yes")), "\"yes\"\n");
  EXPECT_EQ(to_yaml(json::array({"a", 1})), "- a\n- 1\n");
}

// What a YAML reader gets back: every string the same, each tricky one as a quoted (string) node.
TEST(ToYaml, RoundTripThroughYamlCpp) {
  std::vector<std::string> strings = {"1",
                                      "0.85",
                                      "true",
                                      "no",
                                      "null",
                                      "~",
                                      "",
                                      "--flag",
                                      "- x",
                                      "-",
                                      "a: b",
                                      "a #b",
                                      "#x",
                                      "*alias",
                                      "&a",
                                      "!t",
                                      "|",
                                      ">",
                                      "@x",
                                      "`x",
                                      "%x",
                                      "{x}",
                                      "[x]",
                                      ",",
                                      "'",
                                      "\"",
                                      " lead",
                                      "trail ",
                                      "two\nlines",
                                      "tab\there",
                                      "\x01",
                                      "back\\slash",
                                      "x:",
                                      "? x",
                                      "<<",
                                      "0xff",
                                      "nvidia.com/gpu=all",
                                      "redis://:********@127.0.0.1:6379/0",
                                      "--tensor-parallel-size",
                                      "日本語"};
  json root = json::object();
  json list = json::array();
  json keys = json::object();
  for (std::size_t i = 0; i < strings.size(); ++i) {
    root["s" + std::to_string(i)] = strings[i];
    list.push_back(strings[i]);
    keys[strings[i]] = i;
  }
  root["list"] = list;
  root["keys"] = keys;
  root["nested"] = json::array({json::array({strings[0], json{{"k", strings[8]}}})});
  std::string text = to_yaml(root);
  YAML::Node back;
  ASSERT_NO_THROW(back = YAML::Load(text)) << text;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    SCOPED_TRACE(strings[i]);
    YAML::Node value = back["s" + std::to_string(i)];
    ASSERT_TRUE(value.IsScalar()) << text;
    EXPECT_EQ(value.as<std::string>(), strings[i]);
    EXPECT_EQ(back["list"][i].as<std::string>(), strings[i]);
    EXPECT_EQ(back["keys"][strings[i]].as<std::size_t>(), i);
  }
  // Plain scalars a reader could type as number, boolean or null come back quoted ("!" tag).
  for (const char* s : {"1", "0.85", "true", "no", "null", "~", "", "0xff"}) {
    std::size_t i = std::find(strings.begin(), strings.end(), s) - strings.begin();
    EXPECT_EQ(back["s" + std::to_string(i)].Tag(), "!") << s;
  }
  EXPECT_EQ(back["nested"][0][0].as<std::string>(), "1");
  EXPECT_EQ(back["nested"][0][1]["k"].as<std::string>(), "- x");
}

}  // namespace
}  // namespace edgecrew
