#include "chatterbox/storage/file_repository.hpp"

#include "statement_scope.hpp"

namespace chatterbox {
namespace {

constexpr auto file_columns =
    "f.id, f.sha256, f.user_id, f.room_id, f.name, f.size, f.type, f.width, f.height, "
    "f.created_at, f.message_id";

std::optional<std::int64_t> optional_int(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

file_record read_file(SQLite::Statement& row) {
  file_record f;
  f.id = row.getColumn(0).getInt64();
  f.sha256 = row.getColumn(1).getString();
  f.user_id = row.getColumn(2).getInt64();
  f.room_id = row.getColumn(3).getInt64();
  f.name = row.getColumn(4).getString();
  f.size = row.getColumn(5).getInt64();
  f.type = row.getColumn(6).getString();
  f.width = optional_int(row.getColumn(7));
  f.height = optional_int(row.getColumn(8));
  f.created_at = row.getColumn(9).getInt64();
  f.message_id = optional_int(row.getColumn(10));
  return f;
}

template <typename T>
void bind_optional(statement_scope& s, int index, const std::optional<T>& value) {
  if (value) {
    s.bind(index, *value);
  } else {
    s->bind(index);  // NULL
  }
}

}  // namespace

file_repository::file_repository(SQLite::Database& db)
    : db_(db),
      insert_(db,
              "INSERT INTO files (sha256, user_id, room_id, name, size, type, width, height, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      find_(db, std::string("SELECT ") + file_columns +
                    ", coalesce(m.deleted, 0) FROM files f "
                    "LEFT JOIN messages m ON m.id = f.message_id WHERE f.id = ?"),
      bytes_of_user_(db, "SELECT coalesce(sum(size), 0) FROM files WHERE user_id = ?"),
      attach_(db, "UPDATE files SET message_id = ? WHERE id = ? AND message_id IS NULL"),
      unattached_(db, std::string("SELECT ") + file_columns +
                          " FROM files f WHERE f.message_id IS NULL AND f.created_at < ? "
                          "ORDER BY f.created_at LIMIT ?"),
      remove_(db, "DELETE FROM files WHERE id = ?"),
      remove_of_message_(db, "DELETE FROM files WHERE message_id = ? RETURNING sha256"),
      in_use_(db, "SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = ?)") {}

void file_repository::insert(file_record& record) {
  statement_scope s(insert_);
  s.bind(1, record.sha256);
  s.bind(2, record.user_id);
  s.bind(3, record.room_id);
  s.bind(4, record.name);
  s.bind(5, record.size);
  s.bind(6, record.type);
  bind_optional(s, 7, record.width);
  bind_optional(s, 8, record.height);
  s.bind(9, record.created_at);
  s->exec();
  record.id = db_.getLastInsertRowid();
}

std::optional<file_record> file_repository::find(std::int64_t id) {
  statement_scope s(find_);
  s.bind(1, id);
  if (!s->executeStep()) return std::nullopt;
  auto record = read_file(*s);
  record.message_deleted = s->getColumn(11).getInt() != 0;
  return record;
}

std::int64_t file_repository::bytes_of_user(std::int64_t user_id) {
  statement_scope s(bytes_of_user_);
  s.bind(1, user_id);
  s->executeStep();
  return s->getColumn(0).getInt64();
}

bool file_repository::attach(std::int64_t file_id, std::int64_t message_id) {
  statement_scope s(attach_);
  s.bind(1, message_id);
  s.bind(2, file_id);
  return s->exec() > 0;
}

std::vector<file_record> file_repository::unattached_before(std::int64_t before_ms, int limit) {
  statement_scope s(unattached_);
  s.bind(1, before_ms);
  s.bind(2, limit);
  std::vector<file_record> out;
  while (s->executeStep()) out.push_back(read_file(*s));
  return out;
}

void file_repository::remove(std::int64_t id) {
  statement_scope s(remove_);
  s.bind(1, id);
  s->exec();
}

std::optional<std::string> file_repository::remove_of_message(std::int64_t message_id) {
  statement_scope s(remove_of_message_);
  s.bind(1, message_id);
  std::optional<std::string> sha256;
  // One row at most (a message has one file); stepping to the end finishes the DELETE.
  while (s->executeStep()) sha256 = s->getColumn(0).getString();
  return sha256;
}

bool file_repository::sha256_in_use(const std::string& sha256) {
  statement_scope s(in_use_);
  s.bind(1, sha256);
  s->executeStep();
  return s->getColumn(0).getInt() != 0;
}

}  // namespace chatterbox
