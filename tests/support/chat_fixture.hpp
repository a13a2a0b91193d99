#pragma once

// The chat_service unit tests' fixture (tests/chat_*_test.cpp): a real database, write batcher
// and connection manager, with recording fake peers in place of WebSocket sessions.

#include "chatterbox/chat/chat_service.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox::test_support {

using json = nlohmann::json;
using types = std::vector<std::string>;

// Records every frame (parsed back to JSON; a batch is never sent by the service) and close call.
class fake_peer : public chat_peer {
 public:
  explicit fake_peer(peer_identity identity) : identity_(std::move(identity)) {}

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override {
    frames.push_back(json::parse(*frame));
    sizes.push_back(frame->size());
  }
  void close(std::uint16_t code, std::string_view reason) override {
    closes.emplace_back(code, std::string(reason));
  }

  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& frame : frames) out.push_back(frame.at("type").get<std::string>());
    return out;
  }
  // The frames received since the last take(), then forgets them.
  std::vector<json> take() {
    sizes.clear();
    return std::exchange(frames, {});
  }
  // The frames of one type received so far.
  std::vector<json> of_type(std::string_view type) const {
    std::vector<json> out;
    for (const auto& frame : frames) {
      if (frame.at("type") == type) out.push_back(frame);
    }
    return out;
  }
  // Whether any frame received so far mentions `room` as its room (events, errors aside).
  bool saw_room(std::int64_t room) const {
    for (const auto& frame : frames) {
      if (frame.contains("room") && frame.at("room").is_number() && frame.at("room") == room) {
        return true;
      }
      if (frame.contains("room") && frame.at("room").is_object() &&
          frame.at("room").at("id") == room) {
        return true;
      }
      if (frame.contains("messages")) {
        for (const auto& m : frame.at("messages")) {
          if (m.at("room") == room) return true;
        }
      }
      if (frame.contains("rooms")) {
        for (const auto& r : frame.at("rooms")) {
          if (r.at("id") == room) return true;
        }
      }
    }
    return false;
  }

  std::vector<json> frames;
  std::vector<std::size_t> sizes;  // of each frame as sent, in bytes
  std::vector<std::pair<std::uint16_t, std::string>> closes;

 private:
  peer_identity identity_;
};

inline json frame_of(std::string_view text) { return json::parse(text); }

// A `history` request frame.
inline json history(std::int64_t room, std::optional<std::int64_t> before = std::nullopt,
                    std::optional<int> limit = std::nullopt) {
  json frame = {{"type", "history"}, {"room", room}};
  if (before) frame["before"] = *before;
  if (limit) frame["limit"] = *limit;
  return frame;
}

inline std::vector<std::int64_t> ids_of(const json& messages) {
  std::vector<std::int64_t> ids;
  for (const auto& m : messages) ids.push_back(m.at("id").get<std::int64_t>());
  return ids;
}

