#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "stack/builtin.h"

namespace edgecrew::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(CliApp, VersionAndHelp) {
  CliFixture f;
  auto v = f.run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, "edgecrew " EDGECREW_VERSION "\n");

  auto h = f.run({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_THAT(h.out, ::testing::ContainsRegex("\n  config +Print the stack, normalized"));
  EXPECT_THAT(h.out, ::testing::ContainsRegex("\n  init +Write the EdgeCrew stack"));
  EXPECT_THAT(h.out, HasSubstr("Run 'edgecrew help VERB' for a command"));

  auto hv = f.run({"help", "config"});
  EXPECT_EQ(hv.status, 0);
  EXPECT_THAT(hv.out, HasSubstr("Examples:"));
  EXPECT_THAT(hv.out, HasSubstr("edgecrew config --hash '*'"));
  EXPECT_THAT(hv.out, HasSubstr("--show-secrets"));
}

TEST(CliApp, UnknownVerbIsAUsageErrorWithASuggestion) {
  CliFixture f;
  auto r = f.run({"confg"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean \"config\"?"));
  auto h = f.run({"help", "nothing"});
  EXPECT_EQ(h.status, 2);
  EXPECT_EQ(h.err, "edgecrew: no command \"nothing\"\n");
}

TEST(CliApp, BuiltinStackGeneratesPasswordsOnceAndMasksThem) {
  CliFixture f;
  auto first = f.run({"config"});
  ASSERT_EQ(first.status, 0) << first.err;
  auto env_file = f.dir / "config" / "edgecrew" / "edgecrew.env";
  EXPECT_THAT(first.err, HasSubstr("generated REDIS_PASSWORD, NEO4J_PASSWORD into " +
                                   env_file.string() + " (mode 0600)"));
  EXPECT_EQ(mode_of(env_file), 0600u);

  std::string secrets = f.read(env_file);
  auto value_of = [&](const std::string& key) {
    auto pos = secrets.find(key + "=");
    return secrets.substr(pos + key.size() + 1, 24);
  };
  std::string redis = value_of("REDIS_PASSWORD");
  std::string neo4j = value_of("NEO4J_PASSWORD");
  EXPECT_EQ(redis.size(), 24u);
  EXPECT_NE(redis, neo4j);
  EXPECT_THAT(first.out, Not(HasSubstr(redis)));
  EXPECT_THAT(first.out, Not(HasSubstr(neo4j)));
  EXPECT_THAT(first.out, HasSubstr("NEO4J_AUTH: \"********\""));
  EXPECT_THAT(first.out, HasSubstr("url: redis://:********@127.0.0.1:6379/0"));
  EXPECT_THAT(first.out, Not(HasSubstr("redisinsight:\n")));  // profile "ui" is off

  auto second = f.run({"config"});
  EXPECT_EQ(second.status, 0);
  EXPECT_EQ(second.err, "");
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(f.read(env_file), secrets);

  auto shown = f.run({"config", "--show-secrets"});
  EXPECT_THAT(shown.out, HasSubstr("NEO4J_AUTH: neo4j/" + neo4j));
  EXPECT_THAT(shown.out, HasSubstr("- " + redis));
}

TEST(CliApp, EnvironmentWinsOverGeneratedPasswords) {
  CliFixture f;
  f.process.environment["REDIS_PASSWORD"] = "swefleet-dev";
  auto r = f.run({"env", "--show-secrets"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("generated NEO4J_PASSWORD into"));
  EXPECT_THAT(r.err, Not(HasSubstr("REDIS_PASSWORD")));
  EXPECT_THAT(r.out, HasSubstr("REDIS_URL=redis://:swefleet-dev@127.0.0.1:6379/0\n"));
}

TEST(CliApp, EnvPrintsTheConnectionVariables) {
  CliFixture f;
  f.process.environment["REDIS_PASSWORD"] = "redis-secret-1";
  f.process.environment["NEO4J_PASSWORD"] = "neo4j-secret-1";
  auto masked = f.run({"env"});
  ASSERT_EQ(masked.status, 0) << masked.err;
  EXPECT_EQ(masked.out,
            "REDIS_URL='redis://:********@127.0.0.1:6379/0'\n"
            "NEO4J_URI=bolt://127.0.0.1:7687\n"
            "NEO4J_USER=neo4j\n"
            "NEO4J_PASSWORD='********'\n"
            "VLLM_ENDPOINT=http://127.0.0.1:8000/v1\n"
            "VLLM_MODEL=TinyLlama/TinyLlama-1.1B-Chat-v1.0\n");
  EXPECT_THAT(masked.err, HasSubstr("--show-secrets"));

  auto shown = f.run({"env", "--export", "--show-secrets"});
  EXPECT_THAT(shown.out, HasSubstr("export REDIS_URL=redis://:redis-secret-1@127.0.0.1:6379/0\n"));
  EXPECT_THAT(shown.out, HasSubstr("export NEO4J_PASSWORD=neo4j-secret-1\n"));

  f.process.environment["VLLM_MODEL"] = "Qwen/Qwen2.5-7B-Instruct";
  auto json = nlohmann::json::parse(f.run({"env", "--json"}).out);
  EXPECT_EQ(json["VLLM_MODEL"], "Qwen/Qwen2.5-7B-Instruct");
  EXPECT_EQ(json["NEO4J_PASSWORD"], "********");
}

TEST(CliApp, InitWritesTheBuiltinStackAndPrivatePasswords) {
  CliFixture f;
  auto r = f.run({"init"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(f.read("compose.yaml"), std::string(stack::builtin_compose_text()));
  EXPECT_EQ(mode_of(f.process.cwd / ".env"), 0600u);
  EXPECT_THAT(r.out, HasSubstr("generated REDIS_PASSWORD, NEO4J_PASSWORD in"));

  // The written stack loads from the directory, with the passwords from its .env.
  auto config = f.run({"config", "--show-secrets"});
  ASSERT_EQ(config.status, 0) << config.err;
  std::string env = f.read(".env");
  std::string redis = env.substr(env.find("REDIS_PASSWORD=") + 15, 24);
  EXPECT_THAT(config.out, HasSubstr("- " + redis + "\n"));
  EXPECT_EQ(config.err, "");  // the built-in stack's user env file was not needed

  // A second init refuses to overwrite; --force keeps the old file.
  f.write("compose.yaml", "services: {a: {image: x}}\n");
  auto again = f.run({"init"});
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("compose.yaml already exists; nothing was written"));
  EXPECT_EQ(f.read("compose.yaml"), "services: {a: {image: x}}\n");
  auto forced = f.run({"init", "--force"});
  EXPECT_EQ(forced.status, 0);
  EXPECT_EQ(f.read("compose.yaml.bak"), "services: {a: {image: x}}\n");
  EXPECT_EQ(f.read(".env"), env);  // existing passwords are never replaced
}

TEST(CliApp, BadStackFileListsEveryErrorAndExitsTwo) {
  CliFixture f;
  f.write("compose.yaml",
          "services:\n"
          "  redis:\n"
          "    imagee: redis:7\n"
          "    depends_on: [neo4jj]\n"
          "  neo4j:\n"
          "    image: neo4j:5\n"
          "    environment:\n"
          "      NEO4J_AUTH: neo4j/short\n");
  auto r = f.run({"config"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  // Named as the user would type it; every error at once, then the verdict.
  EXPECT_EQ(r.err,
            "compose.yaml:3:5: unknown key \"imagee\" in service \"redis\" (did you mean "
            "\"image\"?)\n"
            "compose.yaml:2:3: service \"redis\" has no image (add image: NAME:TAG, or build: "
            "with the directory to build it from)\n"
            "compose.yaml:8:19: the Neo4j password in NEO4J_AUTH of service \"neo4j\" has 5 "
            "characters; Neo4j 5 requires at least 8 (set a longer NEO4J_PASSWORD; edgecrew init "
            "generates one)\n"
            "compose.yaml:4:18: service \"redis\" depends on \"neo4jj\", which is not defined "
            "(did you mean \"neo4j\"?)\n"
            "edgecrew: the stack is not valid: 4 errors; nothing was changed\n");
  EXPECT_THAT(r.err, Not(HasSubstr("short")));
  EXPECT_THAT(r.err,
              HasSubstr("edgecrew: the stack is not valid: 4 errors; nothing was changed\n"));
}

TEST(CliApp, UnreadableStackFileIsOneClearError) {
  CliFixture f;
  auto r = f.run({"config", "-f", "missing.yaml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "missing.yaml: cannot read the stack file (cannot read " +
                       (f.process.cwd / "missing.yaml").string() +
                       ": No such file or directory)\n"
                       "edgecrew: the stack is not valid: 1 error; nothing was changed\n");
}

TEST(CliApp, ComposeFileOptionsAndProjectName) {
  CliFixture f;
  f.write("stacks/a.yaml", "services:\n  web:\n    image: nginx:1.25\n    ports: ['8080:80']\n");
  f.write("stacks/b.yaml", "services:\n  web:\n    environment: {MODE: prod}\n");
  auto r = f.run({"config", "-f", "stacks/a.yaml", "-f", "stacks/b.yaml", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["name"], "stacks");  // the first file's directory
  EXPECT_EQ(doc["services"]["web"]["image"], "nginx:1.25");
  EXPECT_EQ(doc["services"]["web"]["environment"]["MODE"], "prod");
  EXPECT_EQ(doc["services"]["web"]["ports"][0]["published"], "8080");

  auto named = f.run({"-p", "demo", "config", "-f", "stacks/a.yaml", "--json"});
  EXPECT_EQ(nlohmann::json::parse(named.out)["name"], "demo");
  auto bad = f.run({"-p", "Bad Name", "config", "-f", "stacks/a.yaml"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("-p: project name \"Bad Name\" is not valid"));
}

TEST(CliApp, ProfilesAndHashes) {
  CliFixture f;
  f.process.environment["REDIS_PASSWORD"] = "redis-secret-1";
  f.process.environment["NEO4J_PASSWORD"] = "neo4j-secret-1";
  EXPECT_EQ(f.run({"config", "--services"}).out, "neo4j\nredis\nvllm\n");
  EXPECT_EQ(f.run({"config", "--services", "--profile", "ui"}).out,
            "neo4j\nredis\nredisinsight\nvllm\n");
  f.process.environment["COMPOSE_PROFILES"] = "ui";
  EXPECT_EQ(f.run({"config", "--services"}).out, "neo4j\nredis\nredisinsight\nvllm\n");

  auto h = f.run({"config", "--hash", "redis"});
  ASSERT_EQ(h.status, 0);
  EXPECT_THAT(h.out, ::testing::MatchesRegex("redis [0-9a-f]{64}\n"));
  f.process.environment["REDIS_PASSWORD"] = "redis-secret-2";
  EXPECT_NE(f.run({"config", "--hash", "redis"}).out, h.out);
  EXPECT_EQ(f.run({"config", "--hash", "nope"}).status, 2);
}

TEST(CliApp, VllmIsSizedToTheGpusFound) {
  CliFixture f;
  f.process.environment["REDIS_PASSWORD"] = "redis-secret-1";
  f.process.environment["NEO4J_PASSWORD"] = "neo4j-secret-1";
  for (const char* gpu : {"0000:3b:00.0", "0000:86:00.0"}) {
    std::filesystem::create_directories(f.process.host_root / "proc/driver/nvidia/gpus" / gpu);
  }
  auto doc = nlohmann::json::parse(f.run({"config", "--json"}).out);
  auto command = doc["services"]["vllm"]["command"];
  auto tp = std::find(command.begin(), command.end(), "--tensor-parallel-size");
  ASSERT_NE(tp, command.end());
  EXPECT_EQ(*(tp + 1), "2");
  EXPECT_EQ(doc["services"]["vllm"]["environment"]["CUDA_VISIBLE_DEVICES"], "0,1");

  f.process.environment["VLLM_TENSOR_PARALLEL_SIZE"] = "1";  // pinned by the user
  doc = nlohmann::json::parse(f.run({"config", "--json"}).out);
  command = doc["services"]["vllm"]["command"];
  EXPECT_EQ(*(std::find(command.begin(), command.end(), "--tensor-parallel-size") + 1), "1");
}

}  // namespace
}  // namespace edgecrew::testing
