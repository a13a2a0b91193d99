#pragma once

#include "chatterbox/observability/log_throttle.hpp"
#include "chatterbox/storage/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace chatterbox {

// Group commit: writes submitted while the event loop is busy run in one SQLite transaction,
// committed once; each write's continuation runs only after that commit, so an `ack` always
// means "on disk" while one commit (and fsync) is shared by the whole batch. Each write runs in
// its own savepoint: one write that fails on its own (a constraint, a refused check) is rolled
// back alone and the rest still commit. A write that is a single statement needs none (SQLite
// undoes a failed statement by itself): submitted as `one_statement`, it skips the savepoint,
// which copies every page the write touches (~2 µs of a stored message).
//
// The batch closes at the first turn of the loop that brings no new write (so a lone message
// is committed at once), or when it reaches `max_jobs` or `max_wait` old (so pipelining clients
// cannot hold acks back for long).
//
// The database can refuse: another process may hold the write lock (an operator's sqlite3
// shell, a backup), the disk or the configured size limit may be full, I/O may fail. None of
// that may stall or end the server:
// - a lock held elsewhere is never waited for inside SQLite (the connection has no busy
//   timeout); the batch is retried on a timer, with backoff, for up to `lock_wait`, and then
//   every write waiting for it is refused;
// - a storage failure (full, I/O, ...) inside a batch abandons the whole transaction: SQLite
//   may already have rolled it back, and the writes after it must not run outside it. Every
//   write of that batch is refused; none is half-applied.
// A refused write's continuation gets `stored == false`, and nothing of it is in the database.
class write_batcher {
 public:
  using write_fn = std::function<void()>;           // runs inside the transaction; may throw
  using then_fn = std::function<void(bool stored)>;  // runs after commit (or refusal)

  struct limits {
    std::size_t max_jobs = 512;
    std::chrono::microseconds max_wait{2000};
    // How long writes wait for a write lock held by another connection before they are refused.
    std::chrono::milliseconds lock_wait{5000};
    // Writes waiting (for a lock) beyond this are refused at once: memory stays bounded while
    // the database is unavailable.
    std::size_t max_pending = 65536;
  };

  write_batcher(boost::asio::io_context& io, SQLite::Database& db);
  write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits);
  // With a checkpointer, a batch that is ready while a checkpoint runs waits for its end (see
  // wal_checkpointer); the checkpointer must outlive the batcher.
  write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits,
                wal_checkpointer& checkpointer);

  // one_statement: the write changes the database with one SQL statement at most, and throws
  // nothing after it has run.
  enum class shape { several_statements, one_statement };
  void submit(write_fn write, then_fn then, shape s = shape::several_statements);

  // `sql` runs in every batch's transaction after its writes, before COMMIT (work that is cheaper
  // once per batch than once per write: indexing the messages the batch stored). Its failure
  // refuses the whole batch, like a failed commit.
  void run_before_commit(const std::string& sql) { before_commit_.emplace_back(db_, sql); }

  std::size_t batches_committed() const { return batches_; }
  std::size_t writes_refused() const { return refused_; }
  std::size_t pending() const { return pending_.size(); }
  // True while writes wait for a lock held by another connection.
  bool waiting_for_lock() const { return locked_since_.has_value(); }
  std::chrono::microseconds slowest_commit() const { return slowest_commit_; }

 private:
  struct job {
    write_fn write;
    then_fn then;
    shape form = shape::several_statements;
    bool stored = false;
  };
  enum class begin_result { begun, locked, failed };

  void flush_when_quiet();
  void resume_after_checkpoint();
  void flush();
  void retry_later();
  void refuse_pending();
  begin_result begin();
  bool run_batch(std::span<job> jobs);
  void abandon_transaction();
  void log_refusal(const char* what, const std::exception& error, std::size_t writes);

  boost::asio::io_context& io_;
  SQLite::Database& db_;
  SQLite::Statement begin_;
  SQLite::Statement commit_;
  SQLite::Statement rollback_;
  SQLite::Statement savepoint_;
  SQLite::Statement release_;
  SQLite::Statement rollback_to_;
  std::deque<SQLite::Statement> before_commit_;
  limits limits_;
  wal_checkpointer* checkpointer_ = nullptr;
  // Keeps io_context::run() going while a ready batch waits for a checkpoint to end.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> held_;
  boost::asio::steady_timer retry_timer_;
  std::vector<job> pending_;
  bool flush_posted_ = false;
  bool arrived_since_look_ = false;
  std::chrono::steady_clock::time_point batch_opened_;
  // Since when the lock has been found taken by another connection, and the next retry's delay.
  std::optional<std::chrono::steady_clock::time_point> locked_since_;
  std::chrono::milliseconds retry_delay_{1};
  log_throttle refusal_log_;
  std::size_t batches_ = 0;
  std::size_t refused_ = 0;
  std::chrono::microseconds slowest_commit_{0};
};

}  // namespace chatterbox
