#pragma once

#include "chatterbox/protocol/server_frames.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace chatterbox {

struct peer_identity {
  std::int64_t user_id = 0;
  std::string username;
  std::string token_digest;  // lets logout close exactly the connections of one token
  std::int64_t token_expires_at_ms = 0;  // the connection ends when its token does (0: never)
};

// One live client connection as the chat layer sees it. The WebSocket session is the real one;
// tests use a recording fake. Neither call may re-enter the connection manager synchronously.
class chat_peer {
 public:
  virtual ~chat_peer() = default;

  virtual const peer_identity& identity() const = 0;
  // Queue a frame. A peer that is too far behind closes itself instead of queueing more.
  virtual void deliver(const frame_ptr& frame) = 0;
  // Start a close handshake after the frames already queued.
  virtual void close(std::uint16_t code, std::string_view reason) = 0;
};

}  // namespace chatterbox
