#pragma once

#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/http/handshake_gate.hpp"
#include "chatterbox/http/request_handler.hpp"
#include "chatterbox/ws/keepalive.hpp"
#include "chatterbox/ws/websocket_session.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace chatterbox {

class http_session;
class tls_context_store;
struct tls_connection;

// The open HTTP connections, so shutdown can close idle keep-alive ones instead of waiting
// for their timeouts. Non-owning: a session removes itself when it is destroyed.
class http_session_registry {
 public:
  void add(http_session* session) { sessions_.insert(session); }
  void remove(http_session* session) { sessions_.erase(session); }
  void shutdown_all();
  std::size_t size() const { return sessions_.size(); }

 private:
  std::unordered_set<http_session*> sessions_;
};

struct http_limits {
  std::size_t max_body_bytes;
  std::size_t max_header_bytes;
  std::chrono::seconds request_timeout;
};

// An upload's body is read this much at a time; the next read waits until the chunk is on
// disk, so this is all an upload holds in memory.
inline constexpr std::size_t upload_chunk_bytes = 64 * 1024;
// An upload has the request deadline for each chunk (a stall is cut) and, for the whole body,
// the request deadline plus the time it takes at this rate: a client dribbling bytes cannot
// hold an upload open for hours.
inline constexpr std::uint64_t upload_min_bytes_per_second = 8 * 1024;

// After answering a request whose body it did not read (an upload refused by its header), the
// server stops sending but reads on and discards, up to these bounds, before it closes: closing
// with unread bytes makes the kernel reset the connection, and a browser still sending its body
// would report a network error instead of the answer (nginx's "lingering close").
inline constexpr std::chrono::seconds linger_timeout{10};
inline constexpr std::uint64_t linger_max_bytes = 64ull * 1024 * 1024;

struct http_session_services {
  request_handler& handler;
  chat_service& chat;
  http_session_registry& registry;
  http_limits limits;
  websocket_limits ws_limits;
  websocket_keepalive& keepalive;
  // Set when the listener serves HTTPS: new connections use its current context.
  const tls_context_store* tls = nullptr;
  // A TLS client has this long to complete its handshake (it holds a handshake_gate place
  // meanwhile, like a plain connection waiting for its first request).
  std::chrono::seconds tls_handshake_timeout{10};
};

// Every response over TLS tells the browser to use HTTPS for this host from now on.
inline constexpr std::string_view hsts_value = "max-age=31536000";

// Reads HTTP requests on one connection (one at a time, each within the request deadline),
// answers them, and hands the socket to a websocket_session on an authorised /ws upgrade.
// Over TLS, the handshake comes first (http_session_tls.cpp).
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  // `first_request` is the connection's place in the handshake gate, given up once its first
  // request has been read. With `tls`, the connection speaks TLS with that context (kept
  // alive by the connection: a certificate reload does not touch it).
  http_session(boost::asio::ip::tcp::socket&& socket, http_session_services services,
               handshake_gate::slot first_request = {},
               std::shared_ptr<boost::asio::ssl::context> tls = {});
  ~http_session();

  void run();
  void shutdown();

 private:
  void on_handshake(boost::beast::error_code ec);
  void refuse_plain_http();
  void do_read();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void dispatch(http_request&& request);
  void upgrade(http_request&& request);
  void on_upgrade_decided(const http_request& request, request_handler::upgrade_decision& decision);
  // Uploads: the body is streamed to the file store chunk by chunk.
  void start_upload();
  void on_upload_decided(request_handler::upload_decision& decision);
  void read_upload_chunk();
  void on_upload_chunk(boost::beast::error_code ec, std::size_t bytes);
  void end_upload(http_response response);
  void send(http_response response);
  void send_file(file_response response);
  void write_file_part(bool keep_alive);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void linger(std::uint64_t discarded);
  // The TCP stream (its deadline, its socket), plain or under TLS.
  boost::beast::tcp_stream& tcp();
  // Calls `f` with the stream requests are read from and responses written to.
  template <class F>
  void with_stream(F&& f);

  boost::beast::tcp_stream stream_;  // the connection when plain; unopened under TLS
  std::unique_ptr<tls_connection> tls_;  // handed to the websocket_session on an upgrade
  bool is_tls_ = false;
  boost::beast::flat_buffer buffer_;
  http_session_services services_;
  handshake_gate::slot first_request_;
  // Every request's header is read first; then its body whole (parser_) or, for an upload,
  // in chunks (upload_parser_).
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::request_parser<http::buffer_body>> upload_parser_;
  std::shared_ptr<upload_in_progress> upload_;
  std::vector<char> upload_chunk_;
  std::chrono::steady_clock::time_point upload_deadline_;
  std::shared_ptr<void> response_;  // kept alive until async_write completes
  std::optional<boost::asio::ip::address> peer_;  // nullopt when the socket could not say
  std::string peer_text_;  // for connection-level logs, before any request names its client
  bool shutting_down_ = false;
  bool reading_ = false;
  bool body_unread_ = false;  // the connection closes by linger
};

}  // namespace chatterbox
