// CRI-O's HTTP side of its socket (GET /info, GET /config), against the HTTP fixture on a unix
// socket speaking as CRI-O 1.28 does (no CRI-O is installable here); containerd's gRPC-only
// socket is tried in tests/cri.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "engine/cri/cri_engine.h"
#include "engine/cri/crio_http.h"
#include "fixtures/http_fixture.h"

namespace edgecrew::engine::cri {
namespace {

using edgecrew::testing::FixtureRequest;
using edgecrew::testing::FixtureResponse;
using edgecrew::testing::HttpFixture;

class CrioHttpFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "edgecrew-crio-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    m_socket = (m_dir / "crio.sock").string();
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::filesystem::path m_dir;
  std::string m_socket;
};

TEST_F(CrioHttpFixture, InfoAndConfigFromTheCrioSocket) {
  HttpFixture http(m_socket);
  http.route("GET", "/info", [](const FixtureRequest&) {
    return FixtureResponse{200,
                           {{"Content-Type", "application/json"}},
                           R"({"storage_driver":"overlay","storage_image":"",)"
                           R"("storage_root":"/var/lib/containers/storage",)"
                           R"("cgroup_driver":"systemd","default_id_mappings":{}})"};
  });
  http.route("GET", "/config", [](const FixtureRequest&) {
    return FixtureResponse{200,
                           {{"Content-Type", "application/toml"}},
                           "[crio]\n  root = \"/var/lib/containers/storage\"\n"};
  });
  auto info = crio_info(m_socket);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->storage_driver, "overlay");
  EXPECT_EQ((*info)->storage_root, "/var/lib/containers/storage");
  EXPECT_EQ((*info)->cgroup_driver, "systemd");
  auto config = crio_config(m_socket);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_TRUE(config->has_value());
  EXPECT_THAT(**config, ::testing::HasSubstr("[crio]"));
}

// CRI-O's image store is where GET /info says: a containers-storage store Podman can share.
TEST_F(CrioHttpFixture, TheCriEngineFindsCrioImageStoreOnItsSocket) {
  HttpFixture http(m_socket);
  http.route("GET", "/info", [](const FixtureRequest&) {
    return FixtureResponse{200,
                           {{"Content-Type", "application/json"}},
                           R"({"storage_driver":"overlay","storage_image":"",)"
                           R"("storage_root":"/srv/crio/storage","cgroup_driver":"systemd"})"};
  });
  CriEngine engine(CriEndpoint{m_socket, "test"}, {});
  auto store = engine.image_store();
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(store->kind, StoreKind::containers_storage);
  EXPECT_EQ(store->driver, "overlay");
  EXPECT_EQ(store->graphroot, "/srv/crio/storage");
  EXPECT_EQ(store->found_by, "CRI-O GET /info on " + m_socket);
}

TEST_F(CrioHttpFixture, AnotherAnswerIsNotCrioAndNoSocketIsAnError) {
  HttpFixture http(m_socket);  // no routes: 404 for everything
  auto info = crio_info(m_socket);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_FALSE(info->has_value());
  auto missing = crio_info((m_dir / "absent.sock").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::unavailable);
}

}  // namespace
}  // namespace edgecrew::engine::cri