inline std::vector<std::int64_t> range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> out;
  for (auto i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// A message text of `chars` code points, each `glyph` (4000 is the most a message may hold).
inline std::string long_text(std::size_t chars, std::string_view glyph = "x") {
  std::string text;
  for (std::size_t i = 0; i < chars; ++i) text += glyph;
  return text;
}

inline constexpr std::chrono::milliseconds chat_typing_timeout{50};

// Limits far above anything these tests send; rate limiting has its own tests. Presence
// changes are announced at once and batched for 20 ms.
inline chat_limits generous_chat_limits() {
  chat_limits limits{chat_typing_timeout, 100000, 100000, 100000, 100000};
  limits.presence_batch = std::chrono::milliseconds(20);
  return limits;
}

class chat_fixture : public temp_db_test {
 protected:
  static constexpr std::int64_t general = 1;

  void SetUp() override {
    temp_db_test::SetUp();
    // Accounts as the server creates them (each joins every open room), then a service that
    // knows them from the start, as after a restart.
    alice_ = create_user("alice");
    bob_ = create_user("bob");
    carol_ = create_user("carol");
    dave_ = create_user("dave");
    reopen();
  }
  void TearDown() override {
    for (const auto& peer : peers_) service_->disconnect(*peer);
    temp_db_test::TearDown();
  }

  void attach() override {
    messages_.emplace(handle());
    rooms_.emplace(handle());
    mentions_.emplace(handle());
    reactions_.emplace(handle());
    users_.emplace(handle());
    writes_.emplace(io_, handle(), write_limits_);
    service_.emplace(io_, chat_storage{*messages_, *rooms_, *mentions_, *reactions_, *users_, *writes_, handle()},
                     connections_, limits_);
  }
  void detach() override {
    service_->stop();
    service_.reset();
    writes_.reset();
    users_.reset();
    mentions_.reset();
    reactions_.reset();
    rooms_.reset();
    messages_.reset();
  }

  std::int64_t create_user(const std::string& name) {
    const auto user = users_->create(name, "hash", 0);
    EXPECT_TRUE(user.has_value()) << name;
    names_[user->id] = name;
    return user->id;
  }

  // Rebuilds the service and its write batcher with other limits (the database stays). Only
  // before anyone connects: the connections belong to the service they joined.
  void reconfigure(chat_limits limits, write_batcher::limits write_limits = {}) {
    ASSERT_TRUE(peers_.empty());
    limits_ = limits;
    write_limits_ = write_limits;
    reopen();
  }

  // A new service on the same database, as after a server restart (everyone disconnected).
  void restart() {
    for (const auto& peer : peers_) service_->disconnect(*peer);
    peers_.clear();
    reopen();
  }

  std::shared_ptr<fake_peer> make_peer(std::int64_t user_id, std::string_view token = "tok") {
    return std::make_shared<fake_peer>(
        peer_identity{user_id, names_.at(user_id), std::string(token)});
  }

  // A connected peer that stays alive (and connected) until the end of the test.
  std::shared_ptr<fake_peer> connect(std::int64_t user_id) {
    auto peer = make_peer(user_id);
    service_->connect(peer);
    peers_.push_back(peer);
    return peer;
  }

  void receive(const std::shared_ptr<fake_peer>& peer, const json& frame) {
    service_->receive(peer, frame.dump());
  }

  // Runs every ready handler (group commits and their continuations) without waiting for
  // typing or presence timers.
  void settle() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }

  // Runs the loop (timers included: the batcher retries a locked database on one) until
  // `done` holds or a bound passes.
  template <class Done>
  void run_until(Done done, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    io_.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(std::chrono::milliseconds(10));
    }
  }

  static json send(const std::string& client_id, const std::string& text,
                   std::int64_t room = general) {
    return {{"type", "send"}, {"room", room}, {"client_id", client_id}, {"text", text}};
  }

  // Posts `count` messages ("message 1".. with client ids "<room>-m1"..) from `peer` in one batch.
  void post_many(const std::shared_ptr<fake_peer>& peer, int count, std::int64_t room = general) {
    for (int i = 1; i <= count; ++i) {
      receive(peer, send(std::to_string(room) + "-m" + std::to_string(i),
                         "message " + std::to_string(i), room));
    }
    settle();
  }

  // Posts one message and returns its id (from the ack).
  std::int64_t post(const std::shared_ptr<fake_peer>& peer, const std::string& text,
                    std::int64_t room = general) {
    const auto client_id = "p-" + std::to_string(++posted_);
    const auto before = peer->frames.size();
    receive(peer, send(client_id, text, room));
    settle();
    for (auto i = before; i < peer->frames.size(); ++i) {
      const auto& frame = peer->frames[i];
      if (frame.at("type") == "ack" && frame.at("client_id") == client_id) {
        return frame.at("id").get<std::int64_t>();
      }
    }
    ADD_FAILURE() << "no ack for " << text;
    return 0;
  }

  // Creates a private room of `creator` with `others` and returns its id.
  std::int64_t create_private(const std::shared_ptr<fake_peer>& creator, const std::string& name,
                              const std::vector<std::string>& others = {}) {
    return room_command(creator, {{"type", "create_room"},
                                  {"kind", "private"},
                                  {"name", name},
                                  {"users", others},
                                  {"client_id", "r-" + name}});
  }
  std::int64_t create_open(const std::shared_ptr<fake_peer>& creator, const std::string& name) {
    return room_command(
        creator,
        {{"type", "create_room"}, {"kind", "open"}, {"name", name}, {"client_id", "r-" + name}});
  }
  std::int64_t open_dm(const std::shared_ptr<fake_peer>& opener,
                       const std::vector<std::string>& others) {
    return room_command(opener, {{"type", "open_dm"}, {"users", others}, {"client_id", "dm"}});
  }

  // Sends a command answered with a `room` frame carrying a ref; returns the room's id.
  std::int64_t room_command(const std::shared_ptr<fake_peer>& peer, const json& command) {
    const auto before = peer->frames.size();
    receive(peer, command);
    settle();
    for (auto i = before; i < peer->frames.size(); ++i) {
      const auto& frame = peer->frames[i];
      if (frame.at("type") == "room" && frame.contains("ref")) {
        return frame.at("room").at("id").get<std::int64_t>();
      }
    }
    ADD_FAILURE() << "no room for " << command.dump();
    return 0;
  }

  void forget_frames() {
    for (const auto& peer : peers_) peer->take();
  }

  static constexpr std::chrono::milliseconds typing_timeout = chat_typing_timeout;
  static chat_limits generous_limits() { return generous_chat_limits(); }

  boost::asio::io_context io_;
  connection_manager connections_;
  std::optional<message_repository> messages_;
  std::optional<room_repository> rooms_;
  std::optional<mention_repository> mentions_;
  std::optional<reaction_repository> reactions_;
  std::optional<user_repository> users_;
  std::optional<write_batcher> writes_;
  std::optional<chat_service> service_;
  chat_limits limits_ = generous_limits();
  write_batcher::limits write_limits_;
  std::vector<std::shared_ptr<fake_peer>> peers_;
  std::map<std::int64_t, std::string> names_;
  std::int64_t alice_ = 0;
  std::int64_t bob_ = 0;
  std::int64_t carol_ = 0;
  std::int64_t dave_ = 0;
  int posted_ = 0;
};

}  // namespace chatterbox::test_support
