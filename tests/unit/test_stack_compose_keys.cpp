// Every key of the Compose specification is classified once (src/stack/compose_keys.cpp), the
// classification is the schema's key list, docs/COMPOSE-SUPPORT.md says the same, and the loader
// does what the table says for each key. Then Compose's rules that span keys, each with a valid
// and an invalid case.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "host_tree.h"
#include "stack/compose_keys.h"
#include "stack/compose_loader.h"
#include "stack/model.h"
#include "stack/normalize.h"
#include "stack_test_support.h"

namespace edgecrew::stack {
namespace {

using test::formatted;
using test::load_text;
using test::options_for_tests;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using KeySet = std::set<std::pair<std::string, std::string>>;  // section, key

KeySet table_keys() {
  KeySet out;
  for (const auto& section : compose_sections()) {
    for (const auto& key : section.keys) out.emplace(section.id, key.name);
  }
  return out;
}

KeySet schema_keys() {
  KeySet out;
  std::ifstream in(test::k_data_dir + "/compose/spec-keys.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string section;
    std::string key;
    fields >> section >> key;
    out.emplace(section, key);
  }
  return out;
}

TEST(ComposeKeys, TheTableIsTheSchemasKeyList) {
  KeySet schema = schema_keys();
  ASSERT_GT(schema.size(), 150u);
  KeySet table = table_keys();
  for (const auto& k : schema)
    EXPECT_TRUE(table.contains(k)) << "unclassified: " << k.first << " " << k.second;
  for (const auto& k : table)
    EXPECT_TRUE(schema.contains(k)) << "not in the schema: " << k.first << " " << k.second;
}

TEST(ComposeKeys, EveryIgnoredOrRejectedKeySaysWhy) {
  for (const auto& section : compose_sections()) {
    for (const auto& key : section.keys) {
      if (key.support != KeySupport::supported) {
        EXPECT_FALSE(key.why.empty()) << section.id << " " << key.name;
      }
    }
  }
}

// The document's tables, each after a `<!-- keys: SECTION -->` line: | `key`, ... | status | ...
std::map<std::pair<std::string, std::string>, std::string> document_keys() {
  std::map<std::pair<std::string, std::string>, std::string> out;
  std::ifstream in(std::string(EDGECREW_SOURCE_DIR) + "/docs/COMPOSE-SUPPORT.md");
  std::string line;
  std::string section;
  static const std::regex marker(R"(<!-- keys: ([\w.]+) -->)");
  static const std::regex key(R"(`([a-z_0-9]+)`)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, marker)) {
      section = m[1];
      continue;
    }
    if (section.empty()) continue;
    if (line.empty()) {
      section.clear();
      continue;
    }
    if (!line.starts_with("| `")) continue;
    auto cells_end = line.find('|', 1);
    std::string keys = line.substr(1, cells_end - 1);
    auto status_end = line.find('|', cells_end + 1);
    std::string status = line.substr(cells_end + 1, status_end - cells_end - 1);
    status.erase(0, status.find_first_not_of(' '));
    status.erase(status.find_last_not_of(' ') + 1);
    for (auto it = std::sregex_iterator(keys.begin(), keys.end(), key);
         it != std::sregex_iterator(); ++it) {
      out[{section, (*it)[1]}] = status;
    }
  }
  return out;
}

TEST(ComposeKeys, TheDocumentSaysWhatTheTableDoes) {
  auto doc = document_keys();
  ASSERT_FALSE(doc.empty());
  for (const auto& section : compose_sections()) {
    for (const auto& key : section.keys) {
      auto it = doc.find({std::string(section.id), std::string(key.name)});
      if (it == doc.end()) {
        ADD_FAILURE() << "docs/COMPOSE-SUPPORT.md does not list " << section.id << " " << key.name;
        continue;
      }
      EXPECT_EQ(it->second, to_string(key.support)) << section.id << " " << key.name;
    }
  }
  KeySet table = table_keys();
  for (const auto& [k, _] : doc) EXPECT_TRUE(table.contains(k)) << k.first << " " << k.second;
}

// A stack with one key of a section set to null, at the line of the `@`.
const std::map<std::string, std::string>& templates() {
  static const std::map<std::string, std::string> t = {
      {"top", "services:\n  s:\n    image: x\n@: null\n"},
      {"service", "services:\n  s:\n    image: x\n    @: null\n"},
      {"volume", "services:\n  s:\n    image: x\nvolumes:\n  v:\n    @: null\n"},
      {"network", "services:\n  s:\n    image: x\nnetworks:\n  n:\n    @: null\n"},
      {"config", "services:\n  s:\n    image: x\nconfigs:\n  c:\n    @: null\n"},
      {"secret", "services:\n  s:\n    image: x\nsecrets:\n  c:\n    @: null\n"},
      {"deploy", "services:\n  s:\n    image: x\n    deploy:\n      @: null\n"},
      {"deploy.resources",
       "services:\n  s:\n    image: x\n    deploy:\n      resources:\n        @: null\n"},
      {"deploy.resources.limits",
       "services:\n  s:\n    image: x\n    deploy:\n      resources:\n        limits:\n"
       "          @: null\n"},
      {"deploy.resources.reservations",
       "services:\n  s:\n    image: x\n    deploy:\n      resources:\n        reservations:\n"
       "          @: null\n"},
      {"device_request", "services:\n  s:\n    image: x\n    gpus:\n      - @: null\n"},
      {"healthcheck", "services:\n  s:\n    image: x\n    healthcheck:\n      @: null\n"},
      {"port", "services:\n  s:\n    image: x\n    ports:\n      - target: 80\n        @: null\n"},
      {"service_volume",
       "services:\n  s:\n    image: x\n    volumes:\n      - type: tmpfs\n        target: /t\n"
       "        @: null\n"},
      {"service_volume.bind",
       "services:\n  s:\n    image: x\n    volumes:\n      - type: bind\n        source: /tmp\n"
       "        target: /t\n        bind:\n          @: null\n"},
      {"depends_on",
       "services:\n  s:\n    image: x\n    depends_on:\n      t:\n        @: null\n  t:\n"
       "    image: y\n"},
      {"env_file", "services:\n  s:\n    image: x\n    env_file:\n      - @: null\n"},
      {"device", "services:\n  s:\n    image: x\n    devices:\n      - @: null\n"},
      {"network.ipam",
       "services:\n  s:\n    image: x\nnetworks:\n  n:\n    ipam:\n      @: null\n"},
      {"network.ipam.config",
       "services:\n  s:\n    image: x\nnetworks:\n  n:\n    ipam:\n      config:\n"
       "        - subnet: 10.5.0.0/24\n          @: null\n"},
      {"service_network",
       "services:\n  s:\n    image: x\n    networks:\n      n:\n        @: null\nnetworks:\n"
       "  n: {}\n"},
      {"build", "services:\n  s:\n    image: x\n    build:\n      @: null\n"},
  };
  return t;
}

// Sections whose parent key is ignored or refused as a whole: their keys are reported once, at
// that parent, and an unknown key in them is still an error.
const std::set<std::string> k_whole_sections = {"config", "secret"};

TEST(ComposeKeys, TheLoaderDoesWhatTheTableSaysForEachKey) {
  std::size_t tried = 0;
  for (const auto& section : compose_sections()) {
    auto tpl = templates().find(std::string(section.id));
    ASSERT_NE(tpl, templates().end()) << "no template for " << section.id;
    const std::string& text = tpl->second;
    auto at = text.find('@');
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
    std::string prefix = text.substr(0, at);
    for (const auto& key : section.keys) {
      std::string name(key.name);
      // A key the template already sets would be a duplicate key.
      if (prefix.find("\n" + std::string(at - prefix.rfind('\n') - 1, ' ') + name + ":") !=
              std::string::npos ||
          prefix.find("- " + name + ":") != std::string::npos ||
          (section.id == "top" && name == "services")) {
        continue;
      }
      std::string stack = text.substr(0, at) + name + text.substr(at + 1);
      auto r = load_text(stack);
      std::vector<const Diagnostic*> here;
      for (const auto& d : r.diagnostics.items()) {
        if (d.where.line == line) here.push_back(&d);
      }
      auto says = [&](Severity severity, const std::string& words) {
        return std::any_of(here.begin(), here.end(), [&](const Diagnostic* d) {
          return d->severity == severity && d->message.find(words) != std::string::npos;
        });
      };
      std::string quoted = "\"" + name + "\"";
      EXPECT_FALSE(says(Severity::error, "unknown key")) << section.id << " " << name;
      if (k_whole_sections.contains(std::string(section.id))) {
        EXPECT_TRUE(r.diagnostics.items().size() > 0) << section.id << " " << name;
      } else if (key.support == KeySupport::supported) {
        EXPECT_FALSE(says(Severity::warning, quoted + " of ")) << section.id << " " << name;
        EXPECT_FALSE(says(Severity::error, "is not supported")) << section.id << " " << name;
      } else if (key.support == KeySupport::ignored) {
        EXPECT_TRUE(says(Severity::warning, quoted + " of ")) << section.id << " " << name;
        EXPECT_TRUE(says(Severity::warning, "is ignored by edgecrew")) << section.id << " " << name;
      } else {
        EXPECT_TRUE(says(Severity::error, quoted + " of ")) << section.id << " " << name;
        EXPECT_TRUE(says(Severity::error, "is not supported")) << section.id << " " << name;
      }
      ++tried;
    }
    // And a key the specification does not define there is an error.
    auto r = load_text(text.substr(0, at) + "not_a_compose_key" + text.substr(at + 1));
    bool unknown = false;
    for (const auto& d : r.diagnostics.items()) {
      unknown |= d.where.line == line &&
                 d.message.find("unknown key \"not_a_compose_key\"") != std::string::npos;
    }
    EXPECT_TRUE(unknown) << section.id;
  }
  EXPECT_GT(tried, 170u);
}

std::vector<std::string> errors(const LoadResult& r) {
  return formatted(r.diagnostics, Severity::error);
}

// gpus: as docker compose reads it, mapped exactly as deploy.resources.reservations.devices.
TEST(ComposeGpus, AllIsEveryGpuLikeAReservationWithCountAll) {
  auto gpus = load_text("services:\n  v:\n    image: x\n    gpus: all\n");
  auto deploy = load_text(
      "services:\n  v:\n    image: x\n    deploy:\n      resources:\n        reservations:\n"
      "          devices:\n            - driver: nvidia\n              count: all\n"
      "              capabilities: [gpu]\n");
  ASSERT_TRUE(gpus.stack) << ::testing::PrintToString(formatted(gpus.diagnostics));
  ASSERT_TRUE(deploy.stack);
  EXPECT_THAT(gpus.diagnostics.items(), IsEmpty());
  EXPECT_THAT(cdi_devices(gpus.stack->services[0]), ElementsAre("nvidia.com/gpu=all"));
  EXPECT_EQ(cdi_devices(gpus.stack->services[0]), cdi_devices(deploy.stack->services[0]));
}

TEST(ComposeGpus, AListOfRequestsNeedsNoCapabilities) {
  auto r = load_text(
      "services:\n  v:\n    image: x\n    gpus:\n      - count: 2\n      - device_ids: ['3']\n"
      "        driver: nvidia\n");
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_THAT(cdi_devices(r.stack->services[0]),
              ElementsAre("nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=3"));
  // Neither count nor device_ids: all, as Compose's default.
  auto all = load_text("services:\n  v:\n    image: x\n    gpus:\n      - driver: nvidia\n");
  ASSERT_TRUE(all.stack);
  EXPECT_THAT(cdi_devices(all.stack->services[0]), ElementsAre("nvidia.com/gpu=all"));
}

TEST(ComposeGpus, CountAndDeviceIdsExcludeEachOther) {
  auto r = load_text(
      "services:\n  v:\n    image: x\n    gpus:\n      - count: 1\n        device_ids: ['0']\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("count and device_ids cannot both be set")));
}

TEST(ComposeGpus, OnlyAllOrAList) {
  auto r = load_text("services:\n  v:\n    image: x\n    gpus: 2\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("compose.yaml:4:11")));
  auto s = load_text("services:\n  v:\n    image: x\n    gpus: any\n");
  EXPECT_FALSE(s.stack);
}

TEST(ComposeGpus, OptionsAreIgnoredWithAWarningNotDropped) {
  auto r = load_text(
      "services:\n  v:\n    image: x\n    gpus:\n      - count: 1\n        options: {a: b}\n");
  ASSERT_TRUE(r.stack);
  EXPECT_THAT(formatted(r.diagnostics),
              ElementsAre(HasSubstr("compose.yaml:6:9: warning: \"options\" of gpus entry is "
                                    "ignored by edgecrew")));
}

TEST(ComposeRules, NetworkModeAndNetworksExcludeEachOther) {
  auto r = load_text(
      "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [front]\n"
      "networks:\n  front: {}\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("compose.yaml:4:19: service \"a\" sets both "
                                               "network_mode and networks")));
  // Each alone is fine (a warning for the ignored networks).
  EXPECT_TRUE(load_text("services:\n  a:\n    image: x\n    network_mode: host\n").stack);
  EXPECT_TRUE(
      load_text("services:\n  a:\n    image: x\n    networks: [front]\nnetworks:\n  front: {}\n")
          .stack);
}

TEST(ComposeRules, AServiceNamesOnlyDeclaredNetworks) {
  auto r = load_text("services:\n  a:\n    image: x\n    networks:\n      back: {}\n");
  EXPECT_THAT(errors(r),
              ElementsAre(HasSubstr("compose.yaml:5:7: service \"a\" names network \"back\", which "
                                    "is not declared")));
  // Compose's implicit default network needs no declaration.
  EXPECT_TRUE(load_text("services:\n  a:\n    image: x\n    networks: [default]\n").stack);
}

TEST(ComposeRules, ServiceLevelResourcesMustAgreeWithDeploy) {
  auto differ = load_text(
      "services:\n  a:\n    image: x\n    cpus: 1.5\n    mem_limit: 1g\n    mem_reservation: 1g\n"
      "    deploy:\n      resources:\n        limits: {cpus: 2, memory: 2g}\n"
      "        reservations: {memory: 512m}\n");
  EXPECT_THAT(errors(differ),
              ElementsAre(HasSubstr("4:11: cpus and deploy.resources.limits.cpus"),
                          HasSubstr("5:16: mem_limit and deploy.resources.limits.memory"),
                          HasSubstr("6:22: mem_reservation and deploy.resources.reservations")));
  auto same = load_text(
      "services:\n  a:\n    image: x\n    cpus: 2\n    mem_limit: 2g\n"
      "    deploy:\n      resources:\n        limits: {cpus: 2, memory: 2048m}\n");
  ASSERT_TRUE(same.stack) << ::testing::PrintToString(formatted(same.diagnostics));
  EXPECT_EQ(same.stack->services[0].resources.cpus, 2.0);
  EXPECT_EQ(same.stack->services[0].resources.memory_bytes, 2LL << 30);
}

TEST(ComposeRules, LimitsDevicesIsNotAComposeKey) {
  auto r = load_text(
      "services:\n  a:\n    image: x\n    deploy:\n      resources:\n        limits:\n"
      "          devices: []\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("unknown key \"devices\" in "
                                               "deploy.resources.limits")));
}

