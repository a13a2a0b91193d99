#include "chatterbox/storage/wal_checkpointer.hpp"

#include "chatterbox/storage/write_batcher.hpp"

#include "support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace chatterbox {
namespace {

class wal_checkpointer_test : public test_support::temp_db_test {
 protected:
  // Each call is its own commit, adding about `pages` pages to the WAL.
  void commit_pages(int pages) {
    const std::string blob(4000, 'x');
    SQLite::Statement insert(handle(),
                             "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, 0)");
    for (int i = 0; i < pages; ++i) {
      insert.bind(1, "user" + std::to_string(next_user_++));
      insert.bind(2, blob);
      insert.exec();
      insert.reset();
    }
  }

  std::uintmax_t wal_bytes() const { return std::filesystem::file_size(db_path() + "-wal"); }

  int next_user_ = 0;
};

TEST_F(wal_checkpointer_test, TheServersOwnCommitsNoLongerCheckpoint) {
  wal_checkpointer checkpointer(handle(), 1'000'000'000);
  // Past SQLite's automatic threshold (1000 pages): without the hook the WAL would have been
  // checkpointed and restarted inside one of these commits, and stayed near 4 MB.
  commit_pages(1500);
  EXPECT_GT(wal_bytes(), 1400u * 4096);
  EXPECT_EQ(checkpointer.checkpoints_done(), 0u);
}

TEST_F(wal_checkpointer_test, AGrowingWalIsCheckpointedInTheBackground) {
  wal_checkpointer checkpointer(handle(), 16);
  commit_pages(64);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpointer.checkpoints_done() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GT(checkpointer.checkpoints_done(), 0u);
}

TEST_F(wal_checkpointer_test, CheckpointNowCopiesEveryCommittedFrame) {
  wal_checkpointer checkpointer(handle(), 1'000'000'000);
  commit_pages(40);
  const auto done = checkpointer.checkpoint_now();
  EXPECT_GE(done.wal_frames, 40);
  EXPECT_EQ(done.copied, done.wal_frames);
}

TEST_F(wal_checkpointer_test, DataWrittenWhileCheckpointingSurvivesAReopen) {
  {
    wal_checkpointer checkpointer(handle(), 8);
    commit_pages(200);
    checkpointer.checkpoint_now();
    commit_pages(10);
  }
  reopen();
  SQLite::Statement count(handle(), "SELECT count(*) FROM users");
  count.executeStep();
  EXPECT_EQ(count.getColumn(0).getInt(), 210);
}

// A client that sends its next write as soon as the previous one is stored (acked), one page
// each, so the server commits continuously.
void write_after_write(write_batcher& writes, SQLite::Database& db, int remaining, int& next) {
  if (remaining == 0) return;
  writes.submit(
      [&db, &next] {
        SQLite::Statement insert(db, "INSERT INTO users (username, password_hash, created_at) "
                                     "VALUES (?, ?, 0)");
        insert.bind(1, "steady" + std::to_string(next++));
        insert.bind(2, std::string(4000, 'x'));
        insert.exec();
      },
      [&writes, &db, remaining, &next](bool stored) {
        EXPECT_TRUE(stored);
        write_after_write(writes, db, remaining - 1, next);
      });
}

TEST_F(wal_checkpointer_test, TheWalStartsOverUnderASteadyStreamOfCommits) {
  constexpr int threshold = 32;
  constexpr int pages = 2000;
  wal_checkpointer checkpointer(handle(), threshold);
  boost::asio::io_context io;
  write_batcher writes(io, handle(), write_batcher::limits{}, checkpointer);
  int next = 0;
  write_after_write(writes, handle(), pages, next);
  io.run();
  EXPECT_EQ(next, pages);
  EXPECT_GT(checkpointer.checkpoints_done(), 10u);
  // Had the checkpoints only run beside the commits, the WAL could never start over and would
  // hold all 2,000 pages; with a held restart at four thresholds it stays about that long.
  EXPECT_LT(wal_bytes(), 6u * threshold * 4200);
}

TEST(wal_checkpointer_memory_test, AnInMemoryDatabaseIsLeftAlone) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  wal_checkpointer checkpointer(db, 1);
  db.exec("CREATE TABLE t (x)");
  db.exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(checkpointer.checkpoint_now().wal_frames, -1);
  EXPECT_EQ(checkpointer.checkpoints_done(), 0u);
}

}  // namespace
}  // namespace chatterbox
