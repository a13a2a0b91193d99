#include "chatterbox/storage/database.hpp"

#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/migrations.hpp"
#include "chatterbox/storage/room_repository.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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
  for (const char* table : {"users", "tokens", "messages", "presence_snapshot", "rooms",
                            "room_members", "room_departures", "mentions"}) {
    EXPECT_TRUE(table_exists(handle(), table)) << table;
  }
  EXPECT_FALSE(table_exists(handle(), "read_markers"));  // became room_members.marker
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

// --- protocol 1 databases (migration 3: rooms) ---

TEST(migrations_test, TheThirdMigrationIsRooms) {
  ASSERT_GE(migrations().size(), 3u);
  EXPECT_NE(migrations()[2].sql.find("CREATE TABLE rooms"), std::string_view::npos);
}

// A database as protocol 1 left it: schema.sql and the presence snapshot (migrations 1–2), with
// users, messages (edited and deleted ones too), read markers and tokens.
class v1_database_test : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    SQLite::Database v1(db_path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const std::vector<migration> first_two(migrations().begin(), migrations().begin() + 2);
    ASSERT_EQ(apply_migrations(v1, first_two), 2);
    ASSERT_FALSE(table_exists(v1, "rooms"));
    ASSERT_TRUE(table_exists(v1, "read_markers"));
    v1.exec(
        "INSERT INTO users (id, username, password_hash, created_at) VALUES "
        "(1, 'alice', 'h1', 10), (2, 'Bob', 'h2', 11), (3, 'carol', 'h3', 12), "
        "(4, 'dave', 'h4', 13)");
    // seq is global; message 2 was edited (seq 6) and message 4 deleted (seq 7).
    v1.exec(
        "INSERT INTO messages (id, seq, user_id, client_id, text, ts, edited, deleted) VALUES "
        "(1, 1, 1, 'a-1', 'hello', 1000, 0, 0), "
        "(2, 6, 2, 'b-1', 'edited text', 1001, 1, 0), "
        "(3, 3, 1, 'a-2', 'line 1\nline 2', 1002, 0, 0), "
        "(4, 7, 3, 'c-1', '', 1003, 0, 1), "
        "(5, 5, 2, 'b-2', 'hi @alice', 1004, 0, 0)");
    v1.exec("INSERT INTO read_markers (user_id, message_id) VALUES (1, 5), (2, 3), (3, 1)");
    v1.exec(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES "
        "('aaaa', 1, 100, 9000000000000), ('bbbb', 2, 101, 9000000000001), "
        "('cccc', 1, 102, 9000000000002)");
    ASSERT_EQ(user_version(v1), 2);
  }

  std::string db_path() const { return file("v1.db"); }
};

TEST_F(v1_database_test, UpgradeKeepsEveryMessageInGeneral) {
  database db(db_path(), sync_mode::normal);
  EXPECT_EQ(db.schema_version(), current_version());
  EXPECT_FALSE(table_exists(db.handle(), "read_markers"));

  room_repository rooms(db.handle());
  const auto all = rooms.all_rooms();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, 1);
  EXPECT_EQ(all[0].kind, "open");
  EXPECT_EQ(all[0].name, "general");
  EXPECT_EQ(all[0].creator_id, 0);  // nobody
  EXPECT_FALSE(all[0].archived);

  message_repository messages(db.handle());
  const auto page = messages.page_before(1, std::nullopt, 100);
  ASSERT_EQ(page.size(), 5u);
  for (std::int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(page[static_cast<std::size_t>(i)].id, i + 1);
    EXPECT_EQ(page[static_cast<std::size_t>(i)].room, 1);
    EXPECT_TRUE(page[static_cast<std::size_t>(i)].mentions.empty());
  }
  EXPECT_EQ(page[0].text, "hello");
  EXPECT_EQ(page[0].user, "alice");
  EXPECT_EQ(page[0].ts, 1000);
  EXPECT_EQ(page[1].text, "edited text");
  EXPECT_TRUE(page[1].edited);
  EXPECT_EQ(page[1].seq, 6);
  EXPECT_EQ(page[1].user, "Bob");
  EXPECT_EQ(page[2].text, "line 1\nline 2");
  EXPECT_TRUE(page[3].deleted);
  EXPECT_EQ(page[3].text, "");
  EXPECT_EQ(page[4].text, "hi @alice");
  // Seqs are kept, so a protocol 1 client's catch-up position still means the same.
  EXPECT_EQ(messages.max_seq(), 7);
  EXPECT_EQ(messages.last_id(1), 5);
  std::vector<std::int64_t> synced;
  for (const auto& m : messages.changed_since(3, 100)) synced.push_back(m.id);
  EXPECT_EQ(synced, (std::vector<std::int64_t>{5, 2, 4}));
  // Client ids are kept: a resend after the upgrade is still recognised.
  EXPECT_EQ(messages.find_by_client_id(2, "b-2")->id, 5);
  EXPECT_FALSE(messages.insert({2, "Bob", 1, "b-2", "again", {}, {}}, 2000, 8).has_value());
}

