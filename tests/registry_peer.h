#pragma once
// A private, real Docker registry for the tests: Debian's distribution registry 2.8
// (`docker-registry serve CONFIG`, package docker-registry) on a free loopback port, its storage in
// a temp dir, plain HTTP. Images get into it from a containers-storage store with skopeo (package
// skopeo). A Podman that pulls from it needs registries_conf() (the registry marked insecure, as
// it speaks no TLS) as its CONTAINERS_REGISTRIES_CONF.
//
// Stopped, and its temp dir removed, when the object is destroyed; when a test failed the dir is
// kept and named on stderr.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "net/http_client.h"
#include "unit/fixtures/free_port.h"
#include "util/clock.h"
#include "util/result.h"
#include "util/subprocess.h"

namespace edgecrew::test {

// How long the registry gets to answer GET /v2/, and a skopeo command to finish.
inline constexpr std::chrono::milliseconds k_registry_start_timeout{15'000};
inline constexpr std::chrono::milliseconds k_skopeo_timeout{120'000};

// "containers-storage:[vfs@GRAPHROOT+RUNROOT]REF": an image in a given store, for skopeo.
inline std::string storage_image(const std::string& driver, const std::string& graphroot,
                                 const std::string& runroot, const std::string& ref) {
  return "containers-storage:[" + driver + "@" + graphroot + "+" + runroot + "]" + ref;
}

// The config digest ("sha256:...") of an image as skopeo reads its manifest: the image's id in
// any store. `image` is a skopeo transport reference (storage_image(...), docker://...).
inline Result<std::string> skopeo_config_digest(const std::string& image) {
  auto inspected = run_process(
      {.argv = {"skopeo", "inspect", "--raw", "--tls-verify=false", image}}, k_skopeo_timeout);
  if (!inspected) return inspected.error();
  if (!inspected->status.success()) {
    return Error{ErrorKind::io, "skopeo inspect --raw " + image + ": " + inspected->err};
  }
  const auto manifest = nlohmann::json::parse(inspected->out, nullptr, false);
  if (manifest.is_discarded() || !manifest.contains("config") ||
      !manifest["config"].contains("digest")) {
    return Error{ErrorKind::io, "skopeo inspect --raw " + image + ": no config.digest in " +
                                    inspected->out.substr(0, 300)};
  }
  return manifest["config"]["digest"].get<std::string>();
}

class RegistryPeer {
 public:
  RegistryPeer() = default;
  RegistryPeer(const RegistryPeer&) = delete;
  RegistryPeer& operator=(const RegistryPeer&) = delete;
  ~RegistryPeer() { stop(); }

  // Returns "" or why the registry cannot run here.
  std::string start() {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "edgecrew-registry-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return "cannot create a temp dir";
    m_dir = pattern;
    m_port = edgecrew::testing::free_loopback_port();
    if (m_port == 0) return "no free loopback port";
    // No access log (every request would be a line in the captured output); a fixed secret,
    // or the registry warns about a random one at each start.
    std::ofstream(m_dir / "config.yml")
        << "version: 0.1\n"
        << "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
        << "storage:\n  filesystem:\n    rootdirectory: " << (m_dir / "data").string() << "\n"
        << "  delete:\n    enabled: true\n"
        << "http:\n  addr: " << address() << "\n  secret: edgecrew-test\n";
    std::ofstream(m_dir / "registries.conf")
        << "[[registry]]\nlocation = \"" << address() << "\"\ninsecure = true\n";

    auto process =
        Subprocess::spawn({.argv = {"docker-registry", "serve", (m_dir / "config.yml").string()}});
    if (!process) {
      return "cannot start docker-registry: " + process.error().message +
             " (run scripts/setup.sh --test: package docker-registry)";
    }
    m_process.emplace(std::move(*process));
    Deadline deadline(k_registry_start_timeout);
    while (true) {
      auto answer = net::http_request({.url = "http://" + address() + "/v2/",
                                       .connect_timeout = std::chrono::milliseconds(500),
                                       .timeout = std::chrono::milliseconds(1'000)});
      if (answer && answer->status == 200) return {};
      if (auto ended = m_process->poll()) {
        return "docker-registry ended (" + ended->describe() + "): " + m_process->stderr_text();
      }
      if (deadline.expired()) {
        return "docker-registry did not answer GET /v2/ on " + address() + " within " +
               std::to_string(k_registry_start_timeout.count()) + " ms";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  void stop() {
    if (m_process) {
      m_process->stop(std::chrono::milliseconds(3'000));
      m_process.reset();
    }
    if (m_dir.empty()) return;
    if (::testing::UnitTest::GetInstance()->current_test_info() != nullptr &&
        ::testing::Test::HasFailure()) {
      std::cerr << "registry data has been left in " << m_dir.string() << "\n";
    } else {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
    m_dir.clear();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
  int port() const { return m_port; }
  const std::filesystem::path& dir() const { return m_dir; }
  // For CONTAINERS_REGISTRIES_CONF: this registry over plain HTTP.
  std::string registries_conf() const { return (m_dir / "registries.conf").string(); }

  // Copies `source` (a skopeo reference, e.g. storage_image(...)) into this registry as
  // NAME:TAG; returns "" or skopeo's complaint.
  std::string push(const std::string& source, const std::string& name_and_tag) const {
    auto copied = run_process(
        {.argv = {"skopeo", "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
                  source, "docker://" + address() + "/" + name_and_tag}},
        k_skopeo_timeout);
    if (!copied) return "skopeo copy: " + copied.error().message;
    if (!copied->status.success()) return "skopeo copy " + source + ": " + copied->err;
    return {};
  }

 private:
  std::filesystem::path m_dir;
  int m_port = 0;
  std::optional<Subprocess> m_process;
};

}  // namespace edgecrew::test
