// A build's context as Podman's build API takes it: the tar writer (read back by tar itself), the
// .dockerignore rules as Docker reads them, the Containerfile's place in the archive, the query of
// POST /build and the build stream's lines and errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/podman/build_context.h"
#include "engine/podman/podman_protocol.h"
#include "host_tree.h"
#include "util/subprocess.h"
#include "util/tar.h"

namespace edgecrew::engine::podman {
namespace {

using edgecrew::testing::HostTree;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

namespace fs = std::filesystem;

// What GNU tar lists of `archive` ("tar -tvf"), one entry a line, as the names it reads.
std::vector<std::string> tar_names(const std::string& archive, const fs::path& dir) {
  const fs::path file = dir / "archive.tar";
  std::ofstream(file, std::ios::binary) << archive;
  auto listed = run_process({.argv = {"tar", "-tf", file.string()}}, std::chrono::seconds(20));
  EXPECT_TRUE(listed && listed->status.success()) << (listed ? listed->err : "");
  std::vector<std::string> out;
  if (!listed) return out;
  std::istringstream lines(listed->out);
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  return out;
}

std::string tar_extract(const std::string& archive, const fs::path& dir,
                        const std::string& member) {
  const fs::path file = dir / "archive.tar";
  std::ofstream(file, std::ios::binary) << archive;
  auto r = run_process({.argv = {"tar", "-xOf", file.string(), member}}, std::chrono::seconds(20));
  EXPECT_TRUE(r && r->status.success()) << (r ? r->err : "");
  return r ? r->out : "";
}

TEST(TarWriter, WritesUstarHeadersThatTarReads) {
  TarWriter tar;
  tar.add_file("hello.txt", "hello\n", 0640, 1'700'000'000);
  std::string archive = tar.finish();
  // One header, one data block, the two-block end.
  ASSERT_EQ(archive.size(), 4 * k_tar_block);
  EXPECT_EQ(archive.substr(0, 9), "hello.txt");
  EXPECT_EQ(archive.substr(100, 7), "0000640");
  EXPECT_EQ(archive.substr(124, 11), "00000000006");  // the size, octal
  EXPECT_EQ(archive[156], '0');
  EXPECT_EQ(archive.substr(257, 6), std::string("ustar\0", 6));
  // The checksum: the header's bytes with its own field read as spaces.
  unsigned sum = 0;
  for (std::size_t i = 0; i < k_tar_block; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(archive[i]);
  }
  EXPECT_EQ(std::stoul(archive.substr(148, 6), nullptr, 8), sum);
  EXPECT_EQ(archive.substr(k_tar_block, 6), "hello\n");
  EXPECT_EQ(archive.find_first_not_of('\0', 2 * k_tar_block), std::string::npos);
}

TEST(TarWriter, LongNamesAndLinksSurviveThroughPrefixOrPax) {
  HostTree dir;
  const std::string split_name = std::string(120, 'd') + "/file";  // fits prefix + name
  const std::string long_name = std::string(130, 'a') + "/" + std::string(120, 'b');  // needs pax
  const std::string long_link = "../" + std::string(150, 't');
  TarWriter tar;
  tar.add_directory("sub", 0755, 0);
  tar.add_file(split_name, "one", 0644, 0);
  tar.add_file(long_name, "two", 0644, 0);
  tar.add_symlink("link", long_link, 0);
  const std::string archive = tar.finish();
  EXPECT_THAT(tar_names(archive, dir.root), ElementsAre("sub/", split_name, long_name, "link"));
  EXPECT_EQ(tar_extract(archive, dir.root, long_name), "two");
  EXPECT_EQ(tar_extract(archive, dir.root, split_name), "one");
}

IgnoreRules rules(const std::string& text) {
  auto parsed = IgnoreRules::parse(text, ".dockerignore");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? *parsed : IgnoreRules{};
}

TEST(IgnoreRules, PatternsMatchAsDockerMatchesThem) {
  auto r = rules(
      "# a comment\n"
      "\n"
      "  *.log  \n"
      "/build\n"
      "docs/*.md\n"
      "**/cache\n"
      "tmp?\n"
      "data/[a-c]*.bin\n"
      "./out/../dist/\n");
  EXPECT_TRUE(r.excluded("app.log"));
  EXPECT_FALSE(r.excluded("src/app.log"));  // '*' does not cross '/'
  EXPECT_TRUE(r.excluded("build"));
  EXPECT_TRUE(r.excluded("build/obj/a.o"));  // under an excluded directory
  EXPECT_FALSE(r.excluded("src/build"));
  EXPECT_TRUE(r.excluded("docs/readme.md"));
  EXPECT_FALSE(r.excluded("docs/api/readme.md"));
  EXPECT_TRUE(r.excluded("cache"));  // '**/' is zero directories too
  EXPECT_TRUE(r.excluded("a/b/cache/x"));
  EXPECT_TRUE(r.excluded("tmp1"));
  EXPECT_FALSE(r.excluded("tmp12"));
  EXPECT_TRUE(r.excluded("data/b1.bin"));
  EXPECT_FALSE(r.excluded("data/d1.bin"));
  EXPECT_TRUE(r.excluded("dist/x"));  // cleaned: "dist"
  EXPECT_FALSE(r.excluded("main.c"));
}

TEST(IgnoreRules, TheLastMatchingPatternDecides) {
  auto r = rules("*.md\n!README.md\nREADME*\n!README.md\nsecret/\n!secret/keep\n**/.git\n");
  EXPECT_TRUE(r.excluded("CHANGES.md"));
  EXPECT_FALSE(r.excluded("README.md"));
  EXPECT_TRUE(r.excluded("README.txt"));
  EXPECT_TRUE(r.excluded("secret/key"));
  EXPECT_FALSE(r.excluded("secret/keep"));
  EXPECT_TRUE(r.has_exceptions());
  EXPECT_TRUE(r.excluded(".git/HEAD"));
  EXPECT_FALSE(rules("a\n").has_exceptions());
  // A class with '!' negates; an escaped '*' is literal; '**' in the middle spans directories.
  auto more = rules("[!a]x\nstar\\*\nlib/**/test\n");
  EXPECT_TRUE(more.excluded("bx"));
  EXPECT_FALSE(more.excluded("ax"));
  EXPECT_TRUE(more.excluded("star*"));
  EXPECT_FALSE(more.excluded("starry"));
  EXPECT_TRUE(more.excluded("lib/test"));
  EXPECT_TRUE(more.excluded("lib/a/b/test/x.c"));
}

TEST(IgnoreRules, AnInvalidPatternIsAnErrorNamingItsLine) {
  auto unclosed = IgnoreRules::parse("ok\n\n[abc\n", "ctx/.dockerignore");
  ASSERT_FALSE(unclosed);
  EXPECT_THAT(unclosed.error().message, HasSubstr("ctx/.dockerignore:3: the pattern \"[abc\""));
  EXPECT_THAT(unclosed.error().message, HasSubstr("not closed"));
  auto escape = IgnoreRules::parse("a\\", "f");
  ASSERT_FALSE(escape);
  EXPECT_THAT(escape.error().message, HasSubstr("f:1:"));
  auto bang = IgnoreRules::parse("a\n!  \n", "f");
  ASSERT_FALSE(bang);
  EXPECT_THAT(bang.error().message, HasSubstr("f:2: \"!\" re-includes nothing"));
}

struct Context {
  HostTree dir;
  fs::path ctx() const { return dir.root / "ctx"; }
  stack::Build build() const {
    stack::Build b;
    b.context = ctx().string();
    return b;
  }
};

TEST(PackContext, SendsWhatTheIgnoreFileLeavesAndAlwaysTheContainerfile) {
  Context c;
  c.dir.file("/ctx/Containerfile", "FROM x\n")
      .file("/ctx/Dockerfile", "FROM y\n")
      .file("/ctx/.dockerignore", "*\n")  // .containerignore wins over it
      .file("/ctx/.containerignore", "node_modules\n*.log\nContainerfile\n.containerignore\n")
      .file("/ctx/src/main.c", "int main;\n")
      .file("/ctx/debug.log", "x")
      .file("/ctx/node_modules/a/index.js", "x");
  fs::create_symlink("src/main.c", c.ctx() / "main-link");
  auto packed = pack_context(c.build());
  ASSERT_TRUE(packed) << packed.error().message;
  EXPECT_EQ(packed->dockerfile, "Containerfile");  // Podman's order: Containerfile first
  EXPECT_EQ(packed->ignore_file, ".containerignore");
  EXPECT_THAT(tar_names(packed->tar, c.dir.root),
              UnorderedElementsAre(".containerignore", ".dockerignore", "Containerfile",
                                   "Dockerfile", "main-link", "src/", "src/main.c"));
  EXPECT_EQ(packed->files, 5u);
}

TEST(PackContext, AContainerfileFromElsewhereOrInlineGoesInUnderItsOwnName) {
  Context c;
  c.dir.file("/ctx/app.txt", "a").file("/other/Build.file", "FROM z\n");
  auto b = c.build();
  b.dockerfile = (c.dir.root / "other/Build.file").string();
  auto packed = pack_context(b);
  ASSERT_TRUE(packed) << packed.error().message;
  EXPECT_EQ(packed->dockerfile, k_generated_containerfile);
  EXPECT_EQ(tar_extract(packed->tar, c.dir.root, std::string(k_generated_containerfile)),
            "FROM z\n");

  b.dockerfile.clear();
  b.dockerfile_inline = "FROM inline\n";
  packed = pack_context(b);
  ASSERT_TRUE(packed);
  EXPECT_EQ(tar_extract(packed->tar, c.dir.root, std::string(k_generated_containerfile)),
            "FROM inline\n");

  // Inside the context: its path there.
  c.dir.file("/ctx/docker/prod.Containerfile", "FROM p\n");
  b.dockerfile_inline.clear();
  b.dockerfile = (c.ctx() / "docker/prod.Containerfile").string();
  packed = pack_context(b);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->dockerfile, "docker/prod.Containerfile");
}

TEST(PackContext, ErrorsNameWhatIsMissingOrTooBig) {
  Context c;
  c.dir.file("/ctx/app.txt", std::string(4096, 'x'));
  auto none = pack_context(c.build());
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("has no Containerfile and no Dockerfile"));
  c.dir.file("/ctx/Dockerfile", "FROM x\n");
  auto big = pack_context(c.build(), 2048);
  ASSERT_FALSE(big);
  EXPECT_THAT(big.error().message, HasSubstr(".containerignore"));
  c.dir.file("/ctx/.dockerignore", "[x\n");
  auto bad = pack_context(c.build());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr(".dockerignore:1: the pattern \"[x\""));
}

