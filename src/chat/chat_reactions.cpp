// chat_service: emoji reactions on messages.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

namespace chatterbox {

using namespace chat_detail;

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, react_command& command) {
  if (!admit_change(*peer, command.id)) return;
  struct react_result {
    std::optional<protocol_error> refused;
    bool changed = false;  // false: it already was so, nothing to tell anyone
    std::int64_t room = 0;
    std::int64_t seq = 0;
    int count = 0;
  };
  auto result = std::make_shared<react_result>();
  const auto& who = peer->identity();
  storage_.writes.submit(
      [this, result, user_id = who.user_id, command] {
        const auto id = command.id;
        const auto owner = storage_.messages.find_owner(id);
        const auto* room = owner ? rooms_.visible(owner->room, user_id) : nullptr;
        if (room == nullptr) {
          result->refused = protocol_error{"not_found", "no such message", id};
          return;
        }
        if (owner->deleted) {
          result->refused = protocol_error{"forbidden", "the message is deleted", id};
          return;
        }
        if (room->archived) {
          result->refused = protocol_error{"forbidden", "the room is archived", id};
          return;
        }
        if (command.on && storage_.reactions.count(id, command.emoji) == 0 &&
            storage_.reactions.emoji_count(id) >= max_reaction_emoji) {
          result->refused =
              protocol_error{"forbidden", "a message has at most 20 different reactions", id};
          return;
        }
        const auto seq = last_seq_ + 1;
        if (!storage_.reactions.set(id, user_id, command.emoji, command.on, seq)) return;
        storage_.messages.set_seq(id, seq);  // sync brings the message with its reactions
        ++last_seq_;
        *result = {std::nullopt, true, room->id, seq, storage_.reactions.count(id, command.emoji)};
      },
      [this, result, weak = std::weak_ptr(peer), username = who.username, command](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(command.id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        if (!result->changed) return;
        committed(result->seq);
        if (const auto* room = rooms_.find(result->room)) {
          to_room(*room, frames::reaction(room->id, command.id, result->seq, command.emoji,
                                          username, command.on, result->count));
        }
      });
}

}  // namespace chatterbox
