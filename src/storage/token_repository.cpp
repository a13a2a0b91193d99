#include "chatterbox/storage/token_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

token_repository::token_repository(SQLite::Database& db)
    : insert_(db,
              "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) "
              "VALUES (?, ?, ?, ?)"),
      // A revoked token is simply absent, so only expiry needs checking here; a deactivated
      // user's tokens are deleted with the deactivation, and refused here should one remain.
      find_(db,
            "SELECT t.user_id, u.username, t.expires_at, u.role = 'admin' FROM tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ? "
            "AND u.deactivated_at IS NULL"),
      delete_(db, "DELETE FROM tokens WHERE token_hash = ?"),
      purge_(db, "DELETE FROM tokens WHERE expires_at <= ?") {}

void token_repository::store(std::string_view token_digest, std::int64_t user_id,
                             std::int64_t created_ms, std::int64_t expires_ms) {
  statement_scope s(insert_);
  s.bind(1, token_digest);
  s.bind(2, user_id);
  s.bind(3, created_ms);
  s.bind(4, expires_ms);
  s->exec();
}

std::optional<token_owner> token_repository::find_valid(std::string_view token_digest,
                                                        std::int64_t now_ms) {
  statement_scope s(find_);
  s.bind(1, token_digest);
  s.bind(2, now_ms);
  if (!s->executeStep()) return std::nullopt;
  return token_owner{s->getColumn(0).getInt64(), s->getColumn(1).getString(),
                     s->getColumn(2).getInt64(), s->getColumn(3).getInt() != 0};
}

bool token_repository::revoke(std::string_view token_digest) {
  statement_scope s(delete_);
  s.bind(1, token_digest);
  return s->exec() > 0;
}

int token_repository::purge_expired(std::int64_t now_ms) {
  statement_scope s(purge_);
  s.bind(1, now_ms);
  return s->exec();
}

}  // namespace chatterbox
