#pragma once

#include "support/child_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace chatterbox::test_support {

// A port nobody listens on right now (the kernel's pick for a socket bound to port 0).
inline std::uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Debian's redis-server on a free loopback port, in memory only (no snapshot, no append-only
// file): started for a test and gone with it. The same port can be given again to start a
// "restarted" Redis, empty, as a real restart without persistence would be.
class redis_process : public child_process {
 public:
  explicit redis_process(std::uint16_t port = free_tcp_port(), std::string password = "")
      : port_(port) {
    std::vector<std::string> args = {"/usr/bin/redis-server", "--port", std::to_string(port),
                                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                     "--dir", "/tmp", "--loglevel", "notice"};
    if (!password.empty()) {
      args.push_back("--requirepass");
      args.push_back(password);
    }
    start(args);
    if (!wait_for_output("Ready to accept connections")) {
      throw std::runtime_error("redis-server did not start; output:\n" + output());
    }
  }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
};

}  // namespace chatterbox::test_support
