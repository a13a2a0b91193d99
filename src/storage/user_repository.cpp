#include "chatterbox/storage/user_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

user_repository::user_repository(SQLite::Database& db)
    // username carries COLLATE NOCASE in the schema, so "=" and the unique index ignore case.
    : find_(db, "SELECT id, username, password_hash FROM users WHERE username = ?"),
      // DO NOTHING on the username conflict only: a taken name yields no row instead of an
      // exception, while any other constraint failure still throws.
      insert_(db,
              "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?) "
              "ON CONFLICT (username) DO NOTHING RETURNING id, username, password_hash") {}

namespace {

user_record read_user(SQLite::Statement& row) {
  return user_record{row.getColumn(0).getInt64(), row.getColumn(1).getString(),
                     row.getColumn(2).getString()};
}

}  // namespace

std::optional<user_record> user_repository::find_by_name(std::string_view username) {
  statement_scope s(find_);
  s.bind(1, username);
  if (!s->executeStep()) return std::nullopt;
  return read_user(*s);
}

std::optional<user_record> user_repository::create(std::string_view username,
                                                   std::string_view password_hash,
                                                   std::int64_t now_ms) {
  statement_scope s(insert_);
  s.bind(1, username);
  s.bind(2, password_hash);
  s.bind(3, now_ms);
  if (!s->executeStep()) return std::nullopt;
  return read_user(*s);
}

}  // namespace chatterbox
