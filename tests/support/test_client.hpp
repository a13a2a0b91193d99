#pragma once

// A protocol v2 test client (docs/protocol.md). Only declarations here: the Beast/Asio code
// lives in test_client.cpp, compiled once instead of in every integration test file.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox::test_support {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Every wait in a test is bounded by this unless a test says otherwise.
inline constexpr auto wait_bound = std::chrono::seconds(10);

// The open room every user is a member of (protocol 1's single room).
inline constexpr std::int64_t general = 1;

struct http_result {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; repeats joined by "\n"
  std::string body;

  json body_json() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One HTTP/1.1 request on a fresh connection, with a bounded wait.
http_result http_request(std::uint16_t port, http::verb method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

http_result login(std::uint16_t port, const std::string& username,
                  const std::string& password = "password123");

// A token for `username`, creating the account if needed.
std::string token_for(std::uint16_t port, const std::string& username);

// Whether a server event (or one element of a reply) is about `room`: an event carrying
// `"room": room` (message, ack, edited, deleted, typing, read, receipt, history, notify,
// members, seen_by, room_removed), a `room` frame with that room, or a `sync` holding a
// message, room or removal of it. Errors are not events of a room (their `ref` may echo it).
bool concerns_room(const json& event, std::int64_t room);

// Whether a `presence` event names `user` (as online or offline; nullopt: either).
bool reports(const json& presence, const std::string& user,
             std::optional<bool> online = std::nullopt);

// A protocol v2 client. Server frames that are arrays are split into their events, so tests
// see one event at a time whichever way the server batched them.
class ws_client {
 public:
  struct options {
    std::optional<std::string> token;
    bool as_cookie = false;
    std::optional<std::string> origin;
  };

  ws_client(std::uint16_t port, options opts);
  ~ws_client();

  // Connects with a bearer token and consumes the `hello` (kept in `hello`): the only frame a
  // connection gets unasked.
  static std::unique_ptr<ws_client> connect(std::uint16_t port, const std::string& token);

  bool connected() const;
  unsigned upgrade_status() const;

  void send(const json& frame);
  void send_text(const std::string& text, bool binary = false);
  // A `send` frame, without waiting for anything.
  void send(std::int64_t room, const std::string& client_id, const std::string& text);

  // The next event, or nullopt when none arrived within `bound` or the connection ended.
  std::optional<json> next(std::chrono::steady_clock::duration bound = wait_bound);
  // The next event of `type`, skipping others (kept in `skipped`); throws when none arrives
  // in time.
  json expect(const std::string& type, std::chrono::steady_clock::duration bound = wait_bound);
  // The next event `matches` accepts, skipping others (kept in `skipped`); throws when none
  // arrives in time. `what` names it in the exception.
  json expect_match(const std::function<bool(const json&)>& matches, const std::string& what,
                    std::chrono::steady_clock::duration bound = wait_bound);

  // Requests that wait (bounded) for their answer; events that arrive first go to `skipped`.
  // The ack of a `send`.
  json say(std::int64_t room, const std::string& client_id, const std::string& text);
  // A `history` page of `room` (the latest without `before`).
  json history(std::int64_t room, std::optional<std::int64_t> before = std::nullopt,
               int limit = 50);
  // One `sync` page from `since`.
  json sync(std::int64_t since);
  // The room object of a room created by `create_room` (open or private).
  json create_room(const std::string& kind, const std::string& name,
                   const std::vector<std::string>& users = {});
  // The room object of the DM with `users` (and this user), found or created.
  json open_dm(const std::vector<std::string>& users);
  // Watches `users` (replacing what this connection watched) and returns the answer: the
  // `presence` frame that lists every one of them as online or offline.
  json watch(const std::vector<std::string>& users);

  // Every `presence` event up to and including the first that reports `user` as online (or
  // offline), bounded; everything passed over also goes to `skipped`. Presence changes are
  // batched (250 ms), so a request's answer proves nothing about them; but batches go out in
  // the order the changes happened, so a change of someone else from before `user`'s is among
  // these: a test makes `user` change after the moment it cares about, then looks at what was
  // reported until then.
  std::vector<json> presence_until(const std::string& user, bool online,
                                   std::chrono::steady_clock::duration bound = wait_bound);

  // The hello's entry for `room`; throws when the hello does not list it.
  json hello_room(std::int64_t room) const;

  // Every event that arrives before the answer to `request` (sent now), which `is_answer`
  // recognises and is returned in `answer`. The server handles one connection's frames in
  // order and queues its events in order, so every event it produced before handling the
  // request is among these: this proves what was (not) delivered to this connection without
  // waiting for a timeout. (For an event caused by another connection's frame, first wait
  // for that frame's own answer; presence changes are batched: see presence_until.)
  struct collected {
    std::vector<json> events;
    json answer;
  };
  collected until_answer(const json& request, const std::function<bool(const json&)>& is_answer,
                         std::chrono::steady_clock::duration bound = wait_bound);
  // until_answer with a `history` of the general room before id 1 (answered by an empty page
  // that echoes `"before": 1`): every event that arrived so far.
  std::vector<json> drain();
  // The events of `room` (see concerns_room) among everything that arrives before the answer
  // to a `sync` from `since` sent now, and that sync page itself if it holds anything of the
  // room. Empty proves that nothing of the room reached this connection, and that a catch-up
  // shows none of it either. (Keep no other `sync` of this connection outstanding.)
  std::vector<json> room_events_until_synced(std::int64_t room, std::int64_t since = 0);

  // Every event until the server closes the connection (bounded).
  std::vector<json> drain_until_closed(std::chrono::steady_clock::duration bound = wait_bound);
  // Waits for the server to close the connection; the close code, or nullopt on timeout.
  std::optional<std::uint16_t> wait_closed(std::chrono::steady_clock::duration bound = wait_bound);
  void close();

  // Stop reading without closing: the server sees a client whose receive window fills up.
  tcp::socket& raw_socket();
  std::string last_error() const;

  json hello;
  std::vector<json> skipped;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  int next_request_ = 0;
};

// Creates a private room with `users` as `creator` and returns its id.
std::int64_t create_private(ws_client& creator, const std::string& name,
                            const std::vector<std::string>& users);

}  // namespace chatterbox::test_support
