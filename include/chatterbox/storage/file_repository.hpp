#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

struct file_record {
  std::int64_t id = 0;
  std::string sha256;  // lowercase hex
  std::int64_t user_id = 0;
  std::int64_t room_id = 0;
  std::string name;
  std::int64_t size = 0;
  std::string type;
  std::optional<std::int64_t> width;
  std::optional<std::int64_t> height;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> message_id;
  bool message_deleted = false;  // read by find only
};

// Uploaded files (docs/protocol.md, "POST /api/files"). Writers run inside write_batcher's
// transaction; readers run on the event loop's connection.
class file_repository {
 public:
  explicit file_repository(SQLite::Database& db);

  // Sets record.id.
  void insert(file_record& record);
  // With message_deleted filled in from the message it is attached to.
  std::optional<file_record> find(std::int64_t id);
  // Sum of the sizes of the user's uploads (the quota).
  std::int64_t bytes_of_user(std::int64_t user_id);
  // false when the file is already attached (or gone).
  bool attach(std::int64_t file_id, std::int64_t message_id);
  // Uploads never attached and created before `before_ms`, at most `limit`.
  std::vector<file_record> unattached_before(std::int64_t before_ms, int limit);
  void remove(std::int64_t id);
  // Removes the file of a message (deleted), returning its blob's SHA-256, if it had one.
  std::optional<std::string> remove_of_message(std::int64_t message_id);
  // Whether any row still names the blob.
  bool sha256_in_use(const std::string& sha256);

 private:
  SQLite::Database& db_;
  SQLite::Statement insert_;
  SQLite::Statement find_;
  SQLite::Statement bytes_of_user_;
  SQLite::Statement attach_;
  SQLite::Statement unattached_;
  SQLite::Statement remove_;
  SQLite::Statement remove_of_message_;
  SQLite::Statement in_use_;
};

}  // namespace chatterbox
