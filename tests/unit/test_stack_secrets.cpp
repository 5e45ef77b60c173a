// What counts as a secret, masking it in text and JSON, and generating missing ones into a 0600
// env file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "stack/secrets.h"
#include "util/fs.h"

namespace edgecrew::stack {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::MatchesRegex;
using ::testing::Not;

TEST(IsSecretName, MatchesTheSecretWordsInAnyCase) {
  for (const char* name : {"REDIS_PASSWORD", "neo4j_password", "NEO4J_AUTH", "HF_TOKEN",
                           "AWS_SECRET_ACCESS_KEY", "api_key", "Client_Secret", "password"}) {
    EXPECT_TRUE(is_secret_name(name)) << name;
  }
  for (const char* name : {"HOSTNAME", "PATH", "USER", "NEO4J_server_http__listen__address",
                           "CUDA_VISIBLE_DEVICES", "REDIS_URL", ""}) {
    EXPECT_FALSE(is_secret_name(name)) << name;
  }
}

TEST(Redactor, MasksSecretValuesInText) {
  Redactor r({"hunter2pw", "ab", "hunter2pw-long"});
  EXPECT_EQ(r.redact("--requirepass hunter2pw and hunter2pw-long"),
            "--requirepass ******** and ********");
  // Too short to mask without masking ordinary words.
  EXPECT_EQ(r.redact("ab cab"), "ab cab");
  EXPECT_EQ(r.redact("nothing here"), "nothing here");
}

TEST(Redactor, MasksUrlPasswordsItWasNotTold) {
  Redactor r({});
  EXPECT_EQ(r.redact("REDIS_URL=redis://:pw@127.0.0.1:6379/0"),
            "REDIS_URL=redis://:********@127.0.0.1:6379/0");
  EXPECT_EQ(r.redact("https://user:p4ss@host/path?x=1 and http://host:8080/"),
            "https://user:********@host/path?x=1 and http://host:8080/");
  EXPECT_EQ(r.redact("a: redis://:one@h1\nb: redis://:two@h2\n"),
            "a: redis://:********@h1\nb: redis://:********@h2\n");
  // A user without password, an address without user, and an @ outside the URL stay as they are.
  EXPECT_EQ(r.redact("http://user@host:8080/ me@example.com http://host:80/"),
            "http://user@host:8080/ me@example.com http://host:80/");
  // Compact JSON: the URL ends at its closing quote, not at the next @ in the text.
  EXPECT_EQ(r.redact(R"({"url":"redis://:pw@h","mail":"a@b"})"),
            R"({"url":"redis://:********@h","mail":"a@b"})");
  // Already masked by value: masked once.
  Redactor known({"pw-known"});
  EXPECT_EQ(known.redact("redis://:pw-known@h:1"), "redis://:********@h:1");
}

TEST(Redactor, MasksJsonUnderSecretKeysWhole) {
  auto value = nlohmann::ordered_json::parse(R"({
    "environment": {"REDIS_PASSWORD": "x1", "NEO4J_AUTH": "neo4j/longpassword",
                    "PLAIN": "has hunter2pw inside", "EMPTY_TOKEN": "", "PORT": "6379"},
    "command": ["--requirepass", "hunter2pw"],
    "probe": {"redis": {"url": "redis://:hunter2pw@h:6379/0"}, "password": "p"},
    "retries": 3
  })");
  Redactor({"hunter2pw"}).redact(value);
  EXPECT_EQ(value.dump(), nlohmann::ordered_json::parse(R"({
    "environment": {"REDIS_PASSWORD": "********", "NEO4J_AUTH": "********",
                    "PLAIN": "has ******** inside", "EMPTY_TOKEN": "", "PORT": "6379"},
    "command": ["--requirepass", "********"],
    "probe": {"redis": {"url": "redis://:********@h:6379/0"}, "password": "********"},
    "retries": 3
  })")
                              .dump());
}

TEST(CollectSecrets, FindsEverySecretValue) {
  Stack stack;
  stack.secret_values = {"substituted-secret"};
  Service db;
  db.name = "db";
  db.environment = {{"NEO4J_AUTH", "neo4j/pw12345678"}, {"PLAIN", "not-a-secret"}};
  db.probe = Probe{};
  db.probe->kind = Probe::Kind::neo4j;
  db.probe->password = "probe-password";
  Service cache;
  cache.name = "cache";
  cache.environment = {{"REDISCLI_AUTH", "redis-pw"}};
  cache.probe = Probe{};
  cache.probe->kind = Probe::Kind::redis;
  cache.probe->url = "redis://:url-password@127.0.0.1:6379/0";
  stack.services = {cache, db};
  auto secrets = collect_secrets(stack);
  EXPECT_THAT(secrets, IsSupersetOf({"substituted-secret", "neo4j/pw12345678", "pw12345678",
                                     "probe-password", "redis-pw", "url-password"}));
  EXPECT_THAT(secrets, Not(Contains("not-a-secret")));
  // Everything collected is masked.
  Redactor r(secrets);
  EXPECT_EQ(r.redact("pw12345678 probe-password url-password substituted-secret not-a-secret"),
            "******** ******** ******** ******** not-a-secret");
}

TEST(CollectSecrets, SettingsUnderSecretNamesAreNotSecrets) {
  // NEO4J_AUTH=none turns authentication off; ALLOW_EMPTY_PASSWORD=yes is a switch. Masking these
  // values would mask every "none" and "yes" in the output.
  Stack stack;
  Service s;
  s.name = "s";
  s.network_mode = NetworkMode::none;
  s.command = std::vector<std::string>{"redis-server", "--protected-mode", "yes"};
  s.environment = {{"NEO4J_AUTH", "none"},
                   {"ALLOW_EMPTY_PASSWORD", "yes"},
                   {"AUTH_ENABLED", "False"},
                   {"API_KEY", "real-key-value"},
                   {"REDIS_PASSWORD", "12345678"}};
  stack.services = {s};
  Redactor r(collect_secrets(stack));
  // A number may well be a password: it stays masked.
  EXPECT_EQ(r.redact("network_mode: none; --protected-mode yes; auth False; pin 12345678; "
                     "key real-key-value"),
            "network_mode: none; --protected-mode yes; auth False; pin ********; key ********");
}

class GeneratedSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::path(::testing::TempDir()) /
            ("edgecrew-secrets-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    m_file = m_dir / "config" / "edgecrew" / "edgecrew.env";
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string read() {
    auto text = read_file(m_file);
    EXPECT_TRUE(text.ok());
    return text ? *text : "";
  }
  unsigned mode() {
    struct stat st {};
    EXPECT_EQ(::stat(m_file.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  void write(const std::string& text, unsigned mode) {
    fs::create_directories(m_file.parent_path());
    std::ofstream(m_file) << text;
    fs::permissions(m_file, static_cast<fs::perms>(mode));
  }

  fs::path m_dir;
  fs::path m_file;
};

TEST_F(GeneratedSecrets, CreatesTheFileWithMode0600) {
  auto generated = ensure_generated_secrets(m_file, {"REDIS_PASSWORD", "NEO4J_PASSWORD"}, {});
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  EXPECT_THAT(*generated, ElementsAre("REDIS_PASSWORD", "NEO4J_PASSWORD"));
  EXPECT_EQ(mode(), 0600u);
  std::string text = read();
  EXPECT_THAT(text, MatchesRegex("# Generated by edgecrew[^\n]*\n"
                                 "REDIS_PASSWORD=[A-Za-z0-9]{24}\n"
                                 "NEO4J_PASSWORD=[A-Za-z0-9]{24}\n"));
  // Two different values.
  auto redis = text.substr(text.find("REDIS_PASSWORD=") + 15, 24);
  auto neo4j = text.substr(text.find("NEO4J_PASSWORD=") + 15, 24);
  EXPECT_NE(redis, neo4j);

  // Running again generates nothing and changes nothing.
  auto again = ensure_generated_secrets(m_file, {"REDIS_PASSWORD", "NEO4J_PASSWORD"}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(*again, IsEmpty());
  EXPECT_EQ(read(), text);
}

TEST_F(GeneratedSecrets, KeepsExistingValuesAndSkipsTheEnvironment) {
  write("# mine\nREDIS_PASSWORD=keep-me\nOTHER=1", 0644);
  auto generated = ensure_generated_secrets(
      m_file, {"REDIS_PASSWORD", "NEO4J_PASSWORD", "HF_TOKEN"}, {{"HF_TOKEN", "from-environment"}});
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  EXPECT_THAT(*generated, ElementsAre("NEO4J_PASSWORD"));
  std::string text = read();
  EXPECT_THAT(text, MatchesRegex("# mine\nREDIS_PASSWORD=keep-me\nOTHER=1\n"
                                 "NEO4J_PASSWORD=[A-Za-z0-9]{24}\n"));
  EXPECT_EQ(mode(), 0600u);  // a file that holds secrets is made private when written
}

TEST_F(GeneratedSecrets, NothingToDoLeavesNoFile) {
  auto generated =
      ensure_generated_secrets(m_file, {"REDIS_PASSWORD"}, {{"REDIS_PASSWORD", "set"}});
  ASSERT_TRUE(generated.ok());
  EXPECT_THAT(*generated, IsEmpty());
  EXPECT_FALSE(fs::exists(m_file));
}

}  // namespace
}  // namespace edgecrew::stack
