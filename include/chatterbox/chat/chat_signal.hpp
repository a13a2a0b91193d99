#pragma once

#include "chatterbox/protocol/server_frames.hpp"

#include <cstdint>
#include <string>

namespace chatterbox {

// What a node's clients do that other nodes' clients see but nothing stores with a seq (docs/
// scale-out.md, "Signals between nodes"): typing, read receipts, a user's own frames for their
// other tabs, and presence. Signals are best effort, like on one node: lost while Redis is away,
// never replayed, and each one is checked against the receiving node's room directory.
struct chat_signal {
  enum class kind { typing, receipt, to_user, presence };
  kind what = kind::typing;
  std::int64_t room = 0;
  std::int64_t user_id = 0;
  std::string username{};
  bool active = false;          // typing: started (or refreshed); presence: online
  std::int64_t message_id = 0;  // receipt: the message read up to
  frame_ptr frame{};            // to_user: what the user's connections get
};

}  // namespace chatterbox
