#include "chatterbox/storage/database.hpp"

#include "chatterbox/storage/migrations.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace chatterbox {
namespace {

// Long enough to ride out a checkpoint or a backup holding the lock, short enough that a truly
// stuck writer surfaces as an error instead of a hung server.
constexpr int busy_timeout_ms = 5000;

}  // namespace

database::database(const std::string& path, sync_mode mode)
    // NOMUTEX: the connection is only ever used by the event-loop thread, so SQLite's per-call
    // locking (serialized mode) is pure overhead on every step.
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
          busy_timeout_ms) {
  configure(mode);
  migrate();
}

void database::configure_library() {
  // SQLite keeps allocation statistics behind a global mutex on every malloc by default;
  // nothing here reads them, and the server allocates on every statement step.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int database::schema_version() { return db_.execAndGet("PRAGMA user_version").getInt(); }

void database::configure(sync_mode mode) {
  // WAL lets readers (history, sync) proceed while the write batcher commits.
  const std::string journal = db_.execAndGet("PRAGMA journal_mode = WAL").getString();
  // An in-memory database (tests) reports "memory" and cannot use WAL; anything else on a real
  // file means WAL is unavailable and our concurrency assumptions would not hold.
  if (journal != "wal" && journal != "memory") {
    throw std::runtime_error("cannot enable WAL on " + db_.getFilename() + " (journal_mode is " +
                             journal + ")");
  }
  // In WAL, NORMAL only risks the last commits on power loss, never corruption; FULL is for
  // operators who want every acknowledged message to survive that too.
  db_.exec(mode == sync_mode::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db_.exec("PRAGMA foreign_keys = ON");
  // The pragma is silently ignored by builds without foreign key support; refuse to run there.
  if (db_.execAndGet("PRAGMA foreign_keys").getInt() != 1) {
    throw std::runtime_error("this SQLite build does not enforce foreign keys");
  }
}

void database::migrate() { apply_migrations(db_, migrations()); }

}  // namespace chatterbox
