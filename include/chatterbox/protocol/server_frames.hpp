#pragma once

#include "chatterbox/chat/message.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {

// A serialised server frame. Broadcasts build it once and every session queues the same buffer.
using frame_ptr = std::shared_ptr<const std::string>;

// A room as sent to clients (docs/protocol.md, "Rooms").
struct room_view {
  std::int64_t id = 0;
  std::string_view kind;
  std::string_view name;
  bool archived = false;
  std::int64_t seq = 0;
  std::string_view creator;  // empty: nobody
  std::size_t member_count = 0;
  std::optional<std::vector<std::string>> members;
};

// One user's state of a room, as `hello` sends it.
struct room_state_view {
  std::int64_t last_id = 0;
  std::int64_t marker = 0;
  int unread = 0;
  int mentions = 0;
  std::int64_t others_read = 0;
  std::string_view notify;
};

// Builders for every server → client frame of protocol 2 (docs/protocol.md).
namespace frames {

nlohmann::json message_object(const message& m);
// The exact size of `m` as a message object inside a frame (replies are budgeted in bytes).
std::size_t message_size(const message& m);
// Upper bound of everything a history or sync frame has besides its messages and rooms.
inline constexpr std::size_t page_overhead = 160;

nlohmann::json room_object(const room_view& room);
// Serialised (a hello carries hundreds: written directly, not through a json tree).
std::string room_with_state(const room_view& room, const room_state_view& state);
std::size_t dumped_size(const nlohmann::json& value);
// `value` as it appears in a frame (invalid UTF-8 replaced, as every frame does).
std::string dumped(const nlohmann::json& value);

// `rooms` already serialised (see dumped): hello is budgeted room by room, and each room is
// serialised only once.
frame_ptr hello(std::string_view user, std::int64_t seq, const std::vector<std::string>& rooms,
                bool truncated);
frame_ptr hello(std::string_view user, std::int64_t seq, const nlohmann::json& rooms,
                bool truncated);
frame_ptr history(std::int64_t room, std::optional<std::int64_t> before,
                  const std::vector<message>& messages, bool has_more);
// A history page asked for with `after` or `around` (`cursor_name`), echoing the cursor;
// `has_newer` only for `around`.
frame_ptr history_from(std::int64_t room, std::string_view cursor_name, std::int64_t cursor,
                       const std::vector<message>& messages, bool has_more,
                       std::optional<bool> has_newer);
frame_ptr ack(std::string_view client_id, std::int64_t room, std::int64_t id, std::int64_t ts);
frame_ptr new_message(const message& m);
frame_ptr edited(const message& m);
frame_ptr deleted(std::int64_t room, std::int64_t id, std::int64_t seq);
frame_ptr replies(std::int64_t room, std::int64_t id, std::int64_t seq, int count);
frame_ptr reaction(std::int64_t room, std::int64_t id, std::int64_t seq, std::string_view emoji,
                   std::string_view user, bool on, int count);
frame_ptr typing(std::int64_t room, std::string_view user, bool active);
frame_ptr read(std::int64_t room, std::int64_t id, int unread, int mentions);
frame_ptr receipt(std::int64_t room, std::string_view user, std::int64_t id);
frame_ptr sync(const std::vector<message>& messages, const nlohmann::json& rooms,
               const std::vector<std::int64_t>& removed, std::int64_t seq, bool has_more);
frame_ptr room(const room_view& room, const nlohmann::json& ref);
frame_ptr room_removed(std::int64_t room);
frame_ptr notify(std::int64_t room, std::string_view level);
frame_ptr members(std::int64_t room, std::string_view prefix,
                  const std::vector<std::pair<std::string, bool>>& users, bool has_more);
frame_ptr seen_by(std::int64_t room, std::int64_t id, const std::vector<std::string>& users,
                  bool has_more);
frame_ptr presence(const std::vector<std::string>& online, const std::vector<std::string>& offline);
frame_ptr error(std::string_view code, std::string_view message, const nlohmann::json& ref);
// error rate_limited, with retry_after_ms.
frame_ptr rate_limited(const nlohmann::json& ref, std::int64_t retry_after_ms);

}  // namespace frames
}  // namespace chatterbox
