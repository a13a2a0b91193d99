#include "chatterbox/storage/write_batcher.hpp"

#include "support/temp_dir.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/asio/steady_timer.hpp>
#include <sqlite3.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

class write_batcher_test : public test_support::temp_db_test {
 protected:
  void attach() override { writes_.emplace(io_, handle()); }
  void detach() override { writes_.reset(); }

  // A write that inserts one user row through the batcher's connection.
  write_batcher::write_fn insert_user(const std::string& name) {
    return [this, name] { add_user(name); };
  }

  // Counts rows from a second, independent connection: only committed data is visible there.
  int committed_users(const std::string& name) {
    SQLite::Database reader(db_path(), SQLite::OPEN_READONLY);
    SQLite::Statement count(reader, "SELECT count(*) FROM users WHERE username = ?");
    count.bind(1, name);
    count.executeStep();
    return count.getColumn(0).getInt();
  }

  // Runs the loop until it has nothing left to do (the batcher uses no timers).
  void drain() {
    io_.restart();
    io_.run();
  }

  boost::asio::io_context io_;
  std::optional<write_batcher> writes_;
};

TEST_F(write_batcher_test, NothingRunsBeforeTheEventLoopTurns) {
  bool wrote = false;
  bool continued = false;
  writes_->submit([&] { wrote = true; }, [&](bool) { continued = true; });
  EXPECT_FALSE(wrote);
  EXPECT_FALSE(continued);
  EXPECT_EQ(writes_->batches_committed(), 0u);
  drain();
  EXPECT_TRUE(wrote);
  EXPECT_TRUE(continued);
}

TEST_F(write_batcher_test, WritesOfOneTurnShareOneCommitAndThenRunsAfterIt) {
  std::vector<std::string> names{"ann", "ben", "cat"};
  std::vector<std::string> log;
  for (const auto& name : names) {
    writes_->submit(
        [&, name] {
          add_user(name);
          log.push_back("write " + name);
          // Not committed yet: another connection cannot see it.
          EXPECT_EQ(committed_users(name), 0) << name;
        },
        [&, name](bool stored) {
          log.push_back("then " + name);
          EXPECT_TRUE(stored) << name;
          EXPECT_EQ(writes_->batches_committed(), 1u);
          // The ack-means-on-disk promise: visible to an independent connection already.
          EXPECT_EQ(committed_users(name), 1) << name;
        });
  }
  drain();
  EXPECT_EQ(writes_->batches_committed(), 1u);
  EXPECT_EQ(log, (std::vector<std::string>{"write ann", "write ben", "write cat", "then ann",
                                           "then ben", "then cat"}));
}

TEST_F(write_batcher_test, LaterWritesInABatchSeeEarlierOnes) {
  std::optional<int> seen;
  writes_->submit(insert_user("dora"), [](bool) {});
  writes_->submit(
      [&] {
        SQLite::Statement count(handle(), "SELECT count(*) FROM users WHERE username = 'dora'");
        count.executeStep();
        seen = count.getColumn(0).getInt();
      },
      [](bool) {});
  drain();
  EXPECT_EQ(seen, 1);
}

TEST_F(write_batcher_test, AThrowingWriteIsRolledBackAloneWhileTheOthersCommit) {
  std::vector<std::optional<bool>> stored(3);
  writes_->submit(insert_user("first"), [&](bool ok) { stored[0] = ok; });
  writes_->submit(
      [&] {
        add_user("doomed");  // changed something before failing: must be undone
        throw std::runtime_error("refused");
      },
      [&](bool ok) {
        stored[1] = ok;
        EXPECT_EQ(committed_users("doomed"), 0);
      });
  writes_->submit(insert_user("last"), [&](bool ok) {
    stored[2] = ok;
    EXPECT_EQ(committed_users("last"), 1);
  });
  drain();

  EXPECT_EQ(stored[0], true);
  EXPECT_EQ(stored[1], false);
  EXPECT_EQ(stored[2], true);
  EXPECT_EQ(writes_->batches_committed(), 1u);
  EXPECT_EQ(committed_users("first"), 1);
  EXPECT_EQ(committed_users("doomed"), 0);
  EXPECT_EQ(committed_users("last"), 1);
}

TEST_F(write_batcher_test, ASqliteConstraintFailureIsRolledBackAlone) {
  add_user("taken");
  std::vector<std::optional<bool>> stored(3);
  writes_->submit(insert_user("one"), [&](bool ok) { stored[0] = ok; });
  writes_->submit(
      [&] {
        add_user("two");
        add_user("TAKEN");  // unique regardless of case: throws SQLite::Exception
      },
      [&](bool ok) { stored[1] = ok; });
  writes_->submit(insert_user("three"), [&](bool ok) { stored[2] = ok; });
  drain();

  EXPECT_EQ(stored, (std::vector<std::optional<bool>>{true, false, true}));
  EXPECT_EQ(committed_users("one"), 1);
  EXPECT_EQ(committed_users("two"), 0);
  EXPECT_EQ(committed_users("three"), 1);
}