std::map<std::string, std::string> query_map(const std::string& query) {
  std::map<std::string, std::string> out;
  std::istringstream parts(query);
  for (std::string part; std::getline(parts, part, '&');) {
    auto eq = part.find('=');
    out[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
  }
  return out;
}

TEST(BuildQuery, MapsEachSettingToLibpodsParameter) {
  stack::Build b;
  EXPECT_EQ(build_query(b, "app-web", "Containerfile"),
            "dockerfile=Containerfile&t=app-web&rm=true&layers=true");
  b.args = {{"VERSION", "1.2"}, {"EMPTY", ""}};
  b.labels = {{"org.example/team", "edge crew"}};
  b.target = "runtime";
  b.network = "host";
  b.no_cache = true;
  b.pull = true;
  auto q = query_map(build_query(b, "registry.example:5000/web:1", "docker/prod file"));
  EXPECT_EQ(q["dockerfile"], "docker%2Fprod%20file");
  EXPECT_EQ(q["t"], "registry.example%3A5000%2Fweb%3A1");
  EXPECT_EQ(q["buildargs"], query_escape(R"({"EMPTY":"","VERSION":"1.2"})"));
  EXPECT_EQ(q["labels"], query_escape(R"({"org.example/team":"edge crew"})"));
  EXPECT_EQ(q["target"], "runtime");
  EXPECT_EQ(q["networkmode"], "host");
  EXPECT_EQ(q["nocache"], "true");
  EXPECT_EQ(q["pullpolicy"], "always");
  EXPECT_EQ(q["rm"], "true");
  EXPECT_EQ(q["layers"], "true");
  EXPECT_EQ(q.size(), 10u);
}

TEST(BuildLog, RelaysLinesAndKeepsTheFailingStepsOutput) {
  BuildLog log;
  std::vector<std::string> lines;
  auto sink = [&](std::string_view l) { lines.emplace_back(l); };
  for (
      const char* json :
      {R"({"stream":"STEP 1/3: FROM base\n"})", R"({"stream":"STEP 2/3: RUN echo hi && "})",
       R"({"stream":"false\n"})", R"({"stream":"hi\nhalf"})", R"({"stream":" a line\n"})",
       R"({"error":"building at STEP \"RUN echo hi && false\": exit status 1","errorDetail":{"message":"x"}})",
       "not json"}) {
    log.feed(json, sink);
  }
  log.finish(sink);
  EXPECT_THAT(lines, ElementsAre("STEP 1/3: FROM base", "STEP 2/3: RUN echo hi && false", "hi",
                                 "half a line"));
  EXPECT_EQ(log.step(), "STEP 2/3: RUN echo hi && false");
  EXPECT_THAT(log.step_output(), ElementsAre("hi", "half a line"));
  EXPECT_EQ(log.error(), "building at STEP \"RUN echo hi && false\": exit status 1");

  BuildLog ok;
  ok.feed(R"({"stream":"STEP 1/1: FROM base\n"})", sink);
  ok.feed(R"({"aux":{"ID":"sha256:ab"}})", sink);
  ok.finish(sink);
  EXPECT_TRUE(ok.error().empty());
}

}  // namespace
}  // namespace edgecrew::engine::podman
