#include "chatterbox/storage/search_repository.hpp"

#include "message_rows.hpp"
#include "statement_scope.hpp"

#include <SQLiteCpp/Transaction.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace chatterbox {
namespace {

// The columns of read_message, then the snippet.
constexpr int snippet_column = message_column_count;

// Membership is the user's row in room_members (every member of every room has one, open rooms
// included): a room the user left or was removed from is not searched. The lists of authors
// and rooms are bound as JSON arrays of ids (built by us from integers), so one statement
// serves any number of them.
constexpr std::string_view membership =
    "CROSS JOIN room_members r ON r.room_id = m.room_id AND r.user_id = :user "
    "JOIN users u ON u.id = m.user_id ";
constexpr std::string_view filters =
    "WHERE m.deleted = 0 "
    "AND (:authors IS NULL OR m.user_id IN (SELECT value FROM json_each(:authors))) "
    "AND (:rooms IS NULL OR m.room_id IN (SELECT value FROM json_each(:rooms))) "
    "AND m.ts >= :since AND m.ts < :until ";

std::string sql(std::string_view head, std::string_view tail) {
  std::string out("SELECT ");
  out.append(message_columns).append(", ").append(head);
  out.append(membership).append(message_joins).append(filters).append(tail);
  return out;
}

std::optional<std::string> id_list(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return std::nullopt;
  std::string out = "[";
  for (const auto id : ids) {
    if (out.size() > 1) out.push_back(',');
    out += std::to_string(id);
  }
  out.push_back(']');
  return out;
}

void bind_filters(statement_scope& s, const search_request& request) {
  s->bind(":user", request.user_id);
  if (const auto authors = id_list(request.authors)) s->bind(":authors", *authors);
  if (const auto rooms = id_list(request.rooms)) s->bind(":rooms", *rooms);
  s->bind(":since", request.since_ms.value_or(std::numeric_limits<std::int64_t>::min()));
  s->bind(":until", request.until_ms.value_or(std::numeric_limits<std::int64_t>::max()));
  s->bind(":before", request.before.value_or(std::numeric_limits<std::int64_t>::max()));
  s->bind(":limit", request.limit);
}

// The lowest id among the newest scan_limit candidates, when there are that many: the page is
// then walked down to it and no further. Candidates are counted by the index (or the rowid)
// alone, without reading rows, so finding the floor is a small part of the walk it bounds.
std::optional<std::int64_t> scan_floor(statement_scope& s, const search_request& request) {
  s->bind(":before", request.before.value_or(std::numeric_limits<std::int64_t>::max()));
  s->bind(":scan", request.scan_limit);
  if (!request.match.empty()) s->bind(":match", request.match);
  if (!s->executeStep() || s->getColumn(0).getInt64() < request.scan_limit) return std::nullopt;
  return s->getColumn(1).getInt64();
}

std::vector<search_hit> read_hits(statement_scope& s) {
  std::vector<search_hit> hits;
  while (s->executeStep()) {
    search_hit hit;
    hit.found = read_message(*s);
    hit.snippet = s->getColumn(snippet_column).getString();
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace

search_repository::search_repository(SQLite::Database& db)
    // The index drives (CROSS JOIN keeps it the outer loop): FTS5 walks its matches by rowid
    // downwards, so a page stops after `limit` rows that pass the filters.
    : matching_(db, sql("snippet(messages_fts, 0, char(1), char(2), '…', 16) "
                        "FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid ",
                        "AND messages_fts MATCH :match AND messages_fts.rowid < :before "
                        "AND messages_fts.rowid >= :floor "
                        "ORDER BY messages_fts.rowid DESC LIMIT :limit")),
      filtered_(db, sql("'' FROM messages m ",
                        "AND m.id < :before AND m.id >= :floor ORDER BY m.id DESC LIMIT :limit")),
      matching_floor_(db, "SELECT count(*), min(id) FROM (SELECT rowid AS id FROM messages_fts "
                          "WHERE messages_fts MATCH :match AND rowid < :before "
                          "ORDER BY rowid DESC LIMIT :scan)"),
      filtered_floor_(db, "SELECT count(*), min(id) FROM (SELECT id FROM messages "
                          "WHERE id < :before ORDER BY id DESC LIMIT :scan)"),
      db_(db) {}

const std::vector<std::string>& search_repository::index_pending_sql() {
  // The pending ids drive (CROSS JOIN): the planner would otherwise scan messages.
  static const std::vector<std::string> statements = {
      "INSERT INTO messages_fts (rowid, text) SELECT m.id, m.text FROM messages_fts_pending p "
      "CROSS JOIN messages m ON m.id = p.id WHERE m.text <> ''",
      "DELETE FROM messages_fts_pending",
  };
  return statements;
}

void search_repository::index_pending() {
  SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& sql : index_pending_sql()) db_.exec(sql);
  transaction.commit();
}

search_page search_repository::search(const search_request& request) {
  if (request.limit <= 0) return {};
  const bool words = !request.match.empty();
  search_page page;
  {
    statement_scope floor(words ? matching_floor_ : filtered_floor_);
    page.stopped_at = scan_floor(floor, request);
  }
  statement_scope s(words ? matching_ : filtered_);
  bind_filters(s, request);
  if (words) s->bind(":match", request.match);
  s->bind(":floor", page.stopped_at.value_or(std::numeric_limits<std::int64_t>::min()));
  page.hits = read_hits(s);
  return page;
}

}  // namespace chatterbox
