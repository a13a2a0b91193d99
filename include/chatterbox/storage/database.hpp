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
// While the server starts (migrations, purging old tokens) the connection waits up to 5 s for
// a lock another process holds. Once it serves, it must never wait (never_wait_for_locks): the
// server has one thread, and a second spent inside SQLite is a second every user waits. A write
// that finds the lock taken then fails at once and write_batcher retries it on a timer.
class database {
 public:
  // Process-wide SQLite settings; call once before the first database is opened.
  static void configure_library();

  // max_bytes > 0 caps the file's size (PRAGMA max_page_count): writes beyond it fail with
  // SQLITE_FULL, as on a full disk, while reads go on.
  database(const std::string& path, sync_mode mode, std::uint64_t max_bytes = 0);

  SQLite::Database& handle() { return db_; }
  void never_wait_for_locks() { db_.setBusyTimeout(0); }
  int schema_version();

 private:
  void configure(sync_mode mode);
  void migrate();
  void limit_size(std::uint64_t max_bytes);

  SQLite::Database db_;
};

}  // namespace chatterbox
