#include "chatterbox/storage/message_repository.hpp"

#include "message_rows.hpp"
#include "statement_scope.hpp"

#include "chatterbox/protocol/text.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chatterbox {
namespace {

// Every query that yields messages selects these columns in this order (see read_message).
const std::string select_messages = joined(
    joined(joined("SELECT ", message_columns), " FROM messages m JOIN users u ON u.id = m.user_id "),
    message_joins);

}  // namespace

message read_message(SQLite::Statement& row) {
  message m;
  m.id = row.getColumn(0).getInt64();
  m.room = row.getColumn(1).getInt64();
  m.seq = row.getColumn(2).getInt64();
  m.user = row.getColumn(3).getString();
  m.text = row.getColumn(4).getString();
  m.ts = row.getColumn(5).getInt64();
  m.edited = row.getColumn(6).getInt() != 0;
  m.deleted = row.getColumn(7).getInt() != 0;
  m.mentions = split_mention_names(row.getColumn(8).getText());
  if (!row.getColumn(9).isNull()) {
    reply_quote quote;
    quote.id = row.getColumn(9).getInt64();
    // NULL after an edit or a delete (RETURNING), where the quote is not read.
    if (!row.getColumn(11).isNull()) {
      quote.user = row.getColumn(11).getString();
      quote.deleted = row.getColumn(13).getInt() != 0;
      quote.text = first_line_excerpt(row.getColumn(12).getText(), reply_quote_chars);
    }
    m.reply_to = std::move(quote);
  }
  m.replies = row.getColumn(10).getInt();
  if (!row.getColumn(14).isNull()) {
    file_attachment f;
    f.id = row.getColumn(14).getInt64();
    f.name = row.getColumn(15).getString();
    f.size = row.getColumn(16).getInt64();
    f.type = row.getColumn(17).getString();
    if (!row.getColumn(18).isNull()) f.width = row.getColumn(18).getInt64();
    if (!row.getColumn(19).isNull()) f.height = row.getColumn(19).getInt64();
    m.file = std::move(f);
  }
  return m;
}

namespace {

std::vector<message> read_all(statement_scope& s) {
  std::vector<message> out;
  while (s->executeStep()) out.push_back(read_message(*s));
  return out;
}

std::string with(std::string_view tail) { return joined(select_messages, tail); }

// RETURNING cannot join, so the author's name comes from a correlated primary-key lookup; the
// quote of a reply is left unread (only its id is needed after an edit or a delete).
// An edited message keeps its file (read the same way); a deleted one has none.
constexpr std::string_view returning_message =
    " RETURNING id, room_id, seq, (SELECT username FROM users WHERE users.id = messages.user_id),"
    " text, ts, edited, deleted, mention_names, reply_to, reply_count, NULL, NULL, NULL,"
    " (SELECT id FROM files WHERE files.message_id = messages.id),"
    " (SELECT name FROM files WHERE files.message_id = messages.id),"
    " (SELECT size FROM files WHERE files.message_id = messages.id),"
    " (SELECT type FROM files WHERE files.message_id = messages.id),"
    " (SELECT width FROM files WHERE files.message_id = messages.id),"
    " (SELECT height FROM files WHERE files.message_id = messages.id)";
constexpr std::string_view returning_deleted_message =
    " RETURNING id, room_id, seq, (SELECT username FROM users WHERE users.id = messages.user_id),"
    " text, ts, edited, deleted, mention_names, reply_to, reply_count, NULL, NULL, NULL,"
    " NULL, NULL, NULL, NULL, NULL, NULL";

}  // namespace

message_repository::message_repository(SQLite::Database& db)
    // Answered from the end of the seq index, not by scanning messages.
    : db_(db),
      max_seq_(db, "SELECT coalesce(max(seq), 0) FROM messages"),
      by_client_id_(db, with("WHERE m.user_id = ? AND m.client_id = ?")),
      insert_(db,
              // One statement instead of a lookup and an insert: a resent client_id changes no
              // row (and stores nothing). Not RETURNING id: SQLite runs RETURNING through an
              // ephemeral table, which made every insert ~30% dearer (bench store scenario);
              // changes() and last_insert_rowid() of our own connection say the same.
              "INSERT INTO messages (seq, user_id, client_id, text, ts, room_id, mention_names, "
              "reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (user_id, client_id) DO NOTHING"),
      owner_(db, "SELECT user_id, deleted, room_id FROM messages WHERE id = ?"),
      // deleted = 0 keeps a tombstone from ever getting text back, even if a caller skipped
      // the find_owner check.
      update_text_(db, joined("UPDATE messages SET text = ?, edited = 1, seq = ?, mention_names = ? "
                              "WHERE id = ? AND deleted = 0",
                              returning_message)),
      mark_deleted_(db, joined("UPDATE messages SET text = '', deleted = 1, seq = ?, "
                               "mention_names = '' WHERE id = ?",
                               returning_deleted_message)),
      find_(db, with("WHERE m.id = ?")),
      add_replies_(db, "UPDATE messages SET reply_count = max(reply_count + ?, 0), seq = ? "
                       "WHERE id = ? RETURNING reply_count"),
      set_seq_(db, "UPDATE messages SET seq = ? WHERE id = ?"),
      // Pages walk the rowid backwards and stop after `limit` rows; the caller gets them
      // reversed into oldest-first order.
      page_latest_(db, with("WHERE m.room_id = ? ORDER BY m.id DESC LIMIT ?")),
      page_before_(db, with("WHERE m.room_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?")),
      page_after_(db, with("WHERE m.room_id = ? AND m.id > ? ORDER BY m.id LIMIT ?")),
      changed_since_(db, with("WHERE m.seq > ? ORDER BY m.seq LIMIT ?")),
      // Both answered from messages_by_room alone (min/max optimisation, covering count).
      last_id_(db, "SELECT coalesce(max(id), 0) FROM messages WHERE room_id = ?"),
      unread_(db,
              "SELECT count(*) FROM (SELECT 1 FROM messages WHERE room_id = ? AND id > ? "
              "AND user_id <> ? AND deleted = 0 LIMIT ?)") {}

