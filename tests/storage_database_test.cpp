#include "chatterbox/storage/database.hpp"

#include "chatterbox/storage/migrations.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using test_support::temp_db_test;
using test_support::temp_dir_test;

bool table_exists(SQLite::Database& db, const std::string& name) {
  SQLite::Statement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  query.bind(1, name);
  return query.executeStep();
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

int current_version() { return static_cast<int>(migrations().size()); }

using database_test = temp_db_test;

TEST_F(database_test, CreatesMissingFileWithCurrentSchema) {
  EXPECT_TRUE(std::filesystem::exists(db_path()));
  EXPECT_EQ(db_->schema_version(), current_version());
  EXPECT_EQ(user_version(handle()), current_version());
  for (const char* table : {"users", "tokens", "messages", "read_markers", "presence_snapshot"}) {
    EXPECT_TRUE(table_exists(handle(), table)) << table;
  }
}

TEST_F(database_test, ReopenKeepsDataAndDoesNotRerunMigrations) {
  const auto id = add_user("alice");
  // schema.sql uses plain CREATE TABLE, so re-running migration 1 would throw here.
  ASSERT_NO_THROW(reopen());
  EXPECT_EQ(db_->schema_version(), current_version());
  EXPECT_EQ(handle()
                .execAndGet("SELECT username FROM users WHERE id = " + std::to_string(id))
                .getString(),
            "alice");
}

TEST_F(database_test, UsesWalForeignKeysAndNeverWaitsForALock) {
  EXPECT_EQ(handle().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(handle().execAndGet("PRAGMA foreign_keys").getInt(), 1);
  // Starting may wait for a lock briefly; serving never does (write_batcher retries on a timer).
  database fresh(file("fresh.db"), sync_mode::normal);
  EXPECT_EQ(fresh.handle().execAndGet("PRAGMA busy_timeout").getInt(), 5000);
  fresh.never_wait_for_locks();
  EXPECT_EQ(fresh.handle().execAndGet("PRAGMA busy_timeout").getInt(), 0);
  EXPECT_EQ(handle().execAndGet("PRAGMA synchronous").getInt(), 1);  // NORMAL
}

TEST_F(database_test, FullSyncModeSetsSynchronousFull) {
  close();
  database full(db_path(), sync_mode::full);
  EXPECT_EQ(full.handle().execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
  EXPECT_EQ(full.handle().execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST_F(database_test, ForeignKeysAreEnforced) {
  EXPECT_THROW(handle().exec("INSERT INTO messages (seq, user_id, client_id, text, ts) "
                             "VALUES (1, 999, 'c', 'hi', 0)"),
               SQLite::Exception);
}

TEST_F(database_test, RefusesDatabaseFromNewerBinary) {
  const int newer = static_cast<int>(migrations().size()) + 1;
  handle().exec("PRAGMA user_version = " + std::to_string(newer));
  close();
  try {
    database db(db_path(), sync_mode::normal);
    FAIL() << "opening a newer database must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version " + std::to_string(newer)),
              std::string::npos)
        << e.what();
  }
}

TEST_F(database_test, AppendedMigrationRunsOnceOnExistingDatabase) {
  std::vector<migration> list(migrations().begin(), migrations().end());
  list.push_back({"test table", "CREATE TABLE extra (x INTEGER)"});
  add_user("alice");

  EXPECT_EQ(apply_migrations(handle(), list), current_version() + 1);
  EXPECT_EQ(user_version(handle()), current_version() + 1);
  EXPECT_TRUE(table_exists(handle(), "extra"));
  // A second run is a no-op (CREATE TABLE extra would fail if it ran again).
  EXPECT_EQ(apply_migrations(handle(), list), current_version() + 1);
  EXPECT_EQ(handle().execAndGet("SELECT count(*) FROM users").getInt(), 1);
}

TEST_F(database_test, FailedMigrationLeavesVersionAndSchemaUntouched) {
  std::vector<migration> list(migrations().begin(), migrations().end());
  list.push_back({"broken", "CREATE TABLE half (x INTEGER); CREATE TABLE oops ("});

  EXPECT_THROW(apply_migrations(handle(), list), std::runtime_error);
  EXPECT_EQ(user_version(handle()), current_version());
  EXPECT_FALSE(table_exists(handle(), "half"));
}

TEST(migrations_test, FirstMigrationIsTheEmbeddedSchema) {
  ASSERT_GE(migrations().size(), 1u);
  EXPECT_NE(migrations()[0].sql.find("CREATE TABLE messages"), std::string_view::npos);
}

using database_file_test = temp_dir_test;

TEST_F(database_file_test, MigratesAnEmptyExistingFile) {
  // A zero-byte file is a valid empty SQLite database at user_version 0.
  { std::ofstream touch(file("empty.db")); }
  database db(file("empty.db"), sync_mode::normal);
  EXPECT_EQ(db.schema_version(), current_version());
  EXPECT_TRUE(table_exists(db.handle(), "messages"));
}

TEST_F(database_file_test, FailsOnUnusablePath) {
  EXPECT_THROW(database(file("missing-dir/chat.db"), sync_mode::normal), SQLite::Exception);
}

}  // namespace
}  // namespace chatterbox
