#include "support/test_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <stdexcept>

namespace chatterbox::test_support {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Runs one async operation on `io` for at most `bound`; a timeout cancels it via `cancel`.
// Returns the operation's error, or beast::error::timeout.
template <class Start, class Cancel>
beast::error_code run_bounded(boost::asio::io_context& io, std::chrono::steady_clock::duration bound,
                              Start start, Cancel cancel) {
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

}  // namespace

http_result http_request(std::uint16_t port, http::verb method, const std::string& target,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(wait_bound);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
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
        http::async_write(stream, request, [&, handler](beast::error_code wec, std::size_t) mutable {
          if (wec) return handler(wec);
          http::async_read(stream, buffer, response, handler);
        });
      },
      [&] { stream.cancel(); });
  if (ec) throw std::runtime_error("HTTP " + target + " failed: " + ec.message());

  http_result result;
  result.status = response.result_int();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // A repeated header (Set-Cookie) keeps every value, one per line.
    auto& value = result.headers[name];
    value += (value.empty() ? "" : "\n") + std::string(field.value());
  }
  result.body = response.body();
  return result;
}

http_result login(std::uint16_t port, const std::string& username, const std::string& password) {
  return http_request(port, http::verb::post, "/api/login",
                      json{{"username", username}, {"password", password}}.dump());
}

std::string token_for(std::uint16_t port, const std::string& username) {
  const auto result = login(port, username);
  if (result.status != 200 && result.status != 201) {
    throw std::runtime_error("login failed: " + std::to_string(result.status) + " " + result.body);
  }
  return result.body_json()["token"].get<std::string>();
}

struct ws_client::impl {
  impl() : ws(io) {}

  bool read_frame(std::chrono::steady_clock::duration bound) {
    if (closed) return false;
    beast::flat_buffer buffer;
    auto ec = run_bounded(
        io, bound, [&](auto handler) { ws.async_read(buffer, handler); },
        [&] { beast::get_lowest_layer(ws).cancel(); });
    if (ec) {
      last_error = ec;
      closed = true;  // a cancelled websocket read leaves the stream unusable, too
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
  websocket::stream<beast::tcp_stream> ws;
  websocket::response_type upgrade_response;
  beast::error_code handshake_error;
  beast::error_code last_error;
  std::deque<json> pending;
  bool closed = false;
  std::optional<std::uint16_t> close_code;
};

ws_client::ws_client(std::uint16_t port, options opts) : impl_(std::make_unique<impl>()) {
  auto& ws = impl_->ws;
  beast::get_lowest_layer(ws).expires_after(wait_bound);
  beast::get_lowest_layer(ws).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  beast::get_lowest_layer(ws).expires_never();
  // Like a browser: a frame goes out at once, not held back for a delayed ACK.
  beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::decorator([opts](websocket::request_type& request) {
    if (opts.token) {
      if (opts.as_cookie) {
        request.set(http::field::cookie, "chatterbox_token=" + *opts.token);
      } else {
        request.set(http::field::authorization, "Bearer " + *opts.token);
      }
    }
    if (opts.origin) request.set(http::field::origin, *opts.origin);
  }));
  const auto host = "127.0.0.1:" + std::to_string(port);
  impl_->handshake_error = run_bounded(
      impl_->io, wait_bound,
      [&](auto handler) { ws.async_handshake(impl_->upgrade_response, host, "/ws", handler); },
      [&] { beast::get_lowest_layer(ws).cancel(); });
}

ws_client::~ws_client() = default;

std::unique_ptr<ws_client> ws_client::join(std::uint16_t port, const std::string& token) {
  auto client = std::make_unique<ws_client>(port, options{token, false, std::nullopt});
  if (!client->connected()) throw std::runtime_error("upgrade refused");
  client->hello = client->expect("hello");
  client->history = client->expect("history");
  client->presence = client->expect("presence");
  client->receipts = client->expect("receipts");
  return client;
}

bool ws_client::connected() const { return !impl_->handshake_error; }
unsigned ws_client::upgrade_status() const { return impl_->upgrade_response.result_int(); }

void ws_client::send(const json& frame) { send_text(frame.dump()); }

void ws_client::send_text(const std::string& text, bool binary) {
  auto& ws = impl_->ws;
  ws.binary(binary);
  auto ec = run_bounded(
      impl_->io, wait_bound,
      [&](auto handler) { ws.async_write(boost::asio::buffer(text), handler); },
      [&] { beast::get_lowest_layer(ws).cancel(); });
  if (ec) throw std::runtime_error("send failed: " + ec.message());
}

std::optional<json> ws_client::next(std::chrono::steady_clock::duration bound) {
  auto& pending = impl_->pending;
  if (pending.empty() && !impl_->read_frame(bound)) return std::nullopt;
  auto event = std::move(pending.front());
  pending.pop_front();
  return event;
}

json ws_client::expect(const std::string& type, std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    auto event = next(std::max<std::chrono::steady_clock::duration>(left, 0s));
    if (!event) throw std::runtime_error("no '" + type + "' event arrived (" + last_error() + ")");
    if ((*event)["type"] == type) return *event;
    skipped.push_back(std::move(*event));
  }
}

std::vector<json> ws_client::drain() {
  send({{"type", "history"}, {"limit", 1}, {"before", 1}});
  std::vector<json> events;
  for (;;) {
    auto event = next();
    if (!event) throw std::runtime_error("drain: connection ended (" + last_error() + ")");
    if ((*event)["type"] == "history" && (*event)["before"] == 1) return events;
    events.push_back(std::move(*event));
  }
}

std::vector<json> ws_client::drain_until_closed(std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  std::vector<json> events;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= 0s) throw std::runtime_error("drain_until_closed: still open");
    auto event = next(left);
    if (!event) {
      if (impl_->closed && impl_->last_error != beast::error::timeout) return events;
      throw std::runtime_error("drain_until_closed: " + last_error());
    }
    events.push_back(std::move(*event));
  }
}

std::optional<std::uint16_t> ws_client::wait_closed(std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!impl_->closed) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= 0s) return std::nullopt;
    impl_->pending.clear();
    if (!impl_->read_frame(left) && !impl_->closed) return std::nullopt;
  }
  return impl_->close_code;
}

void ws_client::close() {
  if (impl_->closed) return;
  auto& ws = impl_->ws;
  run_bounded(
      impl_->io, wait_bound,
      [&](auto handler) { ws.async_close(websocket::close_code::normal, handler); },
      [&] { beast::get_lowest_layer(ws).cancel(); });
  impl_->closed = true;
}

tcp::socket& ws_client::raw_socket() { return beast::get_lowest_layer(impl_->ws).socket(); }

std::string ws_client::last_error() const { return impl_->last_error.message(); }

}  // namespace chatterbox::test_support