TEST_F(write_batcher_test, AOneStatementWriteNeedsNoSavepointToFailAlone) {
  add_user("taken");
  using shape = write_batcher::shape;
  std::vector<std::optional<bool>> stored(4);
  writes_->submit(insert_user("one"), [&](bool ok) { stored[0] = ok; }, shape::one_statement);
  writes_->submit(insert_user("TAKEN"), [&](bool ok) { stored[1] = ok; }, shape::one_statement);
  writes_->submit(insert_user("three"), [&](bool ok) { stored[2] = ok; }, shape::one_statement);
  // A several-statement write after them still gets its own savepoint.
  writes_->submit(
      [&] {
        add_user("four");
        add_user("Taken");
      },
      [&](bool ok) { stored[3] = ok; });
  drain();

  EXPECT_EQ(stored, (std::vector<std::optional<bool>>{true, false, true, false}));
  EXPECT_EQ(committed_users("one"), 1);
  EXPECT_EQ(committed_users("three"), 1);
  EXPECT_EQ(committed_users("four"), 0);
  EXPECT_EQ(writes_->batches_committed(), 1u);
}

TEST_F(write_batcher_test, BatcherKeepsWorkingAfterAFailedWrite) {
  writes_->submit([] { throw std::runtime_error("no"); }, [](bool ok) { EXPECT_FALSE(ok); });
  drain();
  std::optional<bool> stored;
  writes_->submit(insert_user("after"), [&](bool ok) { stored = ok; });
  drain();
  EXPECT_EQ(stored, true);
  EXPECT_EQ(committed_users("after"), 1);
  EXPECT_EQ(writes_->batches_committed(), 2u);
}

TEST_F(write_batcher_test, SubmittingFromThenGoesIntoALaterBatch) {
  std::vector<std::string> log;
  writes_->submit(insert_user("a1"), [&](bool stored) {
    EXPECT_TRUE(stored);
    log.push_back("then a1");
    writes_->submit(
        [&] {
          log.push_back("write b1");
          add_user("b1");
        },
        [&](bool stored_again) {
          EXPECT_TRUE(stored_again);
          EXPECT_EQ(writes_->batches_committed(), 2u);
          EXPECT_EQ(committed_users("b1"), 1);
          log.push_back("then b1");
        });
  });
  writes_->submit(insert_user("a2"), [&](bool) { log.push_back("then a2"); });
  drain();

  EXPECT_EQ(writes_->batches_committed(), 2u);
  // The follow-up write waited for the whole first batch's continuations.
  EXPECT_EQ(log, (std::vector<std::string>{"then a1", "then a2", "write b1", "then b1"}));
}

TEST_F(write_batcher_test, SeparateTurnsAreSeparateBatches) {
  for (int i = 0; i < 3; ++i) {
    writes_->submit(insert_user("u" + std::to_string(i)), [](bool) {});
    drain();
  }
  EXPECT_EQ(writes_->batches_committed(), 3u);
}

// Like a client pipelining sends: each turn of the loop brings one more write.
void submit_over_turns(boost::asio::io_context& io, write_batcher& writes, int remaining,
                       std::vector<bool>& stored) {
  if (remaining == 0) return;
  const auto index = stored.size();
  stored.push_back(false);
  writes.submit([] {}, [&stored, index](bool ok) { stored[index] = ok; });
  boost::asio::post(io, [&io, &writes, remaining, &stored] {
    submit_over_turns(io, writes, remaining - 1, stored);
  });
}

TEST_F(write_batcher_test, WritesArrivingTurnAfterTurnShareOneCommit) {
  std::vector<bool> stored;
  submit_over_turns(io_, *writes_, 20, stored);
  drain();
  EXPECT_EQ(stored, std::vector<bool>(20, true));
  EXPECT_EQ(writes_->batches_committed(), 1u);
}

TEST_F(write_batcher_test, ABatchClosesAtItsSizeLimit) {
  writes_.emplace(io_, handle(), write_batcher::limits{4, std::chrono::seconds(60)});
  std::vector<bool> stored;
  submit_over_turns(io_, *writes_, 20, stored);
  drain();
  EXPECT_EQ(stored, std::vector<bool>(20, true));
  EXPECT_GE(writes_->batches_committed(), 5u);
}

// --- a database that refuses (issue 9) ---

// Runs the loop until `done` or the bound: the batcher's lock retries are timers.
template <class Done>
void run_until(boost::asio::io_context& io, Done done, std::chrono::milliseconds bound = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
}

