// Which CRI socket edgecrew uses: the flag, CONTAINER_RUNTIME_ENDPOINT, the stack, crictl.yaml
// under a root, then CRI-O's and containerd's default sockets when they exist.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/cri/cri_endpoint.h"

namespace edgecrew::engine::cri {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class CriEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "edgecrew-cri-root-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
  }
  void TearDown() override {
    for (int fd : m_fds) ::close(fd);
    fs::remove_all(m_root);
  }
  // A real listening-capable unix socket at <root>/<path>.
  void make_socket(const std::string& path) {
    const fs::path full = m_root / fs::path(path).relative_path();
    fs::create_directories(full.parent_path());
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(full.string().size(), sizeof addr.sun_path);
    std::strcpy(addr.sun_path, full.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    m_fds.push_back(fd);
  }
  void write_crictl(const std::string& text) {
    fs::create_directories(m_root / "etc");
    std::ofstream(m_root / "etc/crictl.yaml") << text;
  }
  EndpointInputs inputs() const { return {"", "", "", m_root}; }

  fs::path m_root;
  std::vector<int> m_fds;
};

TEST_F(CriEndpointTest, TheFlagWinsThenTheEnvironmentThenTheStack) {
  make_socket(k_crio_socket);
  EndpointInputs in = inputs();
  in.flag = "unix:///run/flag.sock";
  in.environment = "unix:///run/env.sock";
  in.stack = "/run/stack.sock";
  auto e = discover_endpoint(in);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, "/run/flag.sock");
  EXPECT_EQ(e->source, "--cri-endpoint");
  in.flag.clear();
  e = discover_endpoint(in);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, "/run/env.sock");
  EXPECT_EQ(e->source, "CONTAINER_RUNTIME_ENDPOINT");
  in.environment.clear();
  e = discover_endpoint(in);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, "/run/stack.sock");
  EXPECT_EQ(e->describe(), "CRI socket /run/stack.sock (x-edgecrew cri_endpoint)");
}

TEST_F(CriEndpointTest, CrictlYamlBeforeTheDefaults) {
  make_socket(k_crio_socket);
  write_crictl("runtime-endpoint: unix:///run/k3s/containerd/containerd.sock\ntimeout: 2\n");
  auto e = discover_endpoint(inputs());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, "/run/k3s/containerd/containerd.sock");
  EXPECT_EQ(e->source, (m_root / "etc/crictl.yaml").string());
}

TEST_F(CriEndpointTest, CrioThenContainerdWhicheverExists) {
  make_socket(k_containerd_socket);
  auto e = discover_endpoint(inputs());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, (m_root / "run/containerd/containerd.sock").string());
  EXPECT_EQ(e->source, "containerd's default");
  make_socket(k_crio_socket);
  e = discover_endpoint(inputs());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->socket, (m_root / "var/run/crio/crio.sock").string());
  EXPECT_EQ(e->source, "CRI-O's default");
}

TEST_F(CriEndpointTest, NothingFoundListsWhereItLooked) {
  write_crictl("image-endpoint: unix:///run/x.sock\n");  // no runtime-endpoint
  auto e = discover_endpoint(inputs());
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::unavailable);
  EXPECT_THAT(e.error().message, HasSubstr((m_root / "var/run/crio/crio.sock").string()));
  EXPECT_THAT(e.error().message, HasSubstr((m_root / "run/containerd/containerd.sock").string()));
  EXPECT_THAT(e.error().message, HasSubstr("--cri-endpoint"));
}

TEST_F(CriEndpointTest, OnlyUnixSocketsAndReadableCrictlYaml) {
  EndpointInputs in = inputs();
  in.environment = "tcp://10.0.0.1:10010";
  auto e = discover_endpoint(in);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ErrorKind::invalid_input);
  EXPECT_THAT(e.error().message, HasSubstr("CONTAINER_RUNTIME_ENDPOINT"));
  EXPECT_THAT(e.error().message, HasSubstr("tcp://10.0.0.1:10010"));
  write_crictl("runtime-endpoint: [unclosed\n");
  auto bad = discover_endpoint(inputs());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid_input);
  EXPECT_THAT(bad.error().message, HasSubstr("crictl.yaml"));
}

}  // namespace
}  // namespace edgecrew::engine::cri