TEST(ComposeRules, ATargetIsMountedOnce) {
  auto r = load_text(
      "services:\n  a:\n    image: x\n    volumes:\n      - data:/d\n"
      "      - {type: tmpfs, target: /d}\nvolumes:\n  data: {}\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("compose.yaml:6:9: /d is already mounted by the "
                                               "volume on line 5")));
  EXPECT_TRUE(
      load_text("services:\n  a:\n    image: x\n    volumes: [/srv/a:/a, /srv/b:/b]\n").stack);
}

TEST(ComposeVolumes, LegacyExternalNameIsTheVolumesName) {
  auto r = load_text(
      "services:\n  a:\n    image: x\n    volumes: [data:/d]\nvolumes:\n  data:\n"
      "    external:\n      name: shared-data\n");
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  const auto& v = r.stack->volumes.at("data");
  EXPECT_TRUE(v.external);
  EXPECT_EQ(v.name, "shared-data");
  EXPECT_THAT(formatted(r.diagnostics),
              ElementsAre(HasSubstr("8:13: warning: external.name of volume \"data\" is "
                                    "deprecated (write name: shared-data and external: true")));
  // The same name in both places is fine; two names are Compose's conflict.
  EXPECT_TRUE(load_text("services:\n  a:\n    image: x\nvolumes:\n  data:\n    name: n\n"
                        "    external: {name: n}\n")
                  .stack);
  auto conflict = load_text(
      "services:\n  a:\n    image: x\nvolumes:\n  data:\n    name: n\n    external: {name: m}\n");
  EXPECT_THAT(errors(conflict),
              ElementsAre(HasSubstr("name and external.name of volume \"data\" differ")));
}

