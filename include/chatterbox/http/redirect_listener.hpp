#pragma once

#include "chatterbox/http/https_redirect.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace chatterbox {

struct redirect_limits {
  std::size_t max_connections = 1024;  // beyond this, new connections are closed at once
  std::size_t max_header_bytes = 8 * 1024;
  std::chrono::seconds request_timeout{10};
};

// The plain-HTTP port of a server that serves HTTPS (--http-redirect-port): every request is
// answered with a redirect to the same path on HTTPS (301 for GET and HEAD, 308 otherwise, so
// a method and body are never silently changed), then the connection closes. Nothing else is
// served here, not even the redirect target of a request whose Host is not a plain host name.
class redirect_listener : public std::enable_shared_from_this<redirect_listener> {
 public:
  // Throws when the address cannot be bound.
  redirect_listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                    https_redirect_target to, redirect_limits limits = {});

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run() { do_accept(); }
  void stop();

  // Connections being answered now (for the limit; sessions report their end).
  std::size_t active() const { return *active_; }

 private:
  void do_accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  https_redirect_target to_;
  redirect_limits limits_;
  std::shared_ptr<std::size_t> active_ = std::make_shared<std::size_t>(0);
};

}  // namespace chatterbox
