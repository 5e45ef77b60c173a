#pragma once
// An HTTP fixture on loopback answering every request with one status and an empty body, as a
// registry's HEAD /v2/ does (with its API version header). Serves connections one after another
// until destroyed.

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace edgecrew::test {

class FixtureHttp {
 public:
  explicit FixtureHttp(int status) {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    ::listen(m_fd, 4);
    m_thread = std::thread([this, status] {
      for (;;) {
        int c = ::accept(m_fd, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)::read(c, buf, sizeof buf);
        std::string answer = fmt::format(
            "HTTP/1.1 {} X\r\nContent-Length: 0\r\nDocker-Distribution-Api-Version: "
            "registry/2.0\r\nConnection: close\r\n\r\n",
            status);
        (void)::write(c, answer.data(), answer.size());
        ::close(c);
      }
    });
  }
  ~FixtureHttp() {
    ::shutdown(m_fd, SHUT_RDWR);
    ::close(m_fd);
    m_thread.join();
  }
  FixtureHttp(const FixtureHttp&) = delete;
  FixtureHttp& operator=(const FixtureHttp&) = delete;

  int port = 0;

 private:
  int m_fd = -1;
  std::thread m_thread;
};

}  // namespace edgecrew::test
