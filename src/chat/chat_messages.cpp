// chat_service: what is said in a room — send, edit, delete, typing and read markers.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/protocol/mentions.hpp"
#include "chatterbox/protocol/text.hpp"
#include "chatterbox/storage/read_snapshot.hpp"
#include "chatterbox/text/ascii.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace chatterbox {

using namespace chat_detail;

chat_service::mention_set chat_service::mentions_in(const room_state& room, std::int64_t author,
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
      for (const auto& user : presence_.online_users()) add(user.id);
    } else {
      for (const auto id : room.members) {
        if (presence_.is_online(id)) add(id);
      }
    }
  }
  return found;
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, send_command& command) {
  if (!admit_change(*peer, command.client_id)) return;
  const auto& who = peer->identity();
  const auto* room = rooms_.visible(command.room, who.user_id);
  if (room == nullptr) {
    return peer->deliver(frames::error("not_found", "no such room", command.client_id));
  }
  if (room->archived) {
    return peer->deliver(frames::error("forbidden", "the room is archived", command.client_id));
  }
  auto result = std::make_shared<change_result>();
  auto mentions = mentions_in(*room, who.user_id, command.text);
  // Without mentions, a reply or a file a send is one INSERT (a resent client_id only reads
  // afterwards).
  const auto shape = mentions.users.empty() && !command.reply_to && !command.file
                         ? write_batcher::shape::one_statement
                         : write_batcher::shape::several_statements;
  storage_.writes.submit(
      [this, result, user_id = who.user_id, username = who.username, command,
       mentions = std::move(mentions)] {
        new_message fresh{user_id, username, command.room, command.client_id,
                          command.text, mentions.names, std::nullopt};
        if (command.reply_to || command.file) {
          // A resent client_id is a duplicate, not a refusal, even when its file has been
          // attached (by the first send) or its original deleted since: look for it first.
          if (auto existing = storage_.messages.find_by_client_id(user_id, command.client_id)) {
            result->changed = std::move(*existing);
            result->duplicate = true;
            return;
          }
        }
        if (command.reply_to) {
          result->refused = reply_refused(*command.reply_to, command.room, command.client_id, fresh);
          if (result->refused) return;
        }
        std::optional<file_attachment> attachment;
        if (command.file) {
          result->refused =
              file_refused(*command.file, user_id, command.room, command.client_id, attachment);
          if (result->refused) return;
        }
        if (auto inserted = storage_.messages.insert(fresh, epoch_ms(), last_seq_ + 1)) {
          ++last_seq_;
          if (attachment) {
            // The same transaction as the message: a message never names a file it lost, and
            // a file is never attached to a message that was not stored.
            if (!storage_.files->attach(attachment->id, inserted->id)) {
              throw std::runtime_error("file attached by another send meanwhile");
            }
            inserted->file = std::move(attachment);
          }
          if (!mentions.users.empty()) {
            storage_.mentions.set(inserted->id, command.room, mentions.users);
          }
          if (command.reply_to) count_replies(*result, *command.reply_to, +1);
          result->changed = std::move(*inserted);
          return;
        }
        auto existing = storage_.messages.find_by_client_id(user_id, command.client_id);
        if (!existing) throw std::runtime_error("client_id conflict without a stored message");
        result->changed = std::move(*existing);
        result->duplicate = true;
      },
      [this, result, weak = std::weak_ptr(peer), user_id = who.user_id,
       client_id = command.client_id](bool stored) {
        if (!stored) {
          deliver_if_connected(weak, error_frame(store_failed(client_id)));
          return;
        }
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        const auto& m = result->changed;
        deliver_if_connected(weak, frames::ack(client_id, m.room, m.id, m.ts));
        if (result->duplicate) return;
        committed(m.seq);
        ++metrics().messages_stored;
        auto* target = rooms_.find(m.room);
        if (target == nullptr) return;
        target->last_id = std::max(target->last_id, m.id);
        typing_.stop(m.room, user_id);
        to_room(*target, frames::new_message(m));
        announce_replies(*target, *result);
      },
      shape);
}