TEST_F(write_batcher_test, ALockHeldElsewhereDelaysWritesWithoutBlockingTheLoop) {
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::optional<bool> stored;
  writes_->submit(insert_user("patient"), [&](bool ok) { stored = ok; });
  // The loop keeps turning (the timer below fires) while the write waits for the lock.
  bool other_work_ran = false;
  boost::asio::steady_timer tick(io_, std::chrono::milliseconds(30));
  tick.async_wait([&](boost::system::error_code) { other_work_ran = true; });
  run_until(io_, [&] { return other_work_ran; });
  EXPECT_TRUE(other_work_ran);
  EXPECT_FALSE(stored.has_value());
  EXPECT_TRUE(writes_->waiting_for_lock());

  other.exec("COMMIT");
  run_until(io_, [&] { return stored.has_value(); });
  EXPECT_EQ(stored, true);
  EXPECT_EQ(committed_users("patient"), 1);
  EXPECT_FALSE(writes_->waiting_for_lock());
}

TEST_F(write_batcher_test, WritesWaitingLongerThanTheLockWaitAreRefusedAndLaterOnesGoThrough) {
  writes_.emplace(io_, handle(), write_batcher::limits{.lock_wait = std::chrono::milliseconds(50)});
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::vector<std::optional<bool>> stored(2);
  writes_->submit(insert_user("early"), [&](bool ok) { stored[0] = ok; });
  writes_->submit(insert_user("late"), [&](bool ok) { stored[1] = ok; });
  run_until(io_, [&] { return stored[1].has_value(); });
  EXPECT_EQ(stored, (std::vector<std::optional<bool>>{false, false}));
  EXPECT_EQ(writes_->writes_refused(), 2u);
  other.exec("COMMIT");

  std::optional<bool> after;
  writes_->submit(insert_user("after"), [&](bool ok) { after = ok; });
  run_until(io_, [&] { return after.has_value(); });
  EXPECT_EQ(after, true);
  EXPECT_EQ(committed_users("early"), 0);
  EXPECT_EQ(committed_users("after"), 1);
}

TEST_F(write_batcher_test, ABacklogLargerThanMaxJobsCommitsInSeveralTransactionsInOrder) {
  writes_.emplace(io_, handle(), write_batcher::limits{.max_jobs = 4});
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::vector<std::string> written;
  std::vector<std::string> continued;
  std::vector<bool> stored;
  auto submit = [&](const std::string& name, std::function<void()> also = {}) {
    writes_->submit(
        [&, name] {
          written.push_back(name);
          add_user(name);
        },
        [&, name, also](bool ok) {
          continued.push_back(name);
          stored.push_back(ok);
          if (also) also();
        });
  };
  for (int i = 0; i < 10; ++i) {
    // A write submitted while the backlog drains goes after it, not into the middle of it.
    submit("w" + std::to_string(i),
           i == 0 ? std::function<void()>([&] { submit("late"); }) : std::function<void()>());
  }
  run_until(io_, [&] { return writes_->waiting_for_lock(); });
  ASSERT_TRUE(writes_->waiting_for_lock());
  EXPECT_TRUE(written.empty());

  const auto committed_before = writes_->batches_committed();
  other.exec("COMMIT");
  run_until(io_, [&] { return continued.size() == 11; });
  const std::vector<std::string> expected{"w0", "w1", "w2", "w3", "w4",  "w5",
                                          "w6", "w7", "w8", "w9", "late"};
  EXPECT_EQ(written, expected);
  EXPECT_EQ(continued, expected);
  EXPECT_EQ(stored, std::vector<bool>(11, true));
  EXPECT_EQ(writes_->batches_committed() - committed_before, 3u);  // 4 + 4 + 3
  for (const auto& name : expected) EXPECT_EQ(committed_users(name), 1) << name;
  EXPECT_EQ(writes_->writes_refused(), 0u);
}

TEST_F(write_batcher_test, BeyondMaxPendingWritesAreRefusedAtOnceButNeverInsideSubmit) {
  writes_.emplace(io_, handle(), write_batcher::limits{.max_pending = 2});
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::vector<std::optional<bool>> stored(3);
  for (int i = 0; i < 3; ++i) {
    writes_->submit(insert_user("u" + std::to_string(i)), [&, i](bool ok) { stored[static_cast<std::size_t>(i)] = ok; });
  }
  EXPECT_FALSE(stored[2].has_value());  // answered from the loop, not from submit()
  run_until(io_, [&] { return stored[2].has_value(); });
  EXPECT_EQ(stored[2], false);
  other.exec("COMMIT");
  run_until(io_, [&] { return stored[1].has_value(); });
  EXPECT_EQ(stored[0], true);
  EXPECT_EQ(stored[1], true);
}

