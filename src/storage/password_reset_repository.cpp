#include "chatterbox/storage/password_reset_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

password_reset_repository::password_reset_repository(SQLite::Database& db)
    : insert_(db,
              "INSERT INTO password_resets (code_hash, user_id, expires_at) VALUES (?, ?, ?) "
              "ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, "
              "expires_at = excluded.expires_at"),
      find_(db,
            "SELECT r.user_id, u.username, r.expires_at, u.deactivated_at IS NOT NULL "
            "FROM password_resets r JOIN users u ON u.id = r.user_id "
            "WHERE r.code_hash = ? AND r.expires_at > ?"),
      delete_(db, "DELETE FROM password_resets WHERE code_hash = ?") {}

void password_reset_repository::create(std::string_view code_digest, std::int64_t user_id,
                                       std::int64_t expires_at_ms) {
  statement_scope s(insert_);
  s.bind(1, code_digest);
  s.bind(2, user_id);
  s.bind(3, expires_at_ms);
  s->exec();
}

std::optional<reset_target> password_reset_repository::find_valid(std::string_view code_digest,
                                                                  std::int64_t now_ms) {
  statement_scope s(find_);
  s.bind(1, code_digest);
  s.bind(2, now_ms);
  if (!s->executeStep()) return std::nullopt;
  return reset_target{s->getColumn(0).getInt64(), s->getColumn(1).getString(),
                      s->getColumn(2).getInt64(), s->getColumn(3).getInt() != 0};
}

void password_reset_repository::use_up(std::string_view code_digest) {
  statement_scope s(delete_);
  s.bind(1, code_digest);
  s->exec();
}

}  // namespace chatterbox
