// chat_service: what is said in a room — send, edit, delete, typing and read markers.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/protocol/mentions.hpp"
#include "chatterbox/protocol/text.hpp"
#include "chatterbox/text/ascii.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace chatterbox {

using namespace chat_detail;

mention_set chat_service::mentions_in(const room_state& room, std::int64_t author,
                                      std::string_view text) {
  mention_set found;
  const auto add = [&](std::int64_t id) {
    if (id == author || std::find(found.users.begin(), found.users.end(), id) != found.users.end()) {
      return;
    }
    found.users.push_back(id);
  };
  bool here = false;
  for (const auto candidate : mention_candidates(text)) {
    for (const auto spelling : mention_spellings(candidate)) {
      if (ascii::lowered(spelling) == "here") {
        here = true;
        break;
      }
      const auto id = users_.id_of(spelling);
      if (!id || !room_directory::is_member(room, *id)) continue;
      if (*id != author) {
        const auto* name = users_.name_of(*id);
        if (name && std::find(found.names.begin(), found.names.end(), *name) == found.names.end()) {
          found.names.push_back(*name);
        }
      }
      add(*id);
      break;
    }
  }
  if (here) {
    found.names.push_back("here");
    if (room.is_open()) {
      for (const auto id : online_ids()) add(id);
    } else {
      for (const auto id : room.members) {
        if (online(id)) add(id);
      }
    }
  }
  return found;
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, send_command& command) {
  if (!admit_change(*peer, command.client_id)) return;
  const auto& who = peer->identity();
  // The store decides whether the user may send here (a resend of a message stored before
  // they left is acknowledged, not refused); the room is needed now only for the mentions.
  const auto* room = rooms_.visible(command.room, who.user_id);
  send_request request{who.user_id, who.username, command.room, command.client_id, command.text,
                       room ? mentions_in(*room, who.user_id, command.text) : mention_set{},
                       command.reply_to, command.file};
  store_.send(
      std::move(request),
      [this, weak = std::weak_ptr(peer), user_id = who.user_id, client_id = command.client_id](
          bool stored, message_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(client_id)));
        if (result.refused) return deliver_if_connected(weak, error_frame(*result.refused));
        const auto& m = result.changed;
        deliver_if_connected(weak, frames::ack(client_id, m.room, m.id, m.ts));
        if (result.duplicate) return;
        ++metrics().messages_stored;
        typing_.stop(m.room, user_id);
        room_event event{m.seq, m.room, frames::new_message(m)};
        event.message_id = m.id;
        publish(std::move(event));
        announce_replies(m.room, result);
      });
}

void chat_service::announce_replies(std::int64_t room_id, const message_change& result) {
  if (!result.original) return;
  const auto& original = *result.original;
  publish({original.seq, room_id,
           frames::replies(room_id, original.id, original.seq, original.count)});
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, edit_command& command) {
  if (!admit_change(*peer, command.id)) return;
  const auto user_id = peer->identity().user_id;
  store_.edit(
      user_id, command.id, command.text,
      [this, user_id, text = command.text](const room_state& room) {
        return mentions_in(room, user_id, text);
      },
      [this, weak = std::weak_ptr(peer), id = command.id](bool stored, message_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result.refused) return deliver_if_connected(weak, error_frame(*result.refused));
        const auto& m = result.changed;
        publish({m.seq, m.room, frames::edited(m)});
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, delete_command& command) {
  if (!admit_change(*peer, command.id)) return;
  remove_message(peer->identity().user_id, command.id, false,
                 [weak = std::weak_ptr(peer), id = command.id](
                     bool stored, const std::optional<protocol_error>& refused) {
                   if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
                   if (refused) deliver_if_connected(weak, error_frame(*refused));
                 });
}

void chat_service::remove_message(std::int64_t actor, std::int64_t id, bool anywhere,
                                  change_done done) {
  store_.remove(actor, id, anywhere,
                [this, done = std::move(done)](bool stored, message_change& result) {
                  if (!stored || result.refused) return done(stored, result.refused);
                  if (result.released_blob && release_blob_) {
                    release_blob_(std::move(*result.released_blob));
                  }
                  const auto& m = result.changed;
                  publish({m.seq, m.room, frames::deleted(m.room, m.id, m.seq)});
                  announce_replies(m.room, result);
                  done(true, std::nullopt);
                });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, typing_command& command) {
  // "Stopped typing" always passes: dropping it would leave a stale indicator up.
  if (command.active && !admit_signal(*peer)) return;
  const auto& who = peer->identity();
  const auto* room = member_room(*peer, command.room);
  if (room == nullptr || (room->archived && command.active)) return;
  typing_.set(command.room, who.user_id, who.username, peer.get(), command.active);
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, seen_command& command) {
  if (!admit_signal(*peer)) return;
  const auto& who = peer->identity();
  if (rooms_.visible(command.room, who.user_id) == nullptr) {
    return peer->deliver(frames::error("not_found", "no such room", command.id));
  }
  store_.mark_seen(
      command.room, who.user_id, command.id,
      [this, weak = std::weak_ptr(peer), user_id = who.user_id, username = who.username,
       command](bool stored, marker_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(command.id)));
        if (!result.exists) {
          return deliver_if_connected(weak, error_frame({"not_found", "no such message", command.id}));
        }
        if (!result.moved) return;
        auto* room = rooms_.visible(command.room, user_id);
        if (room == nullptr) return;  // left the room meanwhile
        // The user's other tabs learn the new counts (the marker is stored whatever happens to
        // this read: they catch up with their next hello if it fails).
        const auto count_failed = [username](const char* why) {
          spdlog::warn("seen: cannot count unread messages for user={}: {}", username, why);
        };
        try {
          store_.unread_after(room->id, user_id, command.id,
                              [this, user_id, count_failed](bool read, room_marks& marks) {
                                if (!read) return count_failed("the store did not answer");
                                const auto frame = frames::read(marks.room_id, marks.marker,
                                                                marks.unread, marks.mentions);
                                connections_.deliver_to_user(user_id, frame);
                                signal({chat_signal::kind::to_user, 0, user_id, {}, false, 0,
                                        frame});
                              });
        } catch (const std::exception& e) {
          count_failed(e.what());
        }
        if (room_directory::note_marker(*room, user_id, command.id)) {
          to_room(*room, frames::receipt(room->id, username, command.id));
          signal({chat_signal::kind::receipt, room->id, user_id, username, false, command.id});
        }
      });
}

}  // namespace chatterbox
