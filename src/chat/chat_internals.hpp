#pragma once

// Helpers shared by the files that make up chat_service (not part of its interface).

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/message.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/protocol/server_frames.hpp"

#include <memory>
#include <optional>

namespace chatterbox::chat_detail {

constexpr int max_sync_batch = 1000;

inline void deliver_if_connected(const std::weak_ptr<chat_peer>& weak, const frame_ptr& frame) {
  if (const auto peer = weak.lock()) peer->deliver(frame);
}

inline frame_ptr error_frame(const protocol_error& error) {
  return frames::error(error.code, error.message, error.ref);
}

inline protocol_error store_failed(nlohmann::json ref) {
  return {"internal", "the change could not be stored; nothing changed, please retry",
          std::move(ref)};
}

inline protocol_error read_failed() {
  return {"internal", "the request could not be answered; please retry", nullptr};
}

// How many messages, counted from the front of `messages`, fit in a reply of `budget` bytes.
// Always at least one: a single message always fits a reply budget (see config: the smallest
// send queue allowed holds the largest message several times over).
template <class Iterator>
std::size_t fitting(Iterator first, Iterator last, std::size_t budget) {
  std::size_t used = frames::page_overhead;
  std::size_t count = 0;
  for (; first != last; ++first) {
    used += frames::message_size(*first) + 1;  // and its comma
    if (used > budget && count > 0) break;
    ++count;
  }
  return count;
}


// Notification levels when the user chose none: DMs notify of everything, rooms of mentions.
inline std::string_view default_notify(bool dm) { return dm ? "all" : "mentions"; }

}  // namespace chatterbox::chat_detail
