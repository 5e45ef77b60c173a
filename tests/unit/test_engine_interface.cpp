// What the engine layer decides once for both engines: the "pull unless the store holds it" step
// that `up` and `images pull` share, and the facts read from a container's OCI spec.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/image_pull.h"
#include "fake_engine.h"

namespace edgecrew::engine {
namespace {

using plan::test::FakeEngine;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(EngineEnsureImage, AnImageTheStoreHoldsIsNotPulled) {
  FakeEngine fake;
  fake.add_image("redis:7.2");
  std::vector<std::string> lines;
  auto ensured = ensure_image(fake, "redis:7.2", [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(ensured) << ensured.error().message;
  EXPECT_FALSE(ensured->pulled);
  EXPECT_THAT(lines, IsEmpty());
  EXPECT_THAT(fake.calls(), ElementsAre("image redis:7.2"));

  // up --pull always: pulled whatever the store holds.
  auto again = ensure_image(
      fake, "redis:7.2", [&](const std::string& l) { lines.push_back(l); }, true);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->pulled);
  EXPECT_THAT(fake.calls(), ElementsAre("image redis:7.2", "pull redis:7.2", "image redis:7.2"));
}

TEST(EngineEnsureImage, AMissingImageIsPulledWithAStartLineThenTheTallyAndItsSize) {
  FakeEngine fake;
  std::vector<std::string> lines;
  auto ensured = ensure_image(fake, "redis:7.2", [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(ensured) << ensured.error().message;
  EXPECT_TRUE(ensured->pulled);
  EXPECT_EQ(ensured->size, "1.0 kB");  // the fake's store counts 1000 bytes
  EXPECT_THAT(lines, ElementsAre("", "0/1 layers, 1 B / 2 B"));
  EXPECT_THAT(fake.calls(), ElementsAre("image redis:7.2", "pull redis:7.2", "image redis:7.2"));
}

TEST(EngineEnsureImage, TheErrorSaysWhichStepFailed) {
  FakeEngine lookup;
  lookup.fail_call("image redis:7.2", "socket closed");
  auto failed = ensure_image(lookup, "redis:7.2", [](const std::string&) {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "cannot look up image redis:7.2: socket closed");
  EXPECT_THAT(lookup.calls(), ElementsAre("image redis:7.2"));

  FakeEngine pull;
  pull.fail_call("pull redis:7.2", "manifest unknown");
  failed = ensure_image(pull, "redis:7.2", [](const std::string&) {});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "pull redis:7.2 failed: manifest unknown");
}

TEST(EngineRuntimeSpec, DevicesAndAnnotationKeysAreRead) {
  auto spec = runtime_spec_from_json(R"({
    "ociVersion": "1.0.2",
    "linux": {"devices": [{"path": "/dev/nvidia0", "type": "c"}, {"path": "/dev/nvidiactl"},
                          {"type": "c"}]},
    "annotations": {"cdi.k8s.io/vllm": "nvidia.com/gpu=0", "io.edgecrew.service": "vllm"}
  })",
                                     "the spec");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_THAT(spec->device_paths, ElementsAre("/dev/nvidia0", "/dev/nvidiactl"));
  EXPECT_THAT(spec->annotations, ElementsAre("cdi.k8s.io/vllm", "io.edgecrew.service"));

  auto bare = runtime_spec_from_json(R"({"ociVersion": "1.0.2", "linux": {}})", "the spec");
  ASSERT_TRUE(bare);
  EXPECT_THAT(bare->device_paths, IsEmpty());
  EXPECT_THAT(bare->annotations, IsEmpty());
}

TEST(EngineRuntimeSpec, WhatIsNotAnObjectIsAnErrorNamingIt) {
  for (const char* text : {"", "[1, 2]", "{\"linux\": ", "\"text\""}) {
    auto spec = runtime_spec_from_json(text, "the OCI config /run/x/config.json");
    ASSERT_FALSE(spec) << text;
    EXPECT_THAT(spec.error().message, HasSubstr("/run/x/config.json")) << text;
  }
}

}  // namespace
}  // namespace edgecrew::engine
