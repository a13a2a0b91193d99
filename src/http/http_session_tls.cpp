// http_session: the TLS handshake that comes before the first request on a TLS connection,
// and the answer to plain HTTP sent to the TLS port.

#include "chatterbox/http/http_session.hpp"

#include "chatterbox/tls/tls_connection.hpp"

#include <boost/asio/ssl/error.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace chatterbox {
namespace {

namespace beast = boost::beast;

// What a plain HTTP request to the TLS port gets instead of a handshake (as nginx does): a
// person who typed http:// learns why nothing works.
constexpr std::string_view plain_http_answer =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 34\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks HTTPS, not HTTP.\n";

}  // namespace

void http_session::run() {
  if (!tls_) return do_read();
  // The handshake has its own deadline; the gate place is held until the first request.
  tcp().expires_after(services_.tls_handshake_timeout);
  reading_ = true;
  tls_->stream.async_handshake(
      boost::asio::ssl::stream_base::server,
      beast::bind_front_handler(&http_session::on_handshake, shared_from_this()));
}

void http_session::on_handshake(beast::error_code ec) {
  reading_ = false;
  if (!ec) return do_read();
  first_request_.release();
  if (ec == beast::error::timeout) {
    spdlog::debug("tls: handshake from {} timed out", peer_text_);
  } else {
    spdlog::debug("tls: handshake from {} failed: {}", peer_text_, ec.message());
  }
  if (ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST) {
    return refuse_plain_http();
  }
  tcp().close();
}

void http_session::refuse_plain_http() {
  // One small write on a fresh connection: it fits the socket buffer, so it is written at once
  // without blocking the loop (non-blocking mode); if it does not, the client gets nothing.
  auto& socket = tcp().socket();
  beast::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(boost::asio::buffer(plain_http_answer), ignored);
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  tcp().close();
}

}  // namespace chatterbox
