#include "chatterbox/storage/mention_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

mention_repository::mention_repository(SQLite::Database& db)
    : clear_(db, "DELETE FROM mentions WHERE message_id = ?"),
      insert_(db,
              "INSERT OR IGNORE INTO mentions (user_id, room_id, message_id) VALUES (?, ?, ?)"),
      count_(db,
             "SELECT count(*) FROM (SELECT 1 FROM mentions WHERE user_id = ? AND room_id = ? "
             "AND message_id > ? LIMIT ?)") {}

void mention_repository::set(std::int64_t message_id, std::int64_t room_id,
                             const std::vector<std::int64_t>& users) {
  {
    statement_scope s(clear_);
    s.bind(1, message_id);
    s->exec();
  }
  for (const auto user : users) {
    statement_scope s(insert_);
    s.bind(1, user);
    s.bind(2, room_id);
    s.bind(3, message_id);
    s->exec();
  }
}

int mention_repository::count(std::int64_t user_id, std::int64_t room_id, std::int64_t marker,
                              int cap) {
  statement_scope s(count_);
  s.bind(1, user_id);
  s.bind(2, room_id);
  s.bind(3, marker);
  s.bind(4, cap);
  s->executeStep();
  return s->getColumn(0).getInt();
}

}  // namespace chatterbox
