#pragma once

#include "chatterbox/storage/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace chatterbox {

// Group commit: writes submitted while the event loop is busy run in one SQLite transaction,
// committed once; each write's continuation runs only after that commit, so an `ack` always
// means "on disk" while one commit (and fsync) is shared by the whole batch. Each write runs in
// its own savepoint: one failing write is rolled back alone and the rest still commit.
//
// The batch closes at the first turn of the loop that brings no new write (so a lone message
// is committed at once), or when it reaches `max_jobs` or `max_wait` old (so pipelining clients
// cannot hold acks back for long).
class write_batcher {
 public:
  using write_fn = std::function<void()>;           // runs inside the transaction; may throw
  using then_fn = std::function<void(bool stored)>;  // runs after commit (or failure)

  struct limits {
    std::size_t max_jobs = 512;
    std::chrono::microseconds max_wait{2000};
  };

  write_batcher(boost::asio::io_context& io, SQLite::Database& db);
  write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits);
  // With a checkpointer, a batch that is ready while a checkpoint runs waits for its end (see
  // wal_checkpointer); the checkpointer must outlive the batcher.
  write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits,
                wal_checkpointer& checkpointer);

  void submit(write_fn write, then_fn then);

  std::size_t batches_committed() const { return batches_; }
  std::chrono::microseconds slowest_commit() const { return slowest_commit_; }

 private:
  struct job {
    write_fn write;
    then_fn then;
    bool stored = false;
  };

  void flush_when_quiet();
  void resume_after_checkpoint();
  void flush();
  bool run_batch(std::vector<job>& jobs);

  boost::asio::io_context& io_;
  SQLite::Database& db_;
  SQLite::Statement begin_;
  SQLite::Statement commit_;
  SQLite::Statement rollback_;
  SQLite::Statement savepoint_;
  SQLite::Statement release_;
  SQLite::Statement rollback_to_;
  limits limits_;
  wal_checkpointer* checkpointer_ = nullptr;
  // Keeps io_context::run() going while a ready batch waits for a checkpoint to end.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> held_;
  std::vector<job> pending_;
  bool flush_posted_ = false;
  bool arrived_since_look_ = false;
  std::chrono::steady_clock::time_point batch_opened_;
  std::size_t batches_ = 0;
  std::chrono::microseconds slowest_commit_{0};
};

}  // namespace chatterbox
