#include "http_client.hpp"

#include "tls_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace chatterbox::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

namespace {

// The request and reading of its response, on a connected (and, for TLS, handshaken) stream.
template <class Stream>
void exchange(Stream& stream, http::request<http::string_body>& request,
              http::response<http::string_body>& response, beast::flat_buffer& buffer,
              http_result& result) {
  http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      result.error = "write: " + ec.message();
      return;
    }
    http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        result.error = "read: " + ec.message();
        return;
      }
      result.status = response.result_int();
      result.body = response.body();
    });
  });
}

}  // namespace

http_result http_call(const std::string& host, std::uint16_t port, const std::string& target,
                      const std::string& body, std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::ssl_stream<beast::tcp_stream> tls(io, client_tls_context());
  beast::tcp_stream& stream = beast::get_lowest_layer(tls);
  http::request<http::string_body> request{body.empty() ? http::verb::get : http::verb::post,
                                           target, 11};
  request.set(http::field::host, host + ":" + std::to_string(port));
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  http_result result;

  stream.expires_after(timeout);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      result.error = "connect: " + ec.message();
      return;
    }
    if (!tls_enabled()) return exchange(stream, request, response, buffer, result);
    tls.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec) {
      if (ec) {
        result.error = "tls: " + ec.message();
        return;
      }
      exchange(tls, request, response, buffer, result);
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace chatterbox::bench