TEST_F(v1_database_test, UpgradeMakesTheFirstAccountTheAdministrator) {
  database db(db_path(), sync_mode::normal);
  SQLite::Statement roles(db.handle(), "SELECT username, role FROM users ORDER BY id");
  std::vector<std::string> seen;
  while (roles.executeStep()) seen.push_back(roles.getColumn(0).getString() + ":" + roles.getColumn(1).getString());
  EXPECT_EQ(seen, (std::vector<std::string>{"alice:admin", "Bob:member", "carol:member", "dave:member"}));
}

TEST_F(v1_database_test, UpgradeMakesEveryReadMarkerTheUsersMarkerOfGeneral) {
  database db(db_path(), sync_mode::normal);
  room_repository rooms(db.handle());
  // Every user is a member of general (an open room), with their marker or 0.
  const std::map<std::int64_t, std::int64_t> expected{{1, 5}, {2, 3}, {3, 1}, {4, 0}};
  for (const auto& [user, marker] : expected) {
    const auto mine = rooms.memberships_of(user);
    ASSERT_EQ(mine.size(), 1u) << user;
    EXPECT_EQ(mine[0].room_id, 1) << user;
    EXPECT_EQ(mine[0].marker, marker) << user;
    EXPECT_EQ(mine[0].notify, "") << user;  // the kind's default
  }
  std::map<std::int64_t, std::int64_t> nonzero;
  for (const auto& m : rooms.nonzero_markers()) {
    EXPECT_EQ(m.room_id, 1);
    nonzero[m.user_id] = m.marker;
  }
  EXPECT_EQ(nonzero, (std::map<std::int64_t, std::int64_t>{{1, 5}, {2, 3}, {3, 1}}));
  EXPECT_TRUE(rooms.members_of_closed_rooms().empty());
  // Unread counts follow from them: alice has read everything, dave nothing (four live messages
  // of others; message 4 is deleted).
  message_repository messages(db.handle());
  EXPECT_EQ(messages.unread(1, 1, 5, 100), 0);
  EXPECT_EQ(messages.unread(1, 2, 3, 100), 0);  // message 5 is Bob's own, 4 is deleted
  EXPECT_EQ(messages.unread(1, 3, 1, 100), 3);
  EXPECT_EQ(messages.unread(1, 4, 0, 100), 4);
  // Markers still only move forward after the upgrade.
  EXPECT_FALSE(rooms.advance_marker(1, 1, 4));
  EXPECT_TRUE(rooms.advance_marker(1, 2, 5));
}

TEST_F(v1_database_test, UpgradeKeepsEveryToken) {
  {
    database db(db_path(), sync_mode::normal);
    SQLite::Statement tokens(db.handle(),
                             "SELECT token_hash, user_id, created_at, expires_at FROM tokens "
                             "ORDER BY token_hash");
    std::vector<std::string> rows;
    while (tokens.executeStep()) {
      rows.push_back(tokens.getColumn(0).getString() + " " + tokens.getColumn(1).getString() + " " +
                     tokens.getColumn(2).getString() + " " + tokens.getColumn(3).getString());
    }
    EXPECT_EQ(rows,
              (std::vector<std::string>{"aaaa 1 100 9000000000000", "bbbb 2 101 9000000000001",
                                        "cccc 1 102 9000000000002"}));
  }
  // And the upgrade ran once: reopening changes nothing.
  database again(db_path(), sync_mode::normal);
  EXPECT_EQ(again.schema_version(), current_version());
  EXPECT_EQ(again.handle().execAndGet("SELECT count(*) FROM tokens").getInt(), 3);
  EXPECT_EQ(again.handle().execAndGet("SELECT count(*) FROM rooms").getInt(), 1);
  EXPECT_EQ(again.handle().execAndGet("SELECT count(*) FROM room_members").getInt(), 4);
}

TEST_F(v1_database_test, RoomsCreatedAfterTheUpgradeGetNewIds) {
  database db(db_path(), sync_mode::normal);
  room_repository rooms(db.handle());
  room_record design;
  design.kind = "private";
  design.name = "design";
  design.creator_id = 1;
  design.seq = 8;
  const auto id = rooms.create(design, 5000);
  ASSERT_TRUE(id.has_value());
  EXPECT_GT(*id, 1);
  room_record clash;
  clash.kind = "open";
  clash.name = "GENERAL";  // names are unique regardless of case, general included
  clash.seq = 9;
  EXPECT_FALSE(rooms.create(clash, 5000).has_value());
}

}  // namespace
}  // namespace chatterbox