TEST(ComposeVolumes, AnExternalVolumeTakesOnlyAName) {
  auto r = load_text(
      "services:\n  a:\n    image: x\nvolumes:\n  data:\n    external: true\n    driver: local\n");
  EXPECT_THAT(errors(r), ElementsAre(HasSubstr("7:5: volume \"data\" is external: \"driver\" "
                                               "cannot be set")));
  EXPECT_TRUE(
      load_text(
          "services:\n  a:\n    image: x\nvolumes:\n  data:\n    external: true\n    name: d\n")
          .stack);
}

TEST(ComposeInterpolation, ComposeProjectNameIsTheProjectsName) {
  auto options = options_for_tests();
  auto r = load_text(
      "name: shop\nservices:\n  a:\n    image: x\n    environment:\n"
      "      P: ${COMPOSE_PROJECT_NAME}\n",
      options);
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_EQ(r.stack->services[0].environment.at("P"), "shop");
  // Without name: the directory's; with -p, that one; name: itself is interpolated first.
  auto dir = load_text("services:\n  a:\n    image: x\n    labels: {p: $COMPOSE_PROJECT_NAME}\n");
  ASSERT_TRUE(dir.stack);
  EXPECT_EQ(dir.stack->services[0].labels.at("p"), "app");
  options.project_name = "cli";
  auto cli =
      load_text("services:\n  a:\n    image: x\n    labels: {p: $COMPOSE_PROJECT_NAME}\n", options);
  ASSERT_TRUE(cli.stack);
  EXPECT_EQ(cli.stack->services[0].labels.at("p"), "cli");
  auto from_var = options_for_tests();
  from_var.environment = {{"STAGE", "dev"}};
  auto named = load_text(
      "name: shop-${STAGE}\nservices:\n  a:\n    image: x\n    labels: {p: "
      "$COMPOSE_PROJECT_NAME}\n",
      from_var);
  ASSERT_TRUE(named.stack);
  EXPECT_EQ(named.stack->name, "shop-dev");
  EXPECT_EQ(named.stack->services[0].labels.at("p"), "shop-dev");
}

