#include "chatterbox/storage/presence_repository.hpp"

#include "statement_scope.hpp"

#include <SQLiteCpp/Transaction.h>

namespace chatterbox {

presence_repository::presence_repository(SQLite::Database& db)
    : db_(db),
      clear_(db, "DELETE FROM presence_snapshot"),
      insert_(db, "INSERT INTO presence_snapshot (user_id, saved_at) VALUES (?, ?)"),
      select_(db,
              "SELECT p.user_id, u.username FROM presence_snapshot p "
              "JOIN users u ON u.id = p.user_id WHERE p.saved_at > ?") {}

void presence_repository::save(const std::vector<present_user>& users, std::int64_t now_ms) {
  {
    statement_scope s(clear_);
    s->exec();
  }
  for (const auto& user : users) {
    statement_scope s(insert_);
    s.bind(1, user.id);
    s.bind(2, now_ms);
    s->exec();
  }
}

std::vector<present_user> presence_repository::take(std::int64_t newer_than_ms) {
  std::vector<present_user> users;
  SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
  {
    statement_scope s(select_);
    s.bind(1, newer_than_ms);
    while (s->executeStep()) users.push_back({s->getColumn(0).getInt64(), s->getColumn(1).getString()});
  }
  {
    statement_scope s(clear_);
    s->exec();
  }
  transaction.commit();
  return users;
}

}  // namespace chatterbox
