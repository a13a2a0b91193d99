#include "support/test_client.hpp"

#include "support/ws_connection.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace chatterbox::test_support {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// A field of a server event, null when it has none (a const json's operator[] would assert).
json field(const json& event, const char* name) {
  const auto it = event.find(name);
  return it == event.end() ? json() : *it;
}

}  // namespace

bool concerns_room(const json& event, std::int64_t room) {
  const auto type = event.value("type", "");
  if (type == "error") return false;
  if (type == "room") return field(field(event, "room"), "id") == room;
  if (type == "sync" || type == "hello") {
    for (const auto& m : event.value("messages", json::array())) {
      if (field(m, "room") == room) return true;
    }
    for (const auto& r : event.value("rooms", json::array())) {
      if (field(r, "id") == room) return true;
    }
    for (const auto& id : event.value("removed", json::array())) {
      if (id == room) return true;
    }
    return false;
  }
  return field(event, "room") == room;
}

bool reports(const json& presence, const std::string& user, std::optional<bool> online) {
  if (field(presence, "type") != "presence") return false;
  for (const auto* list : {"online", "offline"}) {
    if (online && *online != (std::string_view(list) == "online")) continue;
    for (const auto& name : presence.value(list, json::array())) {
      if (name == user) return true;
    }
  }
  return false;
}

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
  result.headers = lowercase_headers(response);
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

