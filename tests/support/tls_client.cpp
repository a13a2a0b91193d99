#include "support/tls_client.hpp"

#include "support/run_command.hpp"

#include <openssl/x509.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cctype>
#include <deque>
#include <stdexcept>

namespace chatterbox::test_support {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;

namespace {

template <class Start, class Cancel>
beast::error_code run_bounded(boost::asio::io_context& io,
                              std::chrono::steady_clock::duration bound, Start start,
                              Cancel cancel) {
  std::optional<beast::error_code> result;
  io.restart();
  start([&](beast::error_code ec, auto&&...) { result = ec; });
  io.run_for(bound);
  if (!result) {
    cancel();
    io.restart();
    io.run_for(std::chrono::seconds(2));
    return beast::error::timeout;
  }
  return *result;
}

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
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto& value = result.headers[name];
    if (!value.empty()) value.append("\n");
    value.append(field.value());
  }
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

struct tls_ws_client::impl {
  impl() : context(client_context()), ws(io, context) {}

  bool read_frame(std::chrono::steady_clock::duration bound) {
    if (closed) return false;
    beast::flat_buffer buffer;
    auto ec = run_bounded(
        io, bound, [&](auto handler) { ws.async_read(buffer, handler); },
        [&] { beast::get_lowest_layer(ws).cancel(); });
    if (ec) {
      last_error = ec;
      closed = true;
      if (ec != beast::error::timeout) close_code = ws.reason().code;
      return false;
    }
    auto parsed = json::parse(beast::buffers_to_string(buffer.data()));
    if (parsed.is_array()) {
      for (auto& event : parsed) pending.push_back(std::move(event));
    } else {
      pending.push_back(std::move(parsed));
    }
    return true;
  }

  boost::asio::io_context io;
  ssl::context context;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  std::deque<json> pending;
  beast::error_code last_error;
  bool closed = false;
  std::optional<std::uint16_t> close_code;
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

void tls_ws_client::send(const json& frame) {
  const auto text = frame.dump();
  auto& ws = impl_->ws;
  auto ec = run_bounded(
      impl_->io, wait_bound,
      [&](auto handler) { ws.async_write(boost::asio::buffer(text), handler); },
      [&] { beast::get_lowest_layer(ws).cancel(); });
  if (ec) throw std::runtime_error("send failed: " + ec.message());
}

std::optional<json> tls_ws_client::next(std::chrono::steady_clock::duration bound) {
  auto& pending = impl_->pending;
  if (pending.empty() && !impl_->read_frame(bound)) return std::nullopt;
  auto event = std::move(pending.front());
  pending.pop_front();
  return event;
}

json tls_ws_client::expect(const std::string& type, std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    auto event = next(std::max<std::chrono::steady_clock::duration>(left, 0s));
    if (!event) {
      throw std::runtime_error("no '" + type + "' event arrived (" + impl_->last_error.message() +
                               ")");
    }
    if (event->value("type", "") == type) return *event;
  }
}

json tls_ws_client::expect_message(const std::string& text,
                                   std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    auto event = next(std::max<std::chrono::steady_clock::duration>(left, 0s));
    if (!event) throw std::runtime_error("no message '" + text.substr(0, 40) + "' arrived");
    if (event->value("type", "") == "message" && event->value("text", "") == text) return *event;
  }
}

json tls_ws_client::say(std::int64_t room, const std::string& client_id, const std::string& text) {
  send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}});
  return expect("ack");
}

std::optional<std::uint16_t> tls_ws_client::wait_closed(std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!impl_->closed) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= 0s) return std::nullopt;
    impl_->read_frame(left);
  }
  if (impl_->last_error == beast::error::timeout) return std::nullopt;
  return impl_->close_code;
}

const std::string& tls_ws_client::peer_common_name() const { return impl_->peer_common_name; }

}  // namespace chatterbox::test_support
