#include "chatterbox/store/pg_chat_store.hpp"

#include "pg_answers.hpp"

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/postgres/pg_message_reads.hpp"
#include "chatterbox/postgres/pg_values.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace chatterbox {

namespace {

using pg_answers::answer_row;
using pg_answers::pg_row;
using pg_answers::refusal;
using pg_values::integer;

const std::string send_sql =
    "SELECT outcome, message_id, room_id, message_seq, message_ts, original_seq, "
    "original_replies FROM chatterbox_send($1, $2, $3, $4, $5, $6::bigint[], $7, $8, $9)";
const std::string edit_sql =
    "SELECT outcome, room_id, message_seq FROM chatterbox_edit($1, $2, $3, $4, $5::bigint[])";
const std::string delete_sql =
    "SELECT outcome, room_id, message_seq, author_id, released_sha256, original_id, "
    "original_seq, original_replies FROM chatterbox_delete($1, $2, $3, $4)";
const std::string react_sql =
    "SELECT outcome, room_id, message_seq, people FROM chatterbox_react($1, $2, $3, $4, $5)";
const std::string room_of_message_sql = "SELECT room_id FROM messages WHERE id = $1";

}  // namespace

pg_chat_store::pg_chat_store(pg_batcher& writes, room_directory& rooms)
    : writes_(writes), rooms_(rooms) {}

void pg_chat_store::send(send_request request, answer<message_change> then) {
  pg_connection::parameters params{std::to_string(request.user_id),
                                   std::to_string(request.room),
                                   request.client_id,
                                   request.text,
                                   join_mention_names(request.mentions.names),
                                   pg_values::bigint_array(request.mentions.users),
                                   pg_values::optional_integer(request.reply_to),
                                   pg_values::optional_integer(request.file),
                                   std::to_string(epoch_ms())};
  const bool reread = request.reply_to || request.file;
  // Stored with a quote or a file: those are read back after the commit, in the next batch.
  auto stored_then = [this, reread, then = std::move(then)](bool stored, message_change& result) {
    if (!stored || result.refused || result.duplicate || !reread) return then(stored, result);
    writes_.submit(pg_reads::message_by_id, {std::to_string(result.changed.id)},
                   [result, then](const pg_result* rows) mutable {
                     try {
                       if (rows != nullptr) {
                         const auto read = pg_reads::read_messages(*rows);
                         if (!read.empty()) {
                           result.changed.reply_to = read.front().reply_to;
                           result.changed.file = read.front().file;
                         }
                       }
                     } catch (const std::exception& e) {
                       spdlog::warn("send: cannot read back message {}: {}", result.changed.id,
                                    e.what());
                     }
                     // Stored whatever the read says: the ack is due; a missing quote or file
                     // is in the next history or sync.
                     then(true, result);
                   });
  };
  writes_.submit(send_sql, std::move(params),
                 answer_row<message_change>(
                     "send", std::move(stored_then),
                     [request = std::move(request)](message_change& result, const pg_row& row,
                                                    const std::string& outcome) {
                       if (outcome != "stored" && outcome != "duplicate") {
                         result.refused = refusal(outcome, request.client_id);
                         return;
                       }
                       auto& m = result.changed;
                       m.id = integer(row.at(1));
                       m.room = integer(row.at(2));
                       m.seq = integer(row.at(3));
                       m.ts = integer(row.at(4));
                       result.duplicate = outcome == "duplicate";
                       if (result.duplicate) return;
                       m.user = request.username;
                       m.text = request.text;
                       m.mentions = request.mentions.names;
                       if (row.at(5)) {
                         result.original =
                             message_change::reply_count{*request.reply_to, integer(row.at(5)),
                                                         static_cast<int>(integer(row.at(6)))};
                       }
                     }));
}

void pg_chat_store::edit(std::int64_t user_id, std::int64_t id, std::string text,
                         mentions_fn mentions_for, answer<message_change> then) {
  // Mentions depend on the room (who is in it), which only the message's row says: read it
  // first. A message never changes rooms, so the answer stays true until the edit runs.
  writes_.submit(room_of_message_sql, {std::to_string(id)},
                 [this, user_id, id, text = std::move(text), mentions_for = std::move(mentions_for),
                  then = std::move(then)](const pg_result* rows) mutable {
                   message_change result;
                   if (rows == nullptr) return then(false, result);
                   const room_state* room = nullptr;
                   if (!rows->rows.empty()) {
                     try {
                       room = rooms_.visible(integer(rows->value(0, 0)), user_id);
                     } catch (const std::exception& e) {
                       spdlog::error("edit: unexpected answer from PostgreSQL: {}", e.what());
                       return then(false, result);
                     }
                   }
                   if (room == nullptr) {
                     result.refused = refusal("not_found", id);
                     return then(true, result);
                   }
                   auto mentions = mentions_for(*room);
                   pg_connection::parameters params{std::to_string(user_id), std::to_string(id),
                                                    text, join_mention_names(mentions.names),
                                                    pg_values::bigint_array(mentions.users)};
                   writes_.submit(
                       edit_sql, std::move(params),
                       answer_row<message_change>("edit", std::move(then),
                                                  [id, text, names = std::move(mentions.names)](
                                                      message_change& result, const pg_row& row,
                                                      const std::string& outcome) {
                                                    if (outcome != "edited") {
                                                      result.refused = refusal(outcome, id, "edit");
                                                      return;
                                                    }
                                                    auto& m = result.changed;
                                                    m.id = id;
                                                    m.room = integer(row.at(1));
                                                    m.seq = integer(row.at(2));
                                                    m.text = text;
                                                    m.mentions = names;
                                                    m.edited = true;
                                                  }));
                 });
}

void pg_chat_store::remove(std::int64_t actor, std::int64_t id, bool anywhere,
                           answer<message_change> then) {
  pg_connection::parameters params{std::to_string(actor), std::to_string(id),
                                   anywhere ? "true" : "false", std::to_string(epoch_ms())};
  writes_.submit(delete_sql, std::move(params),
                 answer_row<message_change>(
                     "delete", std::move(then),
                     [id](message_change& result, const pg_row& row, const std::string& outcome) {
                       if (outcome != "deleted") {
                         result.refused = refusal(outcome, id, "delete");
                         return;
                       }
                       auto& m = result.changed;
                       m.id = id;
                       m.room = integer(row.at(1));
                       m.seq = integer(row.at(2));
                       m.deleted = true;
                       result.released_blob = row.at(4);
                       if (row.at(5)) {
                         result.original =
                             message_change::reply_count{integer(row.at(5)), integer(row.at(6)),
                                                         static_cast<int>(integer(row.at(7)))};
                       }
                     }));
}

void pg_chat_store::react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
                          answer<reaction_change> then) {
  pg_connection::parameters params{std::to_string(user_id), std::to_string(id), std::move(emoji),
                                   on ? "true" : "false", std::to_string(max_reaction_emoji)};
  writes_.submit(react_sql, std::move(params),
                 answer_row<reaction_change>(
                     "react", std::move(then),
                     [id](reaction_change& result, const pg_row& row, const std::string& outcome) {
                       if (outcome == "unchanged") return;
                       if (outcome != "changed") {
                         result.refused = refusal(outcome, id);
                         return;
                       }
                       result = {std::nullopt, true, integer(row.at(1)), integer(row.at(2)),
                                 static_cast<int>(integer(row.at(3)))};
                     }));
}

}  // namespace chatterbox
