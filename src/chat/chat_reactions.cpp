// chat_service: emoji reactions on messages.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

namespace chatterbox {

using namespace chat_detail;

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, react_command& command) {
  if (!admit_change(*peer, command.id)) return;
  const auto& who = peer->identity();
  store_.react(
      who.user_id, command.id, command.emoji, command.on,
      [this, weak = std::weak_ptr(peer), username = who.username, command](
          bool stored, reaction_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(command.id)));
        if (result.refused) return deliver_if_connected(weak, error_frame(*result.refused));
        if (!result.changed) return;
        publish({result.seq, result.room,
                 frames::reaction(result.room, command.id, result.seq, command.emoji, username,
                                  command.on, result.count)});
      });
}

}  // namespace chatterbox
