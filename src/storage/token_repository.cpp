#include "chatterbox/storage/token_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

token_repository::token_repository(SQLite::Database& db)
    : insert_(db,
              "INSERT INTO tokens (token_hash, user_id, created_at, expires_at, user_agent, "
              "address, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      // Within a minute from the same address, nothing is written: the sessions list shows
      // minutes, and a thousand tabs of one login would otherwise each write the row.
      touch_(db,
             "UPDATE tokens SET last_seen_at = ?1, address = ?2 WHERE token_hash = ?3 "
             "AND (last_seen_at IS NULL OR last_seen_at < ?1 - 60000 OR address IS NOT ?2)"),
      sessions_(db,
                "SELECT token_hash, user_agent, address, created_at, "
                "coalesce(last_seen_at, created_at) AS seen FROM tokens "
                "WHERE user_id = ? AND expires_at > ? ORDER BY seen DESC"),
      revoke_all_(db, "DELETE FROM tokens WHERE user_id = ? AND token_hash <> ?"),
      // A revoked token is simply absent, so only expiry needs checking here; a deactivated
      // user's tokens are deleted with the deactivation, and refused here should one remain.
      find_(db,
            "SELECT t.user_id, u.username, t.expires_at, u.role = 'admin' FROM tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ? "
            "AND u.deactivated_at IS NULL"),
      delete_(db, "DELETE FROM tokens WHERE token_hash = ?"),
      purge_(db, "DELETE FROM tokens WHERE expires_at <= ?") {}

void token_repository::store(std::string_view token_digest, std::int64_t user_id,
                             std::int64_t created_ms, std::int64_t expires_ms,
                             const session_origin& origin) {
  statement_scope s(insert_);
  s.bind(1, token_digest);
  s.bind(2, user_id);
  s.bind(3, created_ms);
  s.bind(4, expires_ms);
  s.bind(5, origin.user_agent);
  s.bind(6, origin.address);
  s.bind(7, created_ms);
  s->exec();
}

void token_repository::touch(std::string_view token_digest, std::int64_t now_ms,
                             std::string_view address) {
  statement_scope s(touch_);
  s.bind(1, now_ms);
  s.bind(2, address);
  s.bind(3, token_digest);
  s->exec();
}

std::vector<session_summary> token_repository::sessions_of(std::int64_t user_id,
                                                          std::int64_t now_ms) {
  statement_scope s(sessions_);
  s.bind(1, user_id);
  s.bind(2, now_ms);
  std::vector<session_summary> out;
  while (s->executeStep()) {
    out.push_back(session_summary{s->getColumn(0).getString(), s->getColumn(1).getString(),
                                  s->getColumn(2).getString(), s->getColumn(3).getInt64(),
                                  s->getColumn(4).getInt64()});
  }
  return out;
}

void token_repository::revoke_all_of(std::int64_t user_id, std::string_view keep) {
  statement_scope s(revoke_all_);
  s.bind(1, user_id);
  s.bind(2, keep);
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
