#include "chatterbox/storage/database.hpp"

#include "chatterbox/storage/migrations.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

namespace chatterbox {
namespace {

// Only while starting (before anyone is served): long enough to ride out another process's
// short transaction, short enough that a stuck writer fails the start visibly.
constexpr int startup_busy_timeout_ms = 5000;

}  // namespace

database::database(const std::string& path, sync_mode mode, std::uint64_t max_bytes)
    // NOMUTEX: the connection is only ever used by the event-loop thread, so SQLite's per-call
    // locking (serialized mode) is pure overhead on every step.
    : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
          startup_busy_timeout_ms) {
  configure(mode);
  migrate();
  limit_size(max_bytes);
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

void database::limit_size(std::uint64_t max_bytes) {
  if (max_bytes == 0) return;
  const auto page_size = static_cast<std::uint64_t>(db_.execAndGet("PRAGMA page_size").getInt64());
  const auto pages = std::max<std::uint64_t>(1, max_bytes / page_size);
  // A PRAGMA takes no bound parameter; the value is our own integer. SQLite keeps the limit at
  // least at the current size, so an over-full file stays readable and usable for reads.
  db_.exec("PRAGMA max_page_count = " + std::to_string(pages));
}

}  // namespace chatterbox
