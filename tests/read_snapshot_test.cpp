#include "chatterbox/storage/read_snapshot.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

namespace chatterbox {
namespace {

bool in_transaction(SQLite::Database& db) { return sqlite3_get_autocommit(db.getHandle()) == 0; }

TEST(read_snapshot, reads_inside_run_in_one_transaction_that_ends_with_the_scope) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE t (x INTEGER)");
  {
    const read_snapshot snapshot(db);
    EXPECT_TRUE(in_transaction(db));
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM t").getInt(), 0);
  }
  EXPECT_FALSE(in_transaction(db));
  db.exec("INSERT INTO t VALUES (1)");  // the connection writes normally afterwards
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM t").getInt(), 1);
}

TEST(read_snapshot, inside_a_callers_transaction_it_neither_begins_nor_ends_one) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE t (x INTEGER)");
  SQLite::Transaction write(db);
  db.exec("INSERT INTO t VALUES (1)");
  { const read_snapshot snapshot(db); }
  EXPECT_TRUE(in_transaction(db)) << "the snapshot ended the caller's transaction";
  write.commit();
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM t").getInt(), 1);
}

}  // namespace
}  // namespace chatterbox