std::optional<protocol_error> chat_service::reply_refused(std::int64_t original_id,
                                                          std::int64_t room,
                                                          const std::string& client_id,
                                                          new_message& reply) {
  const auto original = storage_.messages.find(original_id);
  if (!original || original->room != room) {
    return protocol_error{"not_found", "no such message", client_id};
  }
  if (original->deleted) return protocol_error{"forbidden", "the message is deleted", client_id};
  reply.reply_to = reply_quote{original->id, original->user,
                               first_line_excerpt(original->text, reply_quote_chars), false};
  return std::nullopt;
}

std::optional<protocol_error> chat_service::file_refused(std::int64_t file_id,
                                                         std::int64_t user_id, std::int64_t room,
                                                         const std::string& client_id,
                                                         std::optional<file_attachment>& attachment) {
  const auto file = storage_.files ? storage_.files->find(file_id) : std::nullopt;
  // Another user's upload, another room's, an unknown one: the same answer, so ids tell
  // nothing about uploads one may not see.
  if (!file || file->user_id != user_id || file->room_id != room) {
    return protocol_error{"not_found", "no such file", client_id};
  }
  if (file->message_id) return protocol_error{"forbidden", "the file is already attached", client_id};
  attachment = file_attachment{file->id, file->name, file->size, file->type, file->width,
                               file->height};
  return std::nullopt;
}

void chat_service::count_replies(change_result& result, std::int64_t original_id, int delta) {
  const auto seq = last_seq_ + 1;
  const int count = storage_.messages.add_replies(original_id, delta, seq);
  ++last_seq_;
  result.original = change_result::reply_count{original_id, seq, count};
}

void chat_service::announce_replies(const room_state& room, const change_result& result) {
  if (!result.original) return;
  committed(result.original->seq);
  to_room(room, frames::replies(room.id, result.original->id, result.original->seq,
                                result.original->count));
}

