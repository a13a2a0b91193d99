#include "chatterbox/storage/migrations.hpp"

#include "chatterbox/http/embedded_files.hpp"

#include <SQLiteCpp/Transaction.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

std::string_view embedded_schema() {
  for (const embedded_file& file : embedded_files()) {
    if (file.path == "schema.sql") return file.data;
  }
  // Only a broken build can get here; fail loudly rather than start with no schema.
  throw std::runtime_error("schema.sql is missing from the embedded files");
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void check_known(SQLite::Database& db, int version, int known) {
  if (version > known) {
    throw std::runtime_error("database " + db.getFilename() + " has schema version " +
                             std::to_string(version) + " but this build only knows up to " +
                             std::to_string(known) + "; upgrade chatterbox or use another file");
  }
  if (version < 0) {
    throw std::runtime_error("database " + db.getFilename() + " has invalid schema version " +
                             std::to_string(version));
  }
}

}  // namespace

std::span<const migration> migrations() {
  static const std::vector<migration> list = {
      {"initial schema (schema.sql)", embedded_schema()},
      // Who was online when the server last stopped gracefully, so that a restart does not
      // announce every user as gone and back (presence_tracker::assume_online).
      {"presence snapshot",
       "CREATE TABLE presence_snapshot ("
       "  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
       "  saved_at INTEGER NOT NULL"
       ")"},
  };
  return list;
}

int apply_migrations(SQLite::Database& db, std::span<const migration> list) {
  const int known = static_cast<int>(list.size());
  int version = user_version(db);
  check_known(db, version, known);
  while (version < known) {
    // BEGIN IMMEDIATE so two processes racing to migrate one file serialize instead of both
    // reading the old version; the loser re-reads user_version after getting the lock.
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    version = user_version(db);
    check_known(db, version, known);
    if (version == known) break;
    const migration& step = list[static_cast<std::size_t>(version)];
    try {
      db.exec(std::string(step.sql));
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("migration " + std::to_string(version + 1) + " (" +
                               std::string(step.description) + ") failed: " + e.what());
    }
    // PRAGMA cannot take a bound parameter; the value is our own integer, not user input.
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
    ++version;
  }
  return version;
}

}  // namespace chatterbox
