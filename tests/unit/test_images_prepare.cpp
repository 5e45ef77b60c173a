// up's image stage (images/prepare) and the decisions of images sync, with fake engines and a
// fixture registry: what is copied, what is refused before anything is created, and why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "fake_engine.h"
#include "fixture_http.h"
#include "images/prepare.h"
#include "images/sync.h"

namespace edgecrew::images {
namespace {

using plan::test::FakeEngine;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

StoreSide side_with(const std::string& name, std::shared_ptr<FakeEngine> engine) {
  return make_side(name, std::move(engine), "/run/fake.sock", "");
}

TEST(ImagesPrepare, NothingMissingAsksNoOtherStoreAndNoRegistry) {
  auto podman = std::make_shared<FakeEngine>();
  podman->add_image("docker.io/library/redis:7");
  int opened = 0, target_made = 0;
  auto prepared = prepare_images(
      {"docker.io/library/redis:7"}, *podman,
      [&] {
        ++target_made;
        return side_with("podman", podman);
      },
      [&] {
        ++opened;
        return StoreSide{"cri", nullptr, std::nullopt, "not here", ""};
      },
      {});
  EXPECT_THAT(prepared.errors, IsEmpty());
  EXPECT_THAT(prepared.notes, IsEmpty());
  EXPECT_EQ(opened, 0);
  EXPECT_EQ(target_made, 0);
}

TEST(ImagesPrepare, FixtureRegistryDecidesWhatMayBePulledBeforeAnythingIsCreated) {
  test::FixtureHttp registry(401);
  int closed_port = 0;
  {
    test::FixtureHttp gone(200);
    closed_port = gone.port;
  }
  const std::string reachable = fmt::format("127.0.0.1:{}/team/app:1", registry.port);
  const std::string unreachable = fmt::format("127.0.0.1:{}/team/db:1", closed_port);
  auto cri = std::make_shared<FakeEngine>();
  auto prepared = prepare_images(
      {reachable, unreachable, "localhost/built/here:1"}, *cri,
      [&] { return side_with("cri", cri); },
      [] {
        return StoreSide{"podman", nullptr, std::nullopt, "Podman does not answer", ""};
      },
      {});
  ASSERT_THAT(prepared.errors, SizeIs(2));
  EXPECT_THAT(prepared.errors[0],
              AllOf(HasSubstr("cannot pull " + unreachable),
                    HasSubstr(fmt::format("registry 127.0.0.1:{}", closed_port)),
                    HasSubstr("nothing was created")));
  EXPECT_THAT(prepared.errors[1],
              AllOf(HasSubstr("localhost/built/here:1"), HasSubstr("no registry")));
  // Only look-ups: the stage itself changes nothing in the engine.
  EXPECT_THAT(cri->mutations(), IsEmpty());
}

ImageTable table_of(std::vector<ImageRow> rows, bool shared = false) {
  ImageTable t;
  t.shared = shared;
  t.rows = std::move(rows);
  return t;
}

Presence has(std::string id) {
  return {engine::ImageInfo{std::move(id), {}, 1}, {}};
}

TEST(ImagesSync, SkipsWhatIsThereAndSaysWhatIsNowhere) {
  StoreSide podman{"podman", nullptr, std::nullopt, "unused", ""};
  StoreSide cri{"cri", nullptr, std::nullopt, "unused", ""};
  auto steps =
      sync_images(table_of({{"a:1", {"a"}, has("sha256:1"), has("sha256:1"), Agreement::same},
                            {"b:1", {"b"}, {}, {}, Agreement::neither},
                            {"c:1", {"c"}, {}, has("sha256:3"), Agreement::cri_only},
                            {"d:1", {"d"}, has("sha256:4"), {}, Agreement::podman_only}}),
                  podman, cri, {}, {});
  ASSERT_THAT(steps, SizeIs(4));
  EXPECT_EQ(steps[0].result, StepResult::up_to_date);
  EXPECT_EQ(steps[1].result, StepResult::not_in_source);
  EXPECT_EQ(steps[2].result, StepResult::up_to_date);
  EXPECT_THAT(steps[2].detail, HasSubstr("only the CRI store"));
  // d must be copied, but neither store is known here: a failure that says which.
  EXPECT_EQ(steps[3].result, StepResult::failed);
  EXPECT_THAT(steps[3].detail, HasSubstr("the Podman store is unknown"));
}

TEST(ImagesSync, OneStoreHasNothingToCopy) {
  engine::ImageStore store{engine::StoreKind::containers_storage, "overlay",
                           "/var/lib/containers/storage", "", ""};
  StoreSide podman{"podman", nullptr, store, "", ""};
  StoreSide cri{"cri", nullptr, store, "", ""};
  auto steps = sync_images(table_of({{"a:1", {"a"}, has("sha256:1"), {}, Agreement::same}}, true),
                           podman, cri, {}, {});
  ASSERT_THAT(steps, SizeIs(1));
  EXPECT_EQ(steps[0].result, StepResult::shared);
  EXPECT_EQ(copy_image("a:1", podman, cri, {}, {}).result, StepResult::shared);
}

TEST(ImagesSync, OutOfContainerdSaysHowRatherThanGuessing) {
  StoreSide cri{"cri", nullptr, engine::ImageStore{engine::StoreKind::containerd, "", "", "", ""},
                "", "/run/c.sock"};
  StoreSide podman{
      "podman", nullptr,
      engine::ImageStore{engine::StoreKind::containers_storage, "vfs", "/tmp/x", "", ""}, "", ""};
  auto step = copy_image("localhost/a:1", cri, podman, {}, {});
  EXPECT_EQ(step.result, StepResult::failed);
  EXPECT_THAT(step.detail, AllOf(HasSubstr("ctr --address /run/c.sock -n k8s.io images export"),
                                 HasSubstr("podman load -i")));
}

}  // namespace
}  // namespace edgecrew::images