namespace {

// Why a user may not change a message, checked inside the write (the message's row is read
// there); nullopt when they may.
std::optional<protocol_error> change_refused(const std::optional<message_owner>& owner,
                                             const room_state* room, std::int64_t user_id,
                                             std::int64_t id, const char* verb) {
  if (!owner || room == nullptr) return protocol_error{"not_found", "no such message", id};
  if (owner->user_id != user_id) {
    return protocol_error{"forbidden", std::string("only the author can ") + verb + " a message", id};
  }
  if (owner->deleted) return protocol_error{"forbidden", "the message is deleted", id};
  if (room->archived) return protocol_error{"forbidden", "the room is archived", id};
  return std::nullopt;
}

}  // namespace

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, edit_command& command) {
  if (!admit_change(*peer, command.id)) return;
  auto result = std::make_shared<change_result>();
  storage_.writes.submit(
      [this, result, user_id = peer->identity().user_id, command] {
        const auto owner = storage_.messages.find_owner(command.id);
        const auto* room = owner ? rooms_.visible(owner->room, user_id) : nullptr;
        result->refused = change_refused(owner, room, user_id, command.id, "edit");
        if (result->refused) return;
        const auto mentions = mentions_in(*room, user_id, command.text);
        result->changed =
            storage_.messages.update_text(command.id, command.text, mentions.names, last_seq_ + 1);
        ++last_seq_;
        storage_.mentions.set(command.id, room->id, mentions.users);
      },
      [this, result, weak = std::weak_ptr(peer), id = command.id](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(id)));
        if (result->refused) return deliver_if_connected(weak, error_frame(*result->refused));
        const auto& m = result->changed;
        committed(m.seq);
        if (const auto* room = rooms_.find(m.room)) to_room(*room, frames::edited(m));
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
  auto result = std::make_shared<change_result>();
  storage_.writes.submit(
      [this, result, actor, id, anywhere] {
        const auto owner = storage_.messages.find_owner(id);
        const auto* room = !owner       ? nullptr
                           : anywhere   ? rooms_.find(owner->room)
                                        : rooms_.visible(owner->room, actor);
        // Someone else's message: moderation, for administrators only (asked inside the write,
        // so a demotion committed before it counts).
        const bool moderating = owner && owner->user_id != actor;
        const auto as_author = moderating && is_admin(actor) ? owner->user_id : actor;
        if (!anywhere) {
          result->refused = change_refused(owner, room, as_author, id, "delete");
        } else if (!owner || room == nullptr) {
          result->refused = protocol_error{"not_found", "no such message", id};
        } else if (owner->deleted) {
          // Archived rooms too: what an administrator removes there should go as well.
          result->refused = protocol_error{"already_deleted", "the message is deleted", id};
        }
        if (result->refused) return;
        result->changed = storage_.messages.mark_deleted(id, last_seq_ + 1);
        ++last_seq_;
        storage_.mentions.set(id, room->id, {});
        storage_.reactions.clear(id);
        // The file goes with the message: its row now (the quota counts it no more), its
        // bytes after the commit unless another upload has them too.
        if (storage_.files != nullptr) {
          if (auto sha256 = storage_.files->remove_of_message(id)) {
            if (!storage_.files->sha256_in_use(*sha256)) result->released_blob = std::move(sha256);
          }
        }
        const auto& reply_to = result->changed.reply_to;
        if (reply_to && storage_.messages.find_owner(reply_to->id)) {
          count_replies(*result, reply_to->id, -1);
        }
        if (moderating) {
          auto detail = "message " + std::to_string(id);
          detail.append(room->kind == room_kind::dm ? " in a direct message" : " in #" + room->name);
          audit_.record(actor, "delete_message", owner->user_id, detail, epoch_ms());
        }
      },
      [this, result, done = std::move(done)](bool stored) {
        if (!stored || result->refused) return done(stored, result->refused);
        if (result->released_blob && storage_.release_blob) {
          storage_.release_blob(std::move(*result->released_blob));
        }
        const auto& m = result->changed;
        committed(m.seq);
        if (const auto* room = rooms_.find(m.room)) {
          to_room(*room, frames::deleted(m.room, m.id, m.seq));
          announce_replies(*room, *result);
        }
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
  struct seen_result {
    bool exists = false;
    bool moved = false;
  };
  auto result = std::make_shared<seen_result>();
  storage_.writes.submit(
      [this, result, user_id = who.user_id, command] {
        const auto owner = storage_.messages.find_owner(command.id);
        result->exists = owner && owner->room == command.room;
        if (result->exists) {
          result->moved = storage_.rooms.advance_marker(command.room, user_id, command.id);
        }
      },
      [this, result, weak = std::weak_ptr(peer), user_id = who.user_id, username = who.username,
       command](bool stored) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(command.id)));
        if (!result->exists) {
          return deliver_if_connected(weak, error_frame({"not_found", "no such message", command.id}));
        }
        if (!result->moved) return;
        auto* room = rooms_.visible(command.room, user_id);
        if (room == nullptr) return;  // left the room meanwhile
        try {
          const read_snapshot snapshot(storage_.db);  // both counts of one state
          const int unread = storage_.messages.unread(room->id, user_id, command.id, unread_cap);
          const int mentions = storage_.mentions.count(user_id, room->id, command.id, unread_cap);
          connections_.deliver_to_user(user_id, frames::read(room->id, command.id, unread, mentions));
        } catch (const std::exception& e) {
          // The marker is stored; the other tabs catch up with their next hello.
          spdlog::warn("seen: cannot count unread messages for user={}: {}", username, e.what());
        }
        if (room_directory::note_marker(*room, user_id, command.id)) {
          to_room(*room, frames::receipt(room->id, username, command.id));
        }
      });
}

}  // namespace chatterbox
