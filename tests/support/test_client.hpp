#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace chatterbox::test_support {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Every wait in a test is bounded by this unless a test says otherwise.
inline constexpr auto wait_bound = std::chrono::seconds(10);

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

struct http_result {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  json body_json() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One HTTP/1.1 request on a fresh connection, with a bounded wait.
inline http_result http_request(std::uint16_t port, http::verb method, const std::string& target,
                                const std::string& body = "",
                                const std::map<std::string, std::string>& headers = {}) {
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
    result.headers[name] = std::string(field.value());
  }
  result.body = response.body();
  return result;
}

inline http_result login(std::uint16_t port, const std::string& username,
                         const std::string& password = "password123") {
  return http_request(port, http::verb::post, "/api/login",
                      json{{"username", username}, {"password", password}}.dump());
}

// A token for `username`, creating the account if needed.
inline std::string token_for(std::uint16_t port, const std::string& username) {
  const auto result = login(port, username);
  if (result.status != 200 && result.status != 201) {
    throw std::runtime_error("login failed: " + std::to_string(result.status) + " " + result.body);
  }
  return result.body_json()["token"].get<std::string>();
}

// A protocol v1 client. Server frames that are arrays are split into their events, so tests
// see one event at a time whichever way the server batched them.
class ws_client {
 public:
  struct options {
    std::optional<std::string> token;
    bool as_cookie = false;
    std::optional<std::string> origin;
  };

  ws_client(std::uint16_t port, options opts) : ws_(io_) {
    beast::get_lowest_layer(ws_).expires_after(wait_bound);
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator([opts](websocket::request_type& request) {
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
    handshake_error_ = run_bounded(
        io_, wait_bound,
        [&](auto handler) { ws_.async_handshake(upgrade_response_, host, "/ws", handler); },
        [&] { beast::get_lowest_layer(ws_).cancel(); });
  }

  // Connects with a bearer token and consumes hello, history, presence and receipts.
  static std::unique_ptr<ws_client> join(std::uint16_t port, const std::string& token) {
    auto client = std::make_unique<ws_client>(port, options{token, false, std::nullopt});
    if (!client->connected()) throw std::runtime_error("upgrade refused");
    client->hello = client->expect("hello");
    client->history = client->expect("history");
    client->presence = client->expect("presence");
    client->receipts = client->expect("receipts");
    return client;
  }

  bool connected() const { return !handshake_error_; }
  unsigned upgrade_status() const { return upgrade_response_.result_int(); }

  void send(const json& frame) { send_text(frame.dump()); }
  void send_text(const std::string& text, bool binary = false) {
    ws_.binary(binary);
    auto ec = run_bounded(
        io_, wait_bound,
        [&](auto handler) { ws_.async_write(boost::asio::buffer(text), handler); },
        [&] { beast::get_lowest_layer(ws_).cancel(); });
    if (ec) throw std::runtime_error("send failed: " + ec.message());
  }

  // The next event, or nullopt when none arrived within `bound` or the connection ended.
  std::optional<json> next(std::chrono::steady_clock::duration bound = wait_bound) {
    if (pending_.empty() && !read_frame(bound)) return std::nullopt;
    auto event = std::move(pending_.front());
    pending_.pop_front();
    return event;
  }

  // The next event of `type`, skipping others; throws when none arrives in time.
  json expect(const std::string& type, std::chrono::steady_clock::duration bound = wait_bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    for (;;) {
      const auto left = deadline - std::chrono::steady_clock::now();
      auto event = next(std::max<std::chrono::steady_clock::duration>(left, 0s));
      if (!event) throw std::runtime_error("no '" + type + "' event arrived (" + last_error() + ")");
      if ((*event)["type"] == type) return *event;
      skipped.push_back(std::move(*event));
    }
  }

  // Every event that arrives before the answer to a `history` request sent now. Because the
  // server handles one connection's frames in order, this proves what was (not) delivered
  // without waiting for a timeout.
  std::vector<json> drain() {
    send({{"type", "history"}, {"limit", 1}, {"before", 1}});
    std::vector<json> events;
    for (;;) {
      auto event = next();
      if (!event) throw std::runtime_error("drain: connection ended (" + last_error() + ")");
      if ((*event)["type"] == "history" && (*event)["before"] == 1) return events;
      events.push_back(std::move(*event));
    }
  }

  // Waits for the server to close the connection; the close code, or nullopt on timeout.
  std::optional<std::uint16_t> wait_closed(std::chrono::steady_clock::duration bound = wait_bound) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!closed_) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= 0s) return std::nullopt;
      pending_.clear();
      if (!read_frame(left) && !closed_) return std::nullopt;
    }
    return close_code_;
  }

  void close() {
    if (closed_) return;
    run_bounded(
        io_, wait_bound,
        [&](auto handler) { ws_.async_close(websocket::close_code::normal, handler); },
        [&] { beast::get_lowest_layer(ws_).cancel(); });
    closed_ = true;
  }

  // Stop reading without closing: the server sees a client whose receive window fills up.
  tcp::socket& raw_socket() { return beast::get_lowest_layer(ws_).socket(); }

  std::string last_error() const { return last_error_.message(); }

  json hello, history, presence, receipts;
  std::vector<json> skipped;

 private:
  bool read_frame(std::chrono::steady_clock::duration bound) {
    if (closed_) return false;
    beast::flat_buffer buffer;
    auto ec = run_bounded(
        io_, bound, [&](auto handler) { ws_.async_read(buffer, handler); },
        [&] { beast::get_lowest_layer(ws_).cancel(); });
    if (ec) {
      last_error_ = ec;
      if (ec != beast::error::timeout) {
        closed_ = true;
        close_code_ = ws_.reason().code;
      } else {
        closed_ = true;  // a cancelled websocket read leaves the stream unusable
      }
      return false;
    }
    auto parsed = json::parse(beast::buffers_to_string(buffer.data()));
    if (parsed.is_array()) {
      for (auto& event : parsed) pending_.push_back(std::move(event));
    } else {
      pending_.push_back(std::move(parsed));
    }
    return true;
  }

  boost::asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type upgrade_response_;
  beast::error_code handshake_error_;
  beast::error_code last_error_;
  std::deque<json> pending_;
  bool closed_ = false;
  std::optional<std::uint16_t> close_code_;
};

}  // namespace chatterbox::test_support
