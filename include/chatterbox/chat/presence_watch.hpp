#pragma once

#include "chatterbox/chat/chat_peer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace chatterbox {

// Presence subscriptions (docs/protocol.md, `watch`): each connection is told about the people
// it shows and nobody else, so a user coming online costs one frame per connection watching
// them, not one per connection on the server. Changes are collected for `batch` and sent as one
// `presence` frame per connection; a user who went and came back within it is not reported.
class presence_watch {
 public:
  using online_fn = std::function<bool(std::int64_t user_id)>;

  presence_watch(boost::asio::io_context& io, std::chrono::milliseconds batch, online_fn online);

  struct watched_user {
    std::int64_t id = 0;  // 0: no such user (always offline)
    std::string name;
  };
  // Replaces what the peer watches and sends it their current state.
  void watch(chat_peer& peer, const std::vector<watched_user>& users);
  void forget(chat_peer& peer);
  // A user's presence as everyone is told changed (presence_tracker's announcement).
  void changed(std::int64_t user_id);
  void stop();

  std::size_t watchers_of(std::int64_t user_id) const;

 private:
  struct subscription {
    // Watched user id -> name and the state last reported to this peer.
    struct state {
      std::string name;
      bool online = false;
    };
    std::unordered_map<std::int64_t, state> users;
    std::unordered_set<std::int64_t> pending;  // changed since the last frame
  };

  void flush();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds batch_;
  online_fn online_;
  std::unordered_map<chat_peer*, subscription> peers_;
  std::unordered_map<std::int64_t, std::vector<chat_peer*>> watchers_;
  std::vector<chat_peer*> dirty_;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace chatterbox