struct ws_client::impl : ws_connection<websocket::stream<beast::tcp_stream>> {
  websocket::response_type upgrade_response;
  beast::error_code handshake_error;
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

std::unique_ptr<ws_client> ws_client::connect(std::uint16_t port, const std::string& token) {
  auto client = std::make_unique<ws_client>(port, options{token, false, std::nullopt});
  if (!client->connected()) {
    throw std::runtime_error("upgrade refused: " + std::to_string(client->upgrade_status()));
  }
  client->hello = client->expect("hello");
  return client;
}

bool ws_client::connected() const { return !impl_->handshake_error; }
unsigned ws_client::upgrade_status() const { return impl_->upgrade_response.result_int(); }

void ws_client::send(const json& frame) { send_text(frame.dump()); }

void ws_client::send(std::int64_t room, const std::string& client_id, const std::string& text) {
  send({{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}});
}

void ws_client::send_text(const std::string& text, bool binary) {
  impl_->ws.binary(binary);
  impl_->write(text);
}

std::optional<json> ws_client::next(std::chrono::steady_clock::duration bound) {
  return impl_->next(bound);
}

json ws_client::expect(const std::string& type, std::chrono::steady_clock::duration bound) {
  return expect_match([&](const json& event) { return field(event, "type") == type; },
                      "'" + type + "'", bound);
}

json ws_client::expect_match(const std::function<bool(const json&)>& matches,
                             const std::string& what, std::chrono::steady_clock::duration bound) {
  return impl_->expect_match(matches, what, bound, &skipped);
}

namespace {

// An answer that is an error about the request `ref` names: the helpers below throw it.
bool error_about(const json& event, const json& ref) {
  return field(event, "type") == "error" && field(event, "ref") == ref;
}

json answer_or_throw(json event, const std::string& request) {
  if (field(event, "type") == "error") {
    throw std::runtime_error(request + " refused: " + event.dump());
  }
  return event;
}

}  // namespace

json ws_client::say(std::int64_t room, const std::string& client_id, const std::string& text) {
  send(room, client_id, text);
  return answer_or_throw(
      expect_match(
          [&](const json& e) {
            return (field(e, "type") == "ack" && field(e, "client_id") == client_id) ||
                   error_about(e, client_id);
          },
          "ack of '" + client_id + "'"),
      "send '" + client_id + "'");
}

json ws_client::history(std::int64_t room, std::optional<std::int64_t> before, int limit) {
  const json before_json = before ? json(*before) : json();
  send({{"type", "history"}, {"room", room}, {"before", before_json}, {"limit", limit}});
  return answer_or_throw(expect_match(
                             [&](const json& e) {
                               return (field(e, "type") == "history" && field(e, "room") == room &&
                                       field(e, "before") == before_json) ||
                                      (error_about(e, room) && field(e, "code") == "not_found");
                             },
                             "history of room " + std::to_string(room)),
                         "history");
}

json ws_client::sync(std::int64_t since) {
  send({{"type", "sync"}, {"since", since}});
  return expect("sync");
}

json ws_client::create_room(const std::string& kind, const std::string& name,
                            const std::vector<std::string>& users) {
  const auto ref = "room-" + std::to_string(++next_request_);
  json frame{{"type", "create_room"}, {"kind", kind}, {"name", name}, {"client_id", ref}};
  if (!users.empty()) frame["users"] = users;
  send(frame);
  return answer_or_throw(expect_match(
                             [&](const json& e) {
                               return (field(e, "type") == "room" && field(e, "ref") == ref) ||
                                      error_about(e, ref);
                             },
                             "room '" + name + "'"),
                         "create_room '" + name + "'")["room"];
}

json ws_client::open_dm(const std::vector<std::string>& users) {
  const auto ref = "dm-" + std::to_string(++next_request_);
  send({{"type", "open_dm"}, {"users", users}, {"client_id", ref}});
  return answer_or_throw(expect_match(
                             [&](const json& e) {
                               return (field(e, "type") == "room" && field(e, "ref") == ref) ||
                                      error_about(e, ref);
                             },
                             "dm"),
                         "open_dm")["room"];
}

namespace {

std::vector<std::string> sorted_lowercase(std::vector<std::string> names) {
  for (auto& name : names) {
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

json ws_client::watch(const std::vector<std::string>& users) {
  send({{"type", "watch"}, {"users", users}});
  const auto wanted = sorted_lowercase(users);
  // A batched change of an earlier watch list may come first; the answer names everyone.
  return expect_match(
      [&](const json& e) {
        if (field(e, "type") != "presence") return false;
        std::vector<std::string> named;
        for (const auto* list : {"online", "offline"}) {
          for (const auto& name : e.value(list, json::array())) named.push_back(name);
        }
        return sorted_lowercase(std::move(named)) == wanted;
      },
      "answer to watch");
}

std::vector<json> ws_client::presence_until(const std::string& user, bool online,
                                            std::chrono::steady_clock::duration bound) {
  std::vector<json> frames;
  const auto last = expect_match(
      [&](const json& e) {
        if (field(e, "type") != "presence") return false;
        if (reports(e, user, online)) return true;
        frames.push_back(e);
        return false;
      },
      "presence of '" + user + "'", bound);
  frames.push_back(last);
  return frames;
}

json ws_client::hello_room(std::int64_t room) const {
  for (const auto& entry : hello.value("rooms", json::array())) {
    if (entry["id"] == room) return entry;
  }
  throw std::runtime_error("hello lists no room " + std::to_string(room) + ": " + hello.dump());
}

ws_client::collected ws_client::until_answer(const json& request,
                                             const std::function<bool(const json&)>& is_answer,
                                             std::chrono::steady_clock::duration bound) {
  send(request);
  const auto deadline = std::chrono::steady_clock::now() + bound;
  collected result;
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    auto event = next(std::max<std::chrono::steady_clock::duration>(left, 0s));
    if (!event) {
      throw std::runtime_error("no answer to " + request.dump() + " (" + last_error() + ")");
    }
    if (is_answer(*event)) {
      result.answer = std::move(*event);
      return result;
    }
    result.events.push_back(std::move(*event));
  }
}

std::vector<json> ws_client::drain() {
  return until_answer({{"type", "history"}, {"room", general}, {"before", 1}, {"limit", 1}},
                      [](const json& e) {
                        return field(e, "type") == "history" && field(e, "room") == general &&
                               field(e, "before") == 1;
                      })
      .events;
}

std::vector<json> ws_client::room_events_until_synced(std::int64_t room, std::int64_t since) {
  auto got = until_answer({{"type", "sync"}, {"since", since}},
                          [](const json& e) { return field(e, "type") == "sync"; });
  std::vector<json> of_room;
  for (auto& event : got.events) {
    if (concerns_room(event, room)) of_room.push_back(std::move(event));
  }
  if (concerns_room(got.answer, room)) of_room.push_back(std::move(got.answer));
  return of_room;
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
  return impl_->wait_closed(bound);
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

std::int64_t create_private(ws_client& creator, const std::string& name,
                            const std::vector<std::string>& users) {
  creator.send({{"type", "create_room"}, {"kind", "private"}, {"name", name}, {"users", users},
                {"client_id", "r-" + name}});
  for (;;) {
    const auto event = creator.expect("room");
    if (event.value("ref", "") == "r-" + name) return event["room"]["id"].get<std::int64_t>();
  }
}

}  // namespace chatterbox::test_support
