#pragma once

#include "chatterbox/chat/chat_peer.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// The live connections, grouped by user. Fan-out goes only through this small interface so that
// a multi-node bus can later sit behind it. Holds non-owning pointers: a peer removes itself
// before it is destroyed.
//
// A peer may be removed while a broadcast is delivering (a slow client closed by the very frame
// it could not take): its slot is emptied rather than refilled, so the broadcast still reaches
// every other peer exactly once, and the slots are compacted when the broadcast ends.
class connection_manager {
 public:
  // true when this is the user's first connection.
  bool add(chat_peer& peer);
  // true when this was the user's last connection.
  bool remove(chat_peer& peer);

  void broadcast(const frame_ptr& frame);
  void broadcast_except_user(std::int64_t user_id, const frame_ptr& frame);
  // Every connection of each of `user_ids` (but `except`, when given).
  void deliver_to_users(const std::vector<std::int64_t>& user_ids, const frame_ptr& frame,
                        std::int64_t except = 0);
  void deliver_to_user(std::int64_t user_id, const frame_ptr& frame);

  std::vector<std::string> online_users() const;  // with an open connection, sorted
  std::size_t connection_count() const { return peers_.size() - holes_; }
  std::size_t connections_of(std::int64_t user_id) const;
  bool is_online(std::int64_t user_id) const { return connections_of(user_id) > 0; }
  std::size_t online_count() const { return online_; }

  // A connection between its upgrade and its hello (which waits on the store on PostgreSQL)
  // counts against the connection limits already, so upgrades answered together cannot pass
  // them; it is not online yet.
  void connecting(std::int64_t user_id) {
    ++connecting_of_[user_id];
    ++connecting_total_;
  }
  void connecting_ended(std::int64_t user_id);
  // What the limits count: open connections and those on their way.
  std::size_t admitted_count() const { return connection_count() + connecting_total_; }
  std::size_t admitted_of(std::int64_t user_id) const;

  void close_token(std::string_view token_digest, std::uint16_t code, std::string_view reason);
  void close_all(std::uint16_t code, std::string_view reason);
  // Every connection of the user (deactivated by an administrator, a new password) but those
  // opened with the token `except_token` (the session that changed the password).
  void close_user(std::int64_t user_id, std::uint16_t code, std::string_view reason,
                  std::string_view except_token = {});
  // Sessions ended here (close_token, close_user) end on every node: with several nodes
  // (docs/scale-out.md) `tell` sends each to the others, which apply() it to their own
  // connections without telling anyone again.
  struct session_end {
    std::int64_t user_id = 0;      // every connection of the user (close_user)...
    std::string token_digest{};    // ...or of this token (close_token)
    std::string except_token{};
    std::uint16_t code = 0;
    std::string reason{};
  };
  void tell_session_ends(std::function<void(const session_end&)> tell) { tell_ = std::move(tell); }
  void apply(const session_end& end);
  // Open connections of the user made with one token (the sessions list).
  std::size_t connections_of_token(std::int64_t user_id, std::string_view token_digest) const;

 private:
  template <class Deliver>
  void for_each_peer(Deliver&& deliver);
  void compact();
  // Only inside a delivery (delivering_ > 0), which compacts what leaves meanwhile.
  void deliver_to_connections_of(std::int64_t user_id, const frame_ptr& frame);

  struct online_user {
    std::string name;
    std::size_t connections = 0;
    std::vector<chat_peer*> peers;  // emptied slots (nullptr) only while a delivery is under way
  };

  std::vector<chat_peer*> peers_;  // flat, so a broadcast is one tight loop
  std::unordered_map<std::int64_t, online_user> users_;
  std::size_t online_ = 0;  // users with connections > 0
  std::size_t delivering_ = 0;  // broadcasts under way (they can nest)
  std::size_t holes_ = 0;       // slots emptied during a broadcast
  std::unordered_map<std::int64_t, std::size_t> connecting_of_;
  std::size_t connecting_total_ = 0;
  std::function<void(const session_end&)> tell_;
};

}  // namespace chatterbox
