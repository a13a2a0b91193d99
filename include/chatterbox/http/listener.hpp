#pragma once

#include "chatterbox/http/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace chatterbox {

// Accepts TCP connections and starts an http_session for each.
class listener : public std::enable_shared_from_this<listener> {
 public:
  // Throws when the address cannot be bound: the server must not start half-working.
  listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
           http_session_services services);

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run() { do_accept(); }
  void stop();

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  http_session_services services_;
};

}  // namespace chatterbox
