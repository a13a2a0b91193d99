#pragma once

#include "chatterbox/chat/message.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// A serialised server frame. Broadcasts build it once and every session queues the same buffer.
using frame_ptr = std::shared_ptr<const std::string>;

// Builders for every server → client frame of protocol v1 (docs/protocol.md).
namespace frames {

nlohmann::json message_object(const message& m);
// The exact size of `m` as a message object inside a frame (replies are budgeted in bytes).
std::size_t message_size(const message& m);
// Upper bound of everything a history or sync frame has besides its messages.
inline constexpr std::size_t page_overhead = 128;

frame_ptr hello(std::string_view user, std::int64_t seq);
frame_ptr history(std::optional<std::int64_t> before, const std::vector<message>& messages,
                  bool has_more);
frame_ptr presence(const std::vector<std::string>& users);
frame_ptr receipts(const std::map<std::string, std::int64_t>& markers);
frame_ptr join(std::string_view user);
frame_ptr leave(std::string_view user);
frame_ptr ack(std::string_view client_id, std::int64_t id, std::int64_t ts);
frame_ptr new_message(const message& m);
frame_ptr edited(std::int64_t id, std::int64_t seq, std::string_view text);
frame_ptr deleted(std::int64_t id, std::int64_t seq);
frame_ptr typing(std::string_view user, bool active);
frame_ptr seen(std::string_view user, std::int64_t id);
frame_ptr sync(const std::vector<message>& messages, std::int64_t seq, bool has_more);
frame_ptr error(std::string_view code, std::string_view message, const nlohmann::json& ref);
// error rate_limited, with retry_after_ms.
frame_ptr rate_limited(const nlohmann::json& ref, std::int64_t retry_after_ms);

}  // namespace frames
}  // namespace chatterbox
