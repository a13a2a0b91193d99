#include "chatterbox/storage/read_marker_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

read_marker_repository::read_marker_repository(SQLite::Database& db)
    // The WHERE on the update arm makes "never backwards" a property of the statement itself,
    // so concurrent or out-of-order `seen` frames cannot regress a marker.
    : upsert_(db,
              "INSERT INTO read_markers (user_id, message_id) VALUES (?, ?) "
              "ON CONFLICT (user_id) DO UPDATE SET message_id = excluded.message_id "
              "WHERE excluded.message_id > read_markers.message_id"),
      all_(db,
           "SELECT u.username, r.message_id FROM read_markers r "
           "JOIN users u ON u.id = r.user_id") {}

bool read_marker_repository::advance(std::int64_t user_id, std::int64_t message_id) {
  statement_scope s(upsert_);
  s.bind(1, user_id);
  s.bind(2, message_id);
  // changes() is 0 when the update arm's WHERE rejected the row.
  return s->exec() > 0;
}

std::map<std::string, std::int64_t> read_marker_repository::all_markers() {
  statement_scope s(all_);
  std::map<std::string, std::int64_t> markers;
  while (s->executeStep()) {
    markers.emplace(s->getColumn(0).getString(), s->getColumn(1).getInt64());
  }
  return markers;
}

}  // namespace chatterbox