// build: as Compose reads it, paths taken from the compose file's directory.
struct BuildDir {
  edgecrew::testing::HostTree tree;
  BuildDir() { tree.file("/web/Containerfile", "FROM x\n").file("/web/docker/prod", "FROM y\n"); }
  LoadResult load(const std::string& text) const {
    return load_text(text, options_for_tests(), "compose.yaml", tree.root);
  }
};

TEST(ComposeBuild, AContextAloneNamesTheImageAfterProjectAndService) {
  BuildDir dir;
  auto r = dir.load("services:\n  web:\n    build: ./web\n");
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_THAT(r.diagnostics.items(), IsEmpty());
  const Service& web = r.stack->services[0];
  EXPECT_EQ(web.image, "app-web");
  ASSERT_TRUE(web.build);
  EXPECT_EQ(web.build->context, (dir.tree.root / "web").string());
  EXPECT_EQ(web.build->dockerfile, "");
  EXPECT_EQ(web.pull_policy, PullPolicy::missing);
}

TEST(ComposeBuild, TheMappingWithImageTagsTheResultAsImage) {
  BuildDir dir;
  auto r = dir.load(
      "services:\n  web:\n    image: example/web:2\n    pull_policy: build\n    build:\n"
      "      context: web\n      dockerfile: docker/prod\n      args: [VERSION=1.2, FROM_ENV]\n"
      "      target: runtime\n      labels: {team: edge}\n      network: default\n"
      "      no_cache: true\n      pull: \"false\"\n      x-note: kept out\n");
  ASSERT_TRUE(r.stack) << ::testing::PrintToString(formatted(r.diagnostics));
  EXPECT_THAT(r.diagnostics.items(), IsEmpty());
  const Service& web = r.stack->services[0];
  EXPECT_EQ(web.image, "example/web:2");
  ASSERT_TRUE(web.build);
  EXPECT_EQ(web.build->dockerfile, (dir.tree.root / "web/docker/prod").string());
  EXPECT_EQ(web.build->args, (std::map<std::string, std::string>{{"VERSION", "1.2"}}));
  EXPECT_EQ(web.build->target, "runtime");
  EXPECT_EQ(web.build->labels, (std::map<std::string, std::string>{{"team", "edge"}}));
  EXPECT_EQ(web.build->network, "");
  EXPECT_TRUE(web.build->no_cache);
  EXPECT_FALSE(web.build->pull);
  EXPECT_EQ(web.pull_policy, PullPolicy::build);

  // How the image is made is not in the container's spec hash; the image's name is.
  auto plain = dir.load("services:\n  web:\n    image: example/web:2\n    build: web\n");
  ASSERT_TRUE(plain.stack);
  EXPECT_EQ(spec_hash(plain.stack->services[0], *plain.stack),
            spec_hash(r.stack->services[0], *r.stack));
}

