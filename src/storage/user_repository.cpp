#include "chatterbox/storage/user_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {

user_repository::user_repository(SQLite::Database& db)
    // username carries COLLATE NOCASE in the schema, so "=" and the unique index ignore case.
    : find_(db, "SELECT id, username, password_hash, role, deactivated_at IS NOT NULL FROM users "
                "WHERE username = ?"),
      find_by_id_(db, "SELECT id, username, password_hash, role, deactivated_at IS NOT NULL "
                      "FROM users WHERE id = ?"),
      set_password_(db, "UPDATE users SET password_hash = ? WHERE id = ?"),
      // DO NOTHING on the username conflict only: a taken name yields no row instead of an
      // exception, while any other constraint failure still throws. The first account is the
      // administrator, decided in the same statement that creates it.
      insert_(db,
              "INSERT INTO users (username, password_hash, created_at, role) VALUES (?, ?, ?, "
              "CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'member' ELSE 'admin' END) "
              "ON CONFLICT (username) DO NOTHING "
              "RETURNING id, username, password_hash, role, deactivated_at IS NOT NULL"),
      all_names_(db, "SELECT id, username FROM users"),
      // Every user is a member of every open room, having read what was there before them.
      join_open_rooms_(db,
                       "INSERT INTO room_members (room_id, user_id, marker) "
                       "SELECT r.id, ?, (SELECT coalesce(max(m.id), 0) FROM messages m "
                       "WHERE m.room_id = r.id) FROM rooms r WHERE r.kind = 'open'") {}

namespace {

user_record read_user(SQLite::Statement& row) {
  return user_record{row.getColumn(0).getInt64(), row.getColumn(1).getString(),
                     row.getColumn(2).getString(), row.getColumn(3).getString() == "admin",
                     row.getColumn(4).getInt() != 0};
}

}  // namespace

std::optional<user_record> user_repository::find_by_id(std::int64_t id) {
  statement_scope s(find_by_id_);
  s.bind(1, id);
  if (!s->executeStep()) return std::nullopt;
  return read_user(*s);
}

void user_repository::set_password(std::int64_t id, std::string_view password_hash) {
  statement_scope s(set_password_);
  s.bind(1, password_hash);
  s.bind(2, id);
  s->exec();
}

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
  auto user = read_user(*s);
  s->reset();
  statement_scope join(join_open_rooms_);
  join.bind(1, user.id);
  join->exec();
  return user;
}

std::vector<std::pair<std::int64_t, std::string>> user_repository::all_names() {
  statement_scope s(all_names_);
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (s->executeStep()) out.emplace_back(s->getColumn(0).getInt64(), s->getColumn(1).getString());
  return out;
}

}  // namespace chatterbox
