#include "chatterbox/storage/read_snapshot.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

namespace chatterbox {

read_snapshot::read_snapshot(SQLite::Database& db) : db_(db) {
  if (sqlite3_get_autocommit(db_.getHandle()) == 0) return;
  // Deferred: no lock until the first read, and never a write lock.
  db_.exec("BEGIN DEFERRED");
  began_ = true;
}

read_snapshot::~read_snapshot() {
  if (!began_ || sqlite3_get_autocommit(db_.getHandle()) != 0) return;
  // A read-only transaction cannot fail to commit for want of space or a lock; if it ever does,
  // roll back so that the connection is never left inside it.
  if (sqlite3_exec(db_.getHandle(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
  spdlog::warn("database: ending a read transaction failed: {}", sqlite3_errmsg(db_.getHandle()));
  sqlite3_exec(db_.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace chatterbox