TEST(ComposeBuild, WhatCannotBeBuiltIsAnErrorWhereItIsWritten) {
  BuildDir dir;
  auto url = dir.load("services:\n  web:\n    build: https://github.com/x/y.git#main\n");
  EXPECT_THAT(errors(url), ElementsAre(HasSubstr("compose.yaml:3:12: the context of build of "
                                                 "service \"web\" is a URL")));
  auto missing = dir.load("services:\n  web:\n    build:\n      context: nowhere\n");
  EXPECT_THAT(errors(missing), ElementsAre(HasSubstr("compose.yaml:4:16: the context of build of "
                                                     "service \"web\" is not a directory")));
  auto both = dir.load(
      "services:\n  web:\n    build:\n      context: web\n      dockerfile: a\n"
      "      dockerfile_inline: FROM x\n");
  EXPECT_THAT(errors(both), ElementsAre(HasSubstr("dockerfile and dockerfile_inline")));
  auto typo = dir.load("services:\n  web:\n    build:\n      contxt: web\n");
  EXPECT_THAT(errors(typo), ElementsAre(HasSubstr("compose.yaml:4:7: unknown key \"contxt\"")));
  auto refused =
      dir.load("services:\n  web:\n    build:\n      context: web\n      ssh: [default]\n");
  EXPECT_THAT(errors(refused), ElementsAre(HasSubstr("\"ssh\" of build of service \"web\" is not "
                                                     "supported")));
  auto ignored =
      dir.load("services:\n  web:\n    build:\n      context: web\n      cache_from: [a]\n");
  ASSERT_TRUE(ignored.stack);
  EXPECT_THAT(formatted(ignored.diagnostics, Severity::warning),
              ElementsAre(HasSubstr("\"cache_from\" of build of service \"web\" is ignored")));
  auto not_bool =
      dir.load("services:\n  web:\n    build:\n      context: web\n      no_cache: sometimes\n");
  EXPECT_THAT(errors(not_bool), ElementsAre(HasSubstr("must be true or false")));
  auto policy = dir.load("services:\n  web:\n    image: x\n    pull_policy: build\n");
  EXPECT_THAT(errors(policy), ElementsAre(HasSubstr("pull_policy of service \"web\" is build, but "
                                                    "the service has no build:")));
  auto unknown = dir.load("services:\n  web:\n    image: x\n    pull_policy: sometimes\n");
  EXPECT_THAT(errors(unknown), ElementsAre(HasSubstr("unknown pull_policy")));
  auto always = dir.load("services:\n  web:\n    image: x\n    pull_policy: always\n");
  ASSERT_TRUE(always.stack);
  EXPECT_THAT(formatted(always.diagnostics, Severity::warning),
              ElementsAre(HasSubstr("pull_policy of service \"web\" \"always\" is not applied")));
  auto neither = dir.load("services:\n  web:\n    restart: always\n");
  EXPECT_THAT(errors(neither), ElementsAre(HasSubstr("has no image")));
}

}  // namespace
}  // namespace edgecrew::stack