std::int64_t message_repository::max_seq() {
  statement_scope s(max_seq_);
  s->executeStep();
  return s->getColumn(0).getInt64();
}

std::optional<message> message_repository::find_by_client_id(std::int64_t user_id,
                                                             std::string_view client_id) {
  statement_scope s(by_client_id_);
  s.bind(1, user_id);
  s.bind(2, client_id);
  if (!s->executeStep()) return std::nullopt;
  return read_message(*s);
}

std::optional<message> message_repository::insert(const new_message& n, std::int64_t ts,
                                                  std::int64_t seq) {
  statement_scope s(insert_);
  s.bind(1, seq);
  s.bind(2, n.user_id);
  s.bind(3, n.client_id);
  s.bind(4, n.text);
  s.bind(5, ts);
  s.bind(6, n.room);
  s.bind(7, join_mention_names(n.mentions));
  if (n.reply_to) s.bind(8, n.reply_to->id);  // else NULL: bindings are cleared after each use
  if (s->exec() == 0) return std::nullopt;  // the client_id was already used
  message m;
  m.id = db_.getLastInsertRowid();
  m.room = n.room;
  m.seq = seq;
  m.user = std::string(n.username);
  m.text = std::string(n.text);
  m.ts = ts;
  m.mentions = n.mentions;
  if (n.reply_to) m.reply_to = *n.reply_to;
  return m;
}

int message_repository::add_replies(std::int64_t id, int delta, std::int64_t seq) {
  statement_scope s(add_replies_);
  s.bind(1, delta);
  s.bind(2, seq);
  s.bind(3, id);
  if (!s->executeStep()) throw std::runtime_error("no message " + std::to_string(id) + " to reply to");
  return s->getColumn(0).getInt();
}

void message_repository::set_seq(std::int64_t id, std::int64_t seq) {
  statement_scope s(set_seq_);
  s.bind(1, seq);
  s.bind(2, id);
  if (s->exec() == 0) throw std::runtime_error("no message " + std::to_string(id));
}

std::optional<message_owner> message_repository::find_owner(std::int64_t id) {
  statement_scope s(owner_);
  s.bind(1, id);
  if (!s->executeStep()) return std::nullopt;
  return message_owner{s->getColumn(0).getInt64(), s->getColumn(1).getInt() != 0,
                       s->getColumn(2).getInt64()};
}

message message_repository::update_text(std::int64_t id, std::string_view text,
                                        const std::vector<std::string>& mentions,
                                        std::int64_t seq) {
  statement_scope s(update_text_);
  s.bind(1, text);
  s.bind(2, seq);
  s.bind(3, join_mention_names(mentions));
  s.bind(4, id);
  if (!s->executeStep()) {
    throw std::runtime_error("cannot edit message " + std::to_string(id) +
                             ": it does not exist or is deleted");
  }
  return read_message(*s);
}

message message_repository::mark_deleted(std::int64_t id, std::int64_t seq) {
  statement_scope s(mark_deleted_);
  s.bind(1, seq);
  s.bind(2, id);
  if (!s->executeStep()) {
    throw std::runtime_error("cannot delete message " + std::to_string(id) + ": it does not exist");
  }
  return read_message(*s);
}

std::optional<message> message_repository::find(std::int64_t id) {
  statement_scope s(find_);
  s.bind(1, id);
  if (!s->executeStep()) return std::nullopt;
  return read_message(*s);
}

std::vector<message> message_repository::page_before(std::int64_t room,
                                                     std::optional<std::int64_t> before,
                                                     int limit) {
  // SQLite reads a negative LIMIT as "no limit"; a caller asking for nothing gets nothing.
  if (limit <= 0) return {};
  statement_scope s(before ? page_before_ : page_latest_);
  s.bind(1, room);
  int index = 2;
  if (before) s.bind(index++, *before);
  s.bind(index, limit);
  std::vector<message> page = read_all(s);
  std::reverse(page.begin(), page.end());
  return page;
}

std::vector<message> message_repository::page_after(std::int64_t room, std::int64_t after,
                                                    int limit) {
  if (limit <= 0) return {};
  statement_scope s(page_after_);
  s.bind(1, room);
  s.bind(2, after);
  s.bind(3, limit);
  return read_all(s);
}

std::vector<message> message_repository::changed_since(std::int64_t since, int limit) {
  if (limit <= 0) return {};
  statement_scope s(changed_since_);
  s.bind(1, since);
  s.bind(2, limit);
  return read_all(s);
}

std::int64_t message_repository::last_id(std::int64_t room) {
  statement_scope s(last_id_);
  s.bind(1, room);
  s->executeStep();
  return s->getColumn(0).getInt64();
}

int message_repository::unread(std::int64_t room, std::int64_t user_id, std::int64_t marker,
                               int cap) {
  statement_scope s(unread_);
  s.bind(1, room);
  s.bind(2, marker);
  s.bind(3, user_id);
  s.bind(4, cap);
  s->executeStep();
  return s->getColumn(0).getInt();
}

}  // namespace chatterbox
