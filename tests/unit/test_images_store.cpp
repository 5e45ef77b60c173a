// images/store, skopeo's manifest reading and the comparison of two stores' answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/engine.h"
#include "engine/image_pull.h"
#include "host/containers_conf.h"
#include "host/crio_config.h"
#include "images/image_table.h"
#include "images/skopeo.h"
#include "images/store.h"

namespace edgecrew::images {
namespace {

namespace fs = std::filesystem;
using engine::ImageInfo;
using engine::ImageStore;
using ::testing::ElementsAre;

ImageStore cs(std::string driver, std::string graphroot, std::string runroot = {}) {
  return {engine::StoreKind::containers_storage, std::move(driver), std::move(graphroot),
          std::move(runroot), "t"};
}

TEST(ImagesStore, SameStoreNeedsOneGraphrootAndDriver) {
  EXPECT_TRUE(same_store(cs("overlay", "/var/lib/containers/storage"),
                         cs("overlay", "/var/lib/containers/storage/")));
  // A folder that does not exist yet (Podman never ran here) is the same with or without its "/".
  EXPECT_TRUE(same_store(cs("overlay", "/nonexistent-edgecrew/storage/"),
                         cs("overlay", "/nonexistent-edgecrew/storage")));
  EXPECT_TRUE(same_store(cs("overlay", "/nonexistent-edgecrew/./a/../storage//"),
                         cs("overlay", "/nonexistent-edgecrew/storage")));
  EXPECT_FALSE(same_store(cs("overlay", "/var/lib/containers/storage"),
                          cs("vfs", "/var/lib/containers/storage")));
  EXPECT_FALSE(
      same_store(cs("overlay", "/var/lib/containers/storage"), cs("overlay", "/srv/crio/storage")));
  // An unset driver is "whatever containers-storage picks": it does not make two stores.
  EXPECT_TRUE(same_store(cs("", "/var/lib/containers/storage"),
                         cs("overlay", "/var/lib/containers/storage")));
  // containerd's content store is never a containers-storage one.
  ImageStore containerd{engine::StoreKind::containerd, "", "", "", "t"};
  EXPECT_FALSE(same_store(containerd, containerd));
}

TEST(ImagesStore, SameStoreFollowsSymlinks) {
  fs::path dir = fs::temp_directory_path() / ("edgecrew-store-" + std::to_string(::getpid()));
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "link");
  EXPECT_TRUE(same_store(cs("vfs", (dir / "real").string()), cs("vfs", (dir / "link").string())));
  fs::remove_all(dir);
}

TEST(ImagesStore, StorageReferenceNamesTheStoreExplicitly) {
  EXPECT_EQ(storage_reference(cs("vfs", "/a", "/r"), "localhost/x:1"),
            "containers-storage:[vfs@/a+/r]localhost/x:1");
  EXPECT_EQ(storage_reference(cs("", "/a"), "docker.io/library/redis:7"),
            "containers-storage:[/a]docker.io/library/redis:7");
}

TEST(ImagesStore, CrioConfigurationOverStorageConf) {
  auto storage = host::storage_conf_from_text(
      "[storage]\ndriver = \"overlay\"\ngraphroot = \"/g\"\nrunroot = \"/r\"\n", "storage.conf");
  host::CrioConfig crio;
  crio.files = {"/etc/crio/crio.conf"};
  auto same = configured_crio_store(crio, storage);
  EXPECT_EQ(same.graphroot, "/g");
  EXPECT_EQ(same.runroot, "/r");
  EXPECT_EQ(same.driver, "overlay");
  host::apply_crio_config_text(
      crio, "[crio]\nroot = \"/srv/crio\"\nrunroot = \"/run/crio-s\"\nstorage_driver = \"vfs\"\n",
      "/etc/crio/crio.conf.d/10-store.conf");
  auto own = configured_crio_store(crio, storage);
  EXPECT_EQ(own.graphroot, "/srv/crio");
  EXPECT_EQ(own.runroot, "/run/crio-s");
  EXPECT_EQ(own.driver, "vfs");
  EXPECT_FALSE(same_store(own, cs("overlay", "/g")));
}

TEST(ImagesStore, LookUpInAStoreThatDoesNotExistFindsNothingAndMakesNothing) {
  StoreSide side{"cri", nullptr, cs("vfs", "/nonexistent/edgecrew-store", "/nonexistent/run"),
                 "CRI-O does not answer", ""};
  auto found = look_up(side, "localhost/x:1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_FALSE(found->has_value());
  EXPECT_FALSE(fs::exists("/nonexistent/edgecrew-store"));
  StoreSide unknown{"cri", nullptr, std::nullopt, "no CRI socket", ""};
  auto none = look_up(unknown, "localhost/x:1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "no CRI socket");
}

TEST(ImagesSkopeo, ManifestGivesTheConfigDigestAndTheSize) {
  const std::string raw =
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json",)"
      R"("digest":"sha256:826b8212ae8b50a6513610b34aa11c6a307a01c5c6983b365fbb64ab3e15d07c",)"
      R"("size":409},"layers":[{"size":1986560},{"size":1000}]})";
  auto info = image_from_manifest(raw, "localhost/exp/bb:1");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->id, "sha256:826b8212ae8b50a6513610b34aa11c6a307a01c5c6983b365fbb64ab3e15d07c");
  EXPECT_EQ(info->size, 409 + 1986560 + 1000);
  ASSERT_EQ(info->repo_digests.size(), 1u);
  EXPECT_THAT(info->repo_digests[0], ::testing::StartsWith("localhost/exp/bb@sha256:"));
  // A manifest list names no single config; garbage is not a manifest.
  EXPECT_FALSE(image_from_manifest(R"({"schemaVersion":2,"manifests":[]})", "x"));
  EXPECT_FALSE(image_from_manifest("not json", "x"));
}

Presence has(std::string id) {
  return {ImageInfo{std::move(id), {}, 1}, {}};
}
Presence lacks() {
  return {std::nullopt, {}};
}
Presence broken() {
  return {std::nullopt, "socket gone"};
}

TEST(ImagesTable, ComparesByIdNotByName) {
  EXPECT_EQ(compare(has("sha256:a"), has("sha256:a"), false), Agreement::same);
  EXPECT_EQ(compare(has("sha256:a"), has("sha256:b"), false), Agreement::differ);
  EXPECT_EQ(compare(has("sha256:a"), lacks(), false), Agreement::podman_only);
  EXPECT_EQ(compare(lacks(), has("sha256:b"), false), Agreement::cri_only);
  EXPECT_EQ(compare(lacks(), lacks(), false), Agreement::neither);
  EXPECT_EQ(compare(broken(), lacks(), false), Agreement::unknown);
  EXPECT_EQ(compare(has("sha256:a"), broken(), false), Agreement::podman_only);
  // One store: either answer speaks for both.
  EXPECT_EQ(compare(has("sha256:a"), broken(), true), Agreement::same);
  EXPECT_EQ(compare(broken(), lacks(), true), Agreement::neither);
  EXPECT_EQ(short_id("sha256:826b8212ae8b50a6513610b34aa11c6a307a01c5c6983b365fbb64ab3e15d07c"),
            "826b8212ae8b");
}

TEST(EnginePullTally, AddsUpLayersAndSaysWhenALineIsWorthPrinting) {
  engine::PullTally tally;
  EXPECT_TRUE(tally.apply({"", "pulling through the CRI runtime", 0, 0}));
  EXPECT_EQ(tally.summary(), "pulling through the CRI runtime");
  EXPECT_TRUE(tally.apply({"aaa", "Pulling fs layer", 0, 0}));
  EXPECT_TRUE(tally.apply({"bbb", "Pulling fs layer", 0, 0}));
  // A layer downloading, bytes growing: nothing worth a new plain line.
  EXPECT_FALSE(tally.apply({"aaa", "Downloading", 1'000'000, 4'000'000}));
  EXPECT_FALSE(tally.apply({"aaa", "Downloading", 2'000'000, 4'000'000}));
  EXPECT_EQ(tally.summary(), "0/2 layers, 2.0 MB / 4.0 MB");
  EXPECT_TRUE(tally.apply({"aaa", "Download complete", 0, 0}));
  EXPECT_TRUE(tally.apply({"bbb", "Already exists", 0, 0}));
  EXPECT_EQ(tally.summary(), "2/2 layers, 4.0 MB / 4.0 MB");
  // Podman repeats a done layer's state (and reports the image under its id): no repeat line.
  EXPECT_FALSE(tally.apply({"bbb", "Download complete", 0, 0}));
  EXPECT_FALSE(tally.apply({"", "pulled x", 0, 0}));
  EXPECT_EQ(engine::human_size(999), "999 B");
  EXPECT_EQ(engine::human_size(45'600'000), "46 MB");
  EXPECT_EQ(engine::human_size(1'234'000'000), "1.2 GB");
}

}  // namespace
}  // namespace edgecrew::images
