#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chatterbox::bench {

class ws_connection;

// What a scenario hears from its connections. Calls happen on the io_context thread.
class connection_observer {
 public:
  virtual ~connection_observer() = default;
  virtual void on_open(ws_connection& c) = 0;
  virtual void on_frame(ws_connection& c, std::string_view frame) = 0;
  // Exactly once per started connection. `expected` when we closed it ourselves.
  virtual void on_closed(ws_connection& c, const std::string& why, bool expected,
                         bool was_open) = 0;
};

struct connection_target {
  std::string host;
  std::uint16_t port = 0;
  std::optional<boost::asio::ip::address> source;  // bind before connect (many 127.0.0.x)
  std::string token;
  std::chrono::milliseconds setup_timeout{10000};  // connect + upgrade, and the close handshake
  std::chrono::milliseconds ping_idle{10000};  // keep-alive: ping after half of this idle; 0 = off
};

// One authenticated WebSocket to `/ws`: connect (bounded), upgrade with the bearer token, then
// a read loop that hands each text frame to the observer, and a small outbox with one write in
// flight. Beast answers the server's pings and sends ours.
class ws_connection : public std::enable_shared_from_this<ws_connection> {
 public:
  using plain_ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using tls_ws =
      boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  ws_connection(boost::asio::io_context& io, connection_observer& observer, std::size_t index);

  void start(const connection_target& target);
  void send(std::string text);
  void close();

  std::size_t index() const { return index_; }
  bool is_open() const { return open_ && !closing_; }
  std::size_t outbox_size() const { return outbox_.size() + (writing_ ? 1 : 0); }

 private:
  void on_connect(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_close(boost::beast::error_code ec);
  void finish(const std::string& why);
  boost::beast::tcp_stream& tcp();
  // Calls `f` with the WebSocket, plain or over TLS.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    return std::visit(std::forward<F>(f), ws_);
  }

  std::variant<plain_ws, tls_ws> ws_;  // tls_ws when the run speaks TLS (--url https://)
  connection_observer& observer_;
  std::size_t index_;
  connection_target target_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace chatterbox::bench
