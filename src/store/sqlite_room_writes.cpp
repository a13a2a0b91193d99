// sqlite_chat_store: rooms and their members.

#include "chatterbox/store/sqlite_chat_store.hpp"

#include "sqlite_answers.hpp"

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/clock.hpp"

namespace chatterbox {

void sqlite_chat_store::change_room(std::int64_t room_id, std::function<void(room_change&)> change,
                                    answer<room_change> then) {
  auto result = std::make_shared<room_change>();
  result->room_id = room_id;
  storage_.writes.submit(
      [this, result, room_id, change = std::move(change)] {
        change(*result);
        if (result->refused) return;
        storage_.rooms.set_seq(room_id, last_seq_ + 1);
        result->seq = ++last_seq_;
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::create_room(new_room room, answer<room_change> then) {
  auto result = std::make_shared<room_change>();
  storage_.writes.submit(
      [this, result, room = std::move(room)] {
        room_record record;
        record.kind = room.kind;
        record.name = room.name;
        record.dm_key = room.dm_key;
        record.creator_id = room.creator;
        record.seq = last_seq_ + 1;
        const auto id = storage_.rooms.create(record, epoch_ms());
        if (!id) {
          // A DM opened by someone else meanwhile is theirs and ours: the node finds it in its
          // directory once that write is answered.
          if (room.kind != "dm") {
            result->refused =
                protocol_error{"name_taken", "a room with that name exists", room.ref};
          }
          return;
        }
        ++last_seq_;
        result->seq = record.seq;
        result->room_id = *id;
        if (room.kind == "open") {
          storage_.rooms.add_every_user(*id);
        } else {
          for (const auto member : room.members) storage_.rooms.add_member(*id, member, 0);
        }
      },
      answering(result, std::move(then)));
}

void sqlite_chat_store::rename_room(std::int64_t room_id, std::string name,
                                    answer<room_change> then) {
  change_room(
      room_id,
      [this, room_id, name = std::move(name)](room_change& result) {
        // Taken by a room created in this same batch: nothing changed.
        if (!storage_.rooms.rename(room_id, name, last_seq_ + 1)) {
          result.refused = protocol_error{"name_taken", "a room with that name exists", room_id};
        }
      },
      std::move(then));
}

void sqlite_chat_store::add_members(std::int64_t room_id, std::vector<std::int64_t> users,
                                    std::int64_t marker, answer<room_change> then) {
  change_room(
      room_id,
      [this, room_id, users = std::move(users), marker](room_change&) {
        for (const auto id : users) storage_.rooms.add_member(room_id, id, marker);
      },
      std::move(then));
}

void sqlite_chat_store::remove_member(std::int64_t room_id, std::int64_t user_id,
                                      answer<room_change> then) {
  change_room(
      room_id,
      [this, room_id, user_id](room_change& result) {
        const auto seq = last_seq_ + 1;
        // Removed by someone else in the same batch (the directory changes after the commit).
        if (!storage_.rooms.remove_member(room_id, user_id, seq)) {
          result.refused = protocol_error{"not_found", "no such member", room_id};
          return;
        }
        // A private room nobody is in any more is read-only, not deleted: nothing is lost.
        // Decided here: others may leave in the same batch.
        result.archived = storage_.rooms.member_count(room_id) == 0;
        if (result.archived) storage_.rooms.set_archived(room_id, true, seq);
        result.readers = storage_.rooms.furthest_markers(room_id);
      },
      std::move(then));
}

void sqlite_chat_store::archive_room(std::int64_t room_id, bool archived, std::int64_t actor,
                                     answer<room_change> then) {
  const auto* room = rooms_.find(room_id);
  const bool moderating = room != nullptr && room->creator_id != actor;
  const auto name = room != nullptr ? room->name : std::string();
  change_room(
      room_id,
      [this, room_id, archived, actor, moderating, name,
       exists = room != nullptr](room_change& result) {
        if (!exists) {
          result.refused = protocol_error{"not_found", "no such room", room_id};
          return;
        }
        // Asked of the database inside the write: a promotion or demotion counts at once.
        if (moderating && !is_admin(actor)) {
          result.refused =
              protocol_error{"forbidden", "only the room's creator can do that", room_id};
          return;
        }
        storage_.rooms.set_archived(room_id, archived, last_seq_ + 1);
        if (moderating) {
          audit_.record(actor, archived ? "archive_room" : "unarchive_room", std::nullopt,
                        "#" + name, epoch_ms());
        }
      },
      std::move(then));
}

}  // namespace chatterbox
