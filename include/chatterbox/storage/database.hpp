#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

namespace chatterbox {

enum class sync_mode { normal, full };

// Opens the SQLite file, sets WAL / synchronous / foreign keys and brings the schema up to date
// with PRAGMA user_version migrations (schema.sql is migration 1). Throws on failure: a server
// that cannot open its database must not start.
//
// Once open, the connection never waits for a lock (no busy timeout): the server has one
// thread, and a second spent inside SQLite is a second every user waits. A write that finds
// the lock taken fails at once and write_batcher retries it on a timer instead.
class database {
 public:
  // Process-wide SQLite settings; call once before the first database is opened.
  static void configure_library();

  // max_bytes > 0 caps the file's size (PRAGMA max_page_count): writes beyond it fail with
  // SQLITE_FULL, as on a full disk, while reads go on.
  database(const std::string& path, sync_mode mode, std::uint64_t max_bytes = 0);

  SQLite::Database& handle() { return db_; }
  int schema_version();

 private:
  void configure(sync_mode mode);
  void migrate();
  void limit_size(std::uint64_t max_bytes);

  SQLite::Database db_;
};

}  // namespace chatterbox
