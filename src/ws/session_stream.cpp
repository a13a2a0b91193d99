#include "chatterbox/ws/session_stream.hpp"

#include "chatterbox/tls/tls_connection.hpp"

#include <boost/asio/write.hpp>

namespace chatterbox {
namespace {

namespace asio = boost::asio;

// Up to one TLS record's payload the header and the payload are joined; a bigger payload is
// several records anyway, and one more small record for its header costs less than the copy.
constexpr std::size_t coalesce_limit = 16 * 1024;

}  // namespace

session_stream::session_stream(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

session_stream::session_stream(std::unique_ptr<tls_connection> tls)
    : socket_(tls->stream.get_executor()), tls_(std::move(tls)) {}

session_stream::session_stream(session_stream&&) noexcept = default;
session_stream::~session_stream() = default;

asio::ip::tcp::socket& session_stream::tls_socket() { return tls_->stream.next_layer().socket(); }

bool session_stream::tls_input_buffered() const { return tls_->input_buffered; }

std::size_t session_stream::read_some_tls(asio::mutable_buffer buffer, error_code& ec) {
  // With the socket non-blocking, Asio's synchronous TLS read returns would_block only once
  // the TLS layer has used every byte it had taken from the socket: then, and only then, the
  // socket's readability says whether there is more. OpenSSL never needs to write during this
  // read (no renegotiation; a TLS 1.3 key update is answered with the next write), so it does
  // not interfere with a write in flight.
  const auto size = tls_->stream.read_some(buffer, ec);
  tls_->input_buffered = !ec && size > 0;
  return size;
}

void session_stream::async_write_tls(asio::const_buffer first, asio::const_buffer second,
                                     write_handler handler) {
  if (second.size() == 0) {
    return asio::async_write(tls_->stream, first, std::move(handler));
  }
  if (first.size() + second.size() > coalesce_limit) {
    const std::array<asio::const_buffer, 2> buffers{first, second};
    return asio::async_write(tls_->stream, buffers, std::move(handler));
  }
  auto& out = tls_->coalesced;
  out.reserve(first.size() + second.size());
  out.assign(static_cast<const char*>(first.data()), first.size());
  out.append(static_cast<const char*>(second.data()), second.size());
  asio::async_write(tls_->stream, asio::buffer(out),
                    [&out, handler = std::move(handler)](error_code ec, std::size_t bytes) {
                      // `out` lives in the session that `handler` keeps alive.
                      std::string{}.swap(out);
                      handler(ec, bytes);
                    });
}

}  // namespace chatterbox
