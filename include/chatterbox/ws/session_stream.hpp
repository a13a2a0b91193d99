#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace chatterbox {

struct tls_connection;

// What a websocket_session reads and writes: a plain TCP socket or a TLS connection. The plain
// path is the socket's own calls behind one null check (inline, no type erasure, no
// allocation); the TLS path lives in session_stream.cpp, where the OpenSSL headers stay.
//
// Reading keeps the session's model — wait for readability without a buffer, then read what is
// there into the shared buffer without blocking — which for TLS needs one more rule: bytes the
// TLS layer already took from the socket (records read ahead, decrypted data not yet handed
// out) make no socket readable, so after a TLS read that returned data the next read is tried
// at once, and only a read that would block waits on the socket again.
class session_stream {
 public:
  using error_code = boost::system::error_code;
  using write_handler = std::function<void(error_code, std::size_t)>;

  explicit session_stream(boost::asio::ip::tcp::socket socket);
  explicit session_stream(std::unique_ptr<tls_connection> tls);
  session_stream(session_stream&&) noexcept;
  ~session_stream();

  bool is_tls() const { return tls_ != nullptr; }
  // The TCP socket underneath: waits, shutdown, close, its executor.
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_socket() : socket_; }

  // Reads what is available without blocking (would_block when nothing is); the socket must be
  // in non-blocking mode.
  std::size_t read_some(boost::asio::mutable_buffer buffer, error_code& ec) {
    if (tls_) return read_some_tls(buffer, ec);
    return socket_.read_some(buffer, ec);
  }
  // True when a read may find data although the socket is not readable (see above).
  bool input_buffered() const { return tls_ && tls_input_buffered(); }

  // Writes all of `buffers`; one write at a time, the buffers kept alive by the caller.
  template <class Handler>
  void async_write(const std::array<boost::asio::const_buffer, 2>& buffers, Handler&& handler) {
    if (tls_) return async_write_tls(buffers[0], buffers[1], std::forward<Handler>(handler));
    boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
  }
  template <class Handler>
  void async_write(boost::asio::const_buffer buffer, Handler&& handler) {
    if (tls_) return async_write_tls(buffer, {}, std::forward<Handler>(handler));
    boost::asio::async_write(socket_, buffer, std::forward<Handler>(handler));
  }

 private:
  boost::asio::ip::tcp::socket& tls_socket();
  bool tls_input_buffered() const;
  std::size_t read_some_tls(boost::asio::mutable_buffer buffer, error_code& ec);
  void async_write_tls(boost::asio::const_buffer first, boost::asio::const_buffer second,
                       write_handler handler);

  boost::asio::ip::tcp::socket socket_;  // the connection when plain; unopened under TLS
  // Everything TLS needs is behind this pointer: a plain connection pays 8 bytes for it.
  std::unique_ptr<tls_connection> tls_;
};

}  // namespace chatterbox
