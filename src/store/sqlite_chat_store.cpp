#include "chatterbox/store/sqlite_chat_store.hpp"

#include "sqlite_answers.hpp"

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/protocol/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace chatterbox {

namespace {

// Why a user may not change a message, checked inside the write (the message's row is read
// there); nullopt when they may.
std::optional<protocol_error> change_refused(const std::optional<message_owner>& owner,
                                             const room_state* room, std::int64_t user_id,
                                             std::int64_t id, const char* verb) {
  if (!owner || room == nullptr) return protocol_error{"not_found", "no such message", id};
  if (owner->user_id != user_id) {
    return protocol_error{"forbidden", std::string("only the author can ") + verb + " a message",
                          id};
  }
  if (owner->deleted) return protocol_error{"forbidden", "the message is deleted", id};
  if (room->archived) return protocol_error{"forbidden", "the room is archived", id};
  return std::nullopt;
}

}  // namespace

sqlite_chat_store::sqlite_chat_store(chat_storage storage, room_directory& rooms)
    : storage_(storage),
      rooms_(rooms),
      audit_(storage.db),
      search_(storage.db),
      last_seq_(std::max(storage.messages.max_seq(), storage.rooms.max_seq())) {
  // New messages are indexed by their write batch; rows other programs wrote are indexed now.
  for (const auto& sql : search_repository::index_pending_sql())
    storage_.writes.run_before_commit(sql);
  try {
    search_.index_pending();
  } catch (const std::exception& e) {
    spdlog::warn("search: cannot index new messages now (the next write will): {}", e.what());
  }
}

bool sqlite_chat_store::is_admin(std::int64_t user_id) {
  const auto user = storage_.users.find_by_id(user_id);
  return user && user->admin && !user->deactivated;
}

void sqlite_chat_store::send(send_request request, answer<message_change> then) {
  auto result = std::make_shared<message_change>();
  // Without mentions, a reply or a file a send is one INSERT (a resent client_id only reads
  // afterwards).
  const auto shape = request.mentions.users.empty() && !request.reply_to && !request.file
                         ? write_batcher::shape::one_statement
                         : write_batcher::shape::several_statements;
  storage_.writes.submit(
      [this, result, request = std::move(request)] {
        const auto* room = rooms_.visible(request.room, request.user_id);
        if (room == nullptr || room->archived) {
          // A resend of a message stored before the user left or the room was archived is
          // still acknowledged: it is stored.
          if (auto existing =
                  storage_.messages.find_by_client_id(request.user_id, request.client_id)) {
            result->changed = std::move(*existing);
            result->duplicate = true;
          } else if (room == nullptr) {
            result->refused = protocol_error{"not_found", "no such room", request.client_id};
          } else {
            result->refused =
                protocol_error{"forbidden", "the room is archived", request.client_id};
          }
          return;
        }
        new_message fresh{request.user_id, request.username,       request.room, request.client_id,
                          request.text,    request.mentions.names, std::nullopt};
        if (request.reply_to || request.file) {
          // A resent client_id is a duplicate, not a refusal, even when its file has been
          // attached (by the first send) or its original deleted since: look for it first.
          if (auto existing =
                  storage_.messages.find_by_client_id(request.user_id, request.client_id)) {
            result->changed = std::move(*existing);
            result->duplicate = true;
            return;
          }
        }
        if (request.reply_to) {
          result->refused =
              reply_refused(*request.reply_to, request.room, request.client_id, fresh);
          if (result->refused) return;
        }
        std::optional<file_attachment> attachment;
        if (request.file) {
          result->refused = file_refused(*request.file, request.user_id, request.room,
                                         request.client_id, attachment);
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
          if (!request.mentions.users.empty()) {
            storage_.mentions.set(inserted->id, request.room, request.mentions.users);
          }
          if (request.reply_to) count_replies(*result, *request.reply_to, +1);
          result->changed = std::move(*inserted);
          return;
        }
        auto existing = storage_.messages.find_by_client_id(request.user_id, request.client_id);
        if (!existing) throw std::runtime_error("client_id conflict without a stored message");
        result->changed = std::move(*existing);
        result->duplicate = true;
      },
      answering(result, std::move(then)), shape);
}

std::optional<protocol_error> sqlite_chat_store::reply_refused(std::int64_t original_id,
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

std::optional<protocol_error> sqlite_chat_store::file_refused(
    std::int64_t file_id, std::int64_t user_id, std::int64_t room, const std::string& client_id,
    std::optional<file_attachment>& attachment) {
  const auto file = storage_.files ? storage_.files->find(file_id) : std::nullopt;
  // Another user's upload, another room's, an unknown one: the same answer, so ids tell
  // nothing about uploads one may not see.
  if (!file || file->user_id != user_id || file->room_id != room) {
    return protocol_error{"not_found", "no such file", client_id};
  }
  if (file->message_id)
    return protocol_error{"forbidden", "the file is already attached", client_id};
  attachment =
      file_attachment{file->id, file->name, file->size, file->type, file->width, file->height};
  return std::nullopt;
}

void sqlite_chat_store::count_replies(message_change& result, std::int64_t original_id, int delta) {
  const auto seq = last_seq_ + 1;
  const int count = storage_.messages.add_replies(original_id, delta, seq);
  ++last_seq_;
  result.original = message_change::reply_count{original_id, seq, count};
}

void sqlite_chat_store::edit(std::int64_t user_id, std::int64_t id, std::string text,
                             mentions_fn mentions_for, answer<message_change> then) {
  auto result = std::make_shared<message_change>();
  storage_.writes.submit(
      [this, result, user_id, id, text = std::move(text), mentions_for = std::move(mentions_for)] {
        const auto owner = storage_.messages.find_owner(id);
        const auto* room = owner ? rooms_.visible(owner->room, user_id) : nullptr;
        result->refused = change_refused(owner, room, user_id, id, "edit");
        if (result->refused) return;
        const auto mentions = mentions_for(*room);
        result->changed = storage_.messages.update_text(id, text, mentions.names, last_seq_ + 1);
        ++last_seq_;
        storage_.mentions.set(id, room->id, mentions.users);
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::remove(std::int64_t actor, std::int64_t id, bool anywhere,
                               answer<message_change> then) {
  auto result = std::make_shared<message_change>();
  storage_.writes.submit(
      [this, result, actor, id, anywhere] {
        const auto owner = storage_.messages.find_owner(id);
        const auto* room = !owner     ? nullptr
                           : anywhere ? rooms_.find(owner->room)
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
          detail.append(room->kind == room_kind::dm ? " in a direct message"
                                                    : " in #" + room->name);
          audit_.record(actor, "delete_message", owner->user_id, detail, epoch_ms());
        }
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
                              answer<reaction_change> then) {
  auto result = std::make_shared<reaction_change>();
  storage_.writes.submit(
      [this, result, user_id, id, emoji = std::move(emoji), on] {
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
        if (on && storage_.reactions.count(id, emoji) == 0 &&
            storage_.reactions.emoji_count(id) >= max_reaction_emoji) {
          result->refused =
              protocol_error{"forbidden", "a message has at most 20 different reactions", id};
          return;
        }
        const auto seq = last_seq_ + 1;
        if (!storage_.reactions.set(id, user_id, emoji, on, seq)) return;
        storage_.messages.set_seq(id, seq);  // sync brings the message with its reactions
        ++last_seq_;
        *result = {std::nullopt, true, room->id, seq, storage_.reactions.count(id, emoji)};
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::mark_seen(std::int64_t room_id, std::int64_t user_id,
                                  std::int64_t message_id, answer<marker_change> then) {
  auto result = std::make_shared<marker_change>();
  storage_.writes.submit(
      [this, result, room_id, user_id, message_id] {
        const auto owner = storage_.messages.find_owner(message_id);
        result->exists = owner && owner->room == room_id;
        if (result->exists)
          result->moved = storage_.rooms.advance_marker(room_id, user_id, message_id);
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::set_notify(std::int64_t room_id, std::int64_t user_id, std::string level,
                                   answer<nothing_to_say> then) {
  auto result = std::make_shared<nothing_to_say>();
  storage_.writes.submit(
      [this, room_id, user_id, level = std::move(level)] {
        storage_.rooms.set_notify(room_id, user_id, level);
      },
      answering(result, std::move(then)), write_batcher::shape::one_statement);
}

}  // namespace chatterbox
