#pragma once

#include "chatterbox/chat/chat_peer.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// The live connections, grouped by user. Fan-out goes only through this small interface so that
// a multi-node bus can later sit behind it. Holds non-owning pointers: a peer removes itself
// before it is destroyed.
class connection_manager {
 public:
  // true when this is the user's first connection (the user just came online).
  bool add(chat_peer& peer);
  // true when this was the user's last connection (the user just went offline).
  bool remove(chat_peer& peer);

  void broadcast(const frame_ptr& frame);
  void broadcast_except_user(std::int64_t user_id, const frame_ptr& frame);

  std::vector<std::string> online_users() const;  // sorted
  std::size_t connection_count() const { return peers_.size(); }
  std::size_t connections_of(std::int64_t user_id) const;
  std::size_t online_count() const { return users_.size(); }

  void close_token(std::string_view token_digest, std::uint16_t code, std::string_view reason);
  void close_all(std::uint16_t code, std::string_view reason);

 private:
  struct online_user {
    std::string name;
    std::size_t connections = 0;
  };

  std::vector<chat_peer*> peers_;  // flat, so a broadcast is one tight loop
  std::map<std::int64_t, online_user> users_;
};

}  // namespace chatterbox