TEST_F(write_batcher_test, WhenSqliteRollsTheWholeTransactionBackEveryWriteOfTheBatchIsRefused) {
  std::vector<std::optional<bool>> stored(3);
  writes_->submit(insert_user("before"), [&](bool ok) { stored[0] = ok; });
  writes_->submit(
      [&] {
        // An interrupted write inside an explicit transaction makes SQLite roll the whole
        // transaction back, as an I/O error or a full disk may. (The interrupt only holds while
        // some statement is running, hence the open SELECT.)
        SQLite::Statement running(handle(), "SELECT 1 UNION ALL SELECT 2");
        running.executeStep();
        sqlite3_interrupt(handle().getHandle());
        add_user("interrupted");
      },
      [&](bool ok) { stored[1] = ok; });
  writes_->submit(insert_user("after"), [&](bool ok) { stored[2] = ok; });
  drain();
  EXPECT_EQ(stored, (std::vector<std::optional<bool>>{false, false, false}));
  // None half-applied: not the write before the failure, nor one run outside the transaction.
  EXPECT_EQ(committed_users("before"), 0);
  EXPECT_EQ(committed_users("interrupted"), 0);
  EXPECT_EQ(committed_users("after"), 0);

  std::optional<bool> next;
  writes_->submit(insert_user("next"), [&](bool ok) { next = ok; });
  drain();
  EXPECT_EQ(next, true);
}

TEST_F(write_batcher_test, AFullDatabaseRefusesWritesAndTakesThemAgainOnceSpaceReturns) {
  SQLite::Database other(db_path(), SQLite::OPEN_READWRITE);
  other.exec("CREATE TABLE ballast (b BLOB)");
  other.exec("INSERT INTO ballast VALUES (zeroblob(200000))");
  const auto pages = handle().execAndGet("PRAGMA page_count").getInt64();
  handle().exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  std::optional<bool> stored;
  for (int i = 0; i < 200 && stored != false; ++i) {
    stored.reset();
    writes_->submit([&, i] {
      SQLite::Statement insert(handle(), "INSERT INTO users (username, password_hash, created_at) VALUES (?, zeroblob(4000), 0)");
      insert.bind(1, "filler" + std::to_string(i));
      insert.exec();
    }, [&](bool ok) { stored = ok; });
    drain();
  }
  ASSERT_EQ(stored, false) << "the database never filled up";

  other.exec("DROP TABLE ballast");  // an operator frees space
  writes_->submit(insert_user("room again"), [&](bool ok) { stored = ok; });
  drain();
  EXPECT_EQ(stored, true);
  EXPECT_EQ(committed_users("room again"), 1);
}

TEST_F(write_batcher_test, DataSurvivesReopen) {
  writes_->submit(insert_user("durable"), [](bool stored) { EXPECT_TRUE(stored); });
  drain();
  reopen();
  SQLite::Statement count(handle(), "SELECT count(*) FROM users WHERE username = 'durable'");
  count.executeStep();
  EXPECT_EQ(count.getColumn(0).getInt(), 1);
}

}  // namespace
}  // namespace chatterbox

namespace chatterbox {
namespace {

// Work once per batch, in its transaction (search indexes a batch's messages this way).
TEST_F(write_batcher_test, StatementsBeforeCommitRunOncePerBatchInItsTransaction) {
  handle().exec("CREATE TABLE batch_log (n INTEGER)");
  writes_->run_before_commit("INSERT INTO batch_log SELECT count(*) FROM users");
  std::vector<bool> stored;
  for (const auto* name : {"ann", "ben"}) {
    writes_->submit(insert_user(name), [&](bool ok) { stored.push_back(ok); });
  }
  drain();
  writes_->submit(insert_user("cat"), [&](bool ok) { stored.push_back(ok); });
  drain();
  EXPECT_EQ(stored, (std::vector<bool>{true, true, true}));
  SQLite::Statement log(handle(), "SELECT n FROM batch_log ORDER BY rowid");
  std::vector<int> counts;
  while (log.executeStep()) counts.push_back(log.getColumn(0).getInt());
  EXPECT_EQ(counts, (std::vector<int>{2, 3}));  // after each batch's writes, once each
}

TEST_F(write_batcher_test, AFailingStatementBeforeCommitRefusesTheWholeBatch) {
  handle().exec("CREATE TABLE strict_log (n INTEGER NOT NULL)");
  writes_->run_before_commit("INSERT INTO strict_log VALUES (NULL)");
  std::vector<bool> stored;
  for (const auto* name : {"ann", "ben"}) {
    writes_->submit(insert_user(name), [&](bool ok) { stored.push_back(ok); });
  }
  drain();
  EXPECT_EQ(stored, (std::vector<bool>{false, false}));
  EXPECT_EQ(committed_users("ann"), 0);
}

}  // namespace
}  // namespace chatterbox
