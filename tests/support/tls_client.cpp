#include "support/tls_client.hpp"

#include "support/run_command.hpp"
#include "support/ws_connection.hpp"

#include <openssl/x509.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <stdexcept>

namespace chatterbox::test_support {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;

namespace {

ssl::context client_context() {
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);  // self-signed; the test checks the CN instead
  return context;
}

std::string common_name(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
  X509_free(cert);
  return name;
}

tcp::endpoint local(std::uint16_t port) {
  return {boost::asio::ip::make_address("127.0.0.1"), port};
}

}  // namespace

test_certificate make_certificate(const std::string& dir, const std::string& common_name) {
  test_certificate made{dir + "/" + common_name + ".crt", dir + "/" + common_name + ".key"};
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 2 -subj /CN=";
  command.append(common_name)
      .append(" -addext subjectAltName=IP:127.0.0.1 -keyout ")
      .append(made.key)
      .append(" -out ")
      .append(made.cert);
  const auto result = run_command(command);
  if (result.status != 0) throw std::runtime_error("openssl req failed: " + result.output);
  return made;
}

https_result https_request(std::uint16_t port, http::verb method, const std::string& target,
                           const std::string& body,
                           const std::map<std::string, std::string>& headers) {
  boost::asio::io_context io;
  auto context = client_context();
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  beast::get_lowest_layer(stream).expires_after(wait_bound);
  beast::get_lowest_layer(stream).connect(local(port));
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  auto ec = run_bounded(
      io, wait_bound,
      [&](auto handler) {
        stream.async_handshake(
            ssl::stream_base::client, [&, handler](beast::error_code hec) mutable {
              if (hec) return handler(hec);
              http::async_write(stream, request,
                                [&, handler](beast::error_code wec, std::size_t) mutable {
                                  if (wec) return handler(wec);
                                  http::async_read(stream, buffer, response, handler);
                                });
            });
      },
      [&] { beast::get_lowest_layer(stream).cancel(); });
  if (ec) throw std::runtime_error("HTTPS " + target + " failed: " + ec.message());

  https_result result;
  result.status = response.result_int();
  result.headers = lowercase_headers(response);
  result.body = response.body();
  result.peer_common_name = common_name(stream.native_handle());
  return result;
}

std::string tls_token_for(std::uint16_t port, const std::string& username) {
  const auto result =
      https_request(port, http::verb::post, "/api/login",
                    json{{"username", username}, {"password", "password123"}}.dump());
  if (result.status != 200 && result.status != 201) {
    throw std::runtime_error("login failed: " + std::to_string(result.status) + " " + result.body);
  }
  return result.body_json()["token"].get<std::string>();
}

std::string tls_handshake_error(std::uint16_t port) {
  boost::asio::io_context io;
  auto context = client_context();
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  beast::get_lowest_layer(stream).connect(local(port));
  const auto ec = run_bounded(
      io, wait_bound,
      [&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); },
      [&] { beast::get_lowest_layer(stream).cancel(); });
  return ec ? ec.message() : std::string();
}

// Made before the connection, which is made with it.
struct client_tls_context {
  ssl::context context = client_context();
};

struct tls_ws_client::impl : client_tls_context,
                             ws_connection<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> {
  impl() : ws_connection(context) {}
  std::string peer_common_name;
};

tls_ws_client::tls_ws_client() : impl_(std::make_unique<impl>()) {}
tls_ws_client::~tls_ws_client() = default;

std::unique_ptr<tls_ws_client> tls_ws_client::connect(std::uint16_t port,
                                                      const std::string& token) {
  std::unique_ptr<tls_ws_client> client(new tls_ws_client());
  auto& ws = client->impl_->ws;
  beast::get_lowest_layer(ws).expires_after(wait_bound);
  beast::get_lowest_layer(ws).connect(local(port));
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
    request.set(http::field::authorization, "Bearer " + token);
  }));
  const auto host = "127.0.0.1:" + std::to_string(port);
  const auto ec = run_bounded(
      client->impl_->io, wait_bound,
      [&](auto handler) {
        ws.next_layer().async_handshake(ssl::stream_base::client,
                                        [&, handler](beast::error_code hec) mutable {
                                          if (hec) return handler(hec);
                                          ws.async_handshake(host, "/ws", handler);
                                        });
      },
      [&] { beast::get_lowest_layer(ws).cancel(); });
  if (ec) throw std::runtime_error("TLS WebSocket upgrade failed: " + ec.message());
  beast::get_lowest_layer(ws).expires_never();
  client->impl_->peer_common_name = common_name(ws.next_layer().native_handle());
  client->hello = client->expect("hello");
  return client;
}

void tls_ws_client::send(const json& frame) { impl_->write(frame.dump()); }

std::optional<json> tls_ws_client::next(std::chrono::steady_clock::duration bound) {
  return impl_->next(bound);
}

json tls_ws_client::expect(const std::string& type, std::chrono::steady_clock::duration bound) {
  return impl_->expect_match([&](const json& e) { return e.value("type", "") == type; },
                             "'" + type + "'", bound, nullptr);
}

json tls_ws_client::expect_message(const std::string& text,
                                   std::chrono::steady_clock::duration bound) {
  return impl_->expect_match(
      [&](const json& e) { return e.value("type", "") == "message" && e.value("text", "") == text; },
      "message '" + text.substr(0, 40) + "'", bound, nullptr);
}

json tls_ws_client::say(std::int64_t room, const std::string& client_id, const std::string& text) {
  send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}});
  return expect("ack");
}

std::optional<std::uint16_t> tls_ws_client::wait_closed(std::chrono::steady_clock::duration bound) {
  return impl_->wait_closed(bound);
}

const std::string& tls_ws_client::peer_common_name() const { return impl_->peer_common_name; }

}  // namespace chatterbox::test_support
