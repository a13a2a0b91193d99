// pg_chat_store: rooms, their members and read markers.

#include "chatterbox/store/pg_chat_store.hpp"

#include "pg_answers.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/postgres/pg_values.hpp"

#include <memory>

namespace chatterbox {

namespace {

using pg_answers::answer_row;
using pg_answers::pg_row;
using pg_answers::refusal;
using pg_values::integer;

const std::string mark_seen_sql = "SELECT chatterbox_mark_seen($1, $2, $3)";
const std::string set_notify_sql = "SELECT 'set' FROM chatterbox_set_notify($1, $2, $3)";
const std::string create_room_sql =
    "SELECT outcome, room_id, room_seq "
    "FROM chatterbox_create_room($1, $2, $3, $4, $5::bigint[], $6)";
const std::string rename_room_sql = "SELECT outcome, room_seq FROM chatterbox_rename_room($1, $2)";
const std::string add_members_sql = "SELECT chatterbox_add_members($1, $2::bigint[], $3)";
const std::string remove_member_sql =
    "SELECT outcome, room_seq, archived FROM chatterbox_remove_member($1, $2)";
const std::string furthest_markers_sql =
    "SELECT user_id, marker FROM room_members WHERE room_id = $1 AND marker > 0 "
    "ORDER BY marker DESC LIMIT 2";
const std::string archive_room_sql =
    "SELECT outcome, room_seq FROM chatterbox_archive_room($1, $2, $3, $4)";

std::string text_of(bool value) { return value ? "true" : "false"; }

}  // namespace

void pg_chat_store::mark_seen(std::int64_t room_id, std::int64_t user_id, std::int64_t message_id,
                              answer<marker_change> then) {
  writes_.submit(mark_seen_sql,
                 {std::to_string(room_id), std::to_string(user_id), std::to_string(message_id)},
                 answer_row<marker_change>(
                     "seen", std::move(then),
                     [](marker_change& result, const pg_row&, const std::string& outcome) {
                       result.exists = outcome != "not_found";
                       result.moved = outcome == "moved";
                     }));
}

void pg_chat_store::set_notify(std::int64_t room_id, std::int64_t user_id, std::string level,
                               answer<nothing_to_say> then) {
  writes_.submit(
      set_notify_sql, {std::to_string(room_id), std::to_string(user_id), std::move(level)},
      answer_row<nothing_to_say>("notify", std::move(then),
                                 [](nothing_to_say&, const pg_row&, const std::string&) {}));
}

void pg_chat_store::create_room(new_room room, answer<room_change> then) {
  const bool dm = room.kind == "dm";
  pg_connection::parameters params{std::to_string(room.creator),
                                   room.kind,
                                   dm ? std::nullopt : std::optional<std::string>(room.name),
                                   dm ? std::optional<std::string>(room.dm_key) : std::nullopt,
                                   pg_values::bigint_array(room.members),
                                   std::to_string(epoch_ms())};
  writes_.submit(
      create_room_sql, std::move(params),
      answer_row<room_change>(
          "create_room", std::move(then),
          [ref = std::move(room.ref)](room_change& result, const pg_row& row,
                                      const std::string& outcome) {
            if (outcome == "name_taken") {
              result.refused = protocol_error{"name_taken", "a room with that name exists", ref};
              return;
            }
            if (row.at(1)) result.room_id = integer(row.at(1));
            if (outcome == "created") result.seq = integer(row.at(2));
          }));
}

void pg_chat_store::rename_room(std::int64_t room_id, std::string name, answer<room_change> then) {
  writes_.submit(rename_room_sql, {std::to_string(room_id), std::move(name)},
                 answer_row<room_change>(
                     "rename_room", std::move(then),
                     [room_id](room_change& result, const pg_row& row, const std::string& outcome) {
                       result.room_id = room_id;
                       if (outcome == "renamed") {
                         result.seq = integer(row.at(1));
                       } else {
                         result.refused =
                             protocol_error{"name_taken", "a room with that name exists", room_id};
                       }
                     }));
}

void pg_chat_store::add_members(std::int64_t room_id, std::vector<std::int64_t> users,
                                std::int64_t marker, answer<room_change> then) {
  writes_.submit(add_members_sql,
                 {std::to_string(room_id), pg_values::bigint_array(users), std::to_string(marker)},
                 answer_row<room_change>(
                     "add_members", std::move(then),
                     [room_id](room_change& result, const pg_row&, const std::string& seq) {
                       result.room_id = room_id;
                       result.seq = integer(seq);
                     }));
}

void pg_chat_store::remove_member(std::int64_t room_id, std::int64_t user_id,
                                  answer<room_change> then) {
  // The markers of those left are read in the same batch, right after the removal (or in the
  // next one): the answer waits for both.
  struct removal {
    bool stored = false;
    room_change result;
  };
  auto removed = std::make_shared<removal>();
  writes_.submit(remove_member_sql, {std::to_string(room_id), std::to_string(user_id)},
                 answer_row<room_change>(
                     "remove_member",
                     [removed](bool stored, room_change& result) {
                       removed->stored = stored;
                       removed->result = std::move(result);
                     },
                     [room_id](room_change& result, const pg_row& row, const std::string& outcome) {
                       result.room_id = room_id;
                       if (outcome != "removed") {
                         result.refused = protocol_error{"not_found", "no such member", room_id};
                         return;
                       }
                       result.seq = integer(row.at(1));
                       result.archived = pg_values::boolean(row.at(2));
                     }));
  writes_.submit(furthest_markers_sql, {std::to_string(room_id)},
                 [removed, room_id, then = std::move(then)](const pg_result* rows) {
                   auto& result = removed->result;
                   if (rows == nullptr || !removed->stored) return then(false, result);
                   try {
                     for (const auto& row : rows->rows) {
                       result.readers.push_back(
                           membership_record{room_id, integer(row.at(0)), integer(row.at(1)), ""});
                     }
                   } catch (const std::exception& e) {
                     // The removal is committed; receipts catch up with the next marker.
                     spdlog::warn("remove_member: cannot read the room's markers: {}", e.what());
                   }
                   then(true, result);
                 });
}

void pg_chat_store::archive_room(std::int64_t room_id, bool archived, std::int64_t actor,
                                 answer<room_change> then) {
  writes_.submit(archive_room_sql,
                 {std::to_string(room_id), text_of(archived), std::to_string(actor),
                  std::to_string(epoch_ms())},
                 answer_row<room_change>(
                     "archive_room", std::move(then),
                     [room_id](room_change& result, const pg_row& row, const std::string& outcome) {
                       result.room_id = room_id;
                       if (outcome == "not_found") {
                         result.refused = protocol_error{"not_found", "no such room", room_id};
                       } else if (outcome == "forbidden") {
                         result.refused = protocol_error{
                             "forbidden", "only the room's creator can do that", room_id};
                       } else {
                         result.seq = integer(row.at(1));
                       }
                     }));
}

}  // namespace chatterbox
