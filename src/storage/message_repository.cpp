#include "chatterbox/storage/message_repository.hpp"

#include "statement_scope.hpp"

#include "chatterbox/protocol/text.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chatterbox {
namespace {

// Every query that yields messages selects these columns in this order (see read_message).
constexpr std::string_view select_messages =
    "SELECT m.id, m.seq, u.username, m.text, m.ts, m.edited, m.deleted "
    "FROM messages m JOIN users u ON u.id = m.user_id ";

message read_message(SQLite::Statement& row) {
  message m;
  m.id = row.getColumn(0).getInt64();
  m.seq = row.getColumn(1).getInt64();
  m.user = row.getColumn(2).getString();
  m.text = row.getColumn(3).getString();
  m.ts = row.getColumn(4).getInt64();
  m.edited = row.getColumn(5).getInt() != 0;
  m.deleted = row.getColumn(6).getInt() != 0;
  return m;
}

std::vector<message> read_all(statement_scope& s) {
  std::vector<message> out;
  while (s->executeStep()) out.push_back(read_message(*s));
  return out;
}

std::string with(std::string_view tail) { return joined(select_messages, tail); }

// RETURNING cannot join, so the author's name comes from a correlated primary-key lookup.
constexpr std::string_view returning_message =
    " RETURNING id, seq, (SELECT username FROM users WHERE users.id = messages.user_id), text, ts,"
    " edited, deleted";

}  // namespace

message_repository::message_repository(SQLite::Database& db)
    // Answered from the end of the seq index, not by scanning messages.
    : max_seq_(db, "SELECT coalesce(max(seq), 0) FROM messages"),
      by_client_id_(db, with("WHERE m.user_id = ? AND m.client_id = ?")),
      insert_(db,
              // One statement instead of a lookup and an insert: a resent client_id returns no
              // row (and stores nothing).
              "INSERT INTO messages (seq, user_id, client_id, text, ts) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT (user_id, client_id) DO NOTHING RETURNING id"),
      owner_(db, "SELECT user_id, deleted FROM messages WHERE id = ?"),
      // deleted = 0 keeps a tombstone from ever getting text back, even if a caller skipped
      // the find_owner check.
      update_text_(db, joined("UPDATE messages SET text = ?, edited = 1, seq = ? "
                              "WHERE id = ? AND deleted = 0",
                              returning_message)),
      mark_deleted_(db, joined("UPDATE messages SET text = '', deleted = 1, seq = ? WHERE id = ?",
                               returning_message)),
      find_(db, with("WHERE m.id = ?")),
      // Pages walk the rowid backwards and stop after `limit` rows; the caller gets them
      // reversed into oldest-first order.
      page_latest_(db, with("ORDER BY m.id DESC LIMIT ?")),
      page_before_(db, with("WHERE m.id < ? ORDER BY m.id DESC LIMIT ?")),
      changed_since_(db, with("WHERE m.seq > ? ORDER BY m.seq LIMIT ?")) {}

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

std::optional<message> message_repository::insert(std::int64_t user_id,
                                                  std::string_view username,
                                                  std::string_view client_id,
                                                  std::string_view text, std::int64_t ts,
                                                  std::int64_t seq) {
  statement_scope s(insert_);
  s.bind(1, seq);
  s.bind(2, user_id);
  s.bind(3, client_id);
  s.bind(4, text);
  s.bind(5, ts);
  if (!s->executeStep()) return std::nullopt;  // the client_id was already used
  message m;
  m.id = s->getColumn(0).getInt64();
  m.seq = seq;
  m.user = std::string(username);
  m.text = std::string(text);
  m.ts = ts;
  return m;
}

std::optional<message_owner> message_repository::find_owner(std::int64_t id) {
  statement_scope s(owner_);
  s.bind(1, id);
  if (!s->executeStep()) return std::nullopt;
  return message_owner{s->getColumn(0).getInt64(), s->getColumn(1).getInt() != 0};
}

message message_repository::update_text(std::int64_t id, std::string_view text, std::int64_t seq) {
  statement_scope s(update_text_);
  s.bind(1, text);
  s.bind(2, seq);
  s.bind(3, id);
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

std::vector<message> message_repository::page_before(std::optional<std::int64_t> before,
                                                     int limit) {
  // SQLite reads a negative LIMIT as "no limit"; a caller asking for nothing gets nothing.
  if (limit <= 0) return {};
  statement_scope s(before ? page_before_ : page_latest_);
  int index = 1;
  if (before) s.bind(index++, *before);
  s.bind(index, limit);
  std::vector<message> page = read_all(s);
  std::reverse(page.begin(), page.end());
  return page;
}

std::vector<message> message_repository::changed_since(std::int64_t since, int limit) {
  if (limit <= 0) return {};
  statement_scope s(changed_since_);
  s.bind(1, since);
  s.bind(2, limit);
  return read_all(s);
}

}  // namespace chatterbox
