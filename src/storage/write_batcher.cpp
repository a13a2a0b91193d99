#include "chatterbox/storage/write_batcher.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include "chatterbox/observability/metrics.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace chatterbox {
namespace {

void run(SQLite::Statement& statement) {
  statement.exec();
  statement.reset();
}

}  // namespace

write_batcher::write_batcher(boost::asio::io_context& io, SQLite::Database& db)
    : write_batcher(io, db, limits{}) {}

write_batcher::write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits)
    : io_(io),
      db_(db),
      begin_(db, "BEGIN IMMEDIATE"),
      commit_(db, "COMMIT"),
      rollback_(db, "ROLLBACK"),
      savepoint_(db, "SAVEPOINT write_job"),
      release_(db, "RELEASE write_job"),
      rollback_to_(db, "ROLLBACK TO write_job"),
      limits_(limits) {}

write_batcher::write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits,
                             wal_checkpointer& checkpointer)
    : write_batcher(io, db, limits) {
  checkpointer_ = &checkpointer;
  checkpointer.on_done([this] {
    boost::asio::post(io_, [this] { resume_after_checkpoint(); });
  });
}

void write_batcher::submit(write_fn write, then_fn then) {
  pending_.push_back(job{std::move(write), std::move(then)});
  arrived_since_look_ = true;
  if (!flush_posted_) {
    flush_posted_ = true;
    batch_opened_ = std::chrono::steady_clock::now();
    // Posted, not run now: everything else ready in this turn joins the same transaction.
    boost::asio::post(io_, [this] { flush_when_quiet(); });
  }
}

void write_batcher::flush_when_quiet() {
  // A turn that brought writes is usually followed by another (clients pipeline their sends, and
  // each socket's reads are handled in their own turns): waiting one more turn makes the group,
  // and so the messages per commit, much larger at the cost of microseconds.
  const bool still_arriving = std::exchange(arrived_since_look_, false);
  if (still_arriving && pending_.size() < limits_.max_jobs &&
      std::chrono::steady_clock::now() - batch_opened_ < limits_.max_wait) {
    boost::asio::post(io_, [this] { flush_when_quiet(); });
    return;
  }
  if (checkpointer_ && checkpointer_->holding_writes()) {
    held_.emplace(io_.get_executor());  // resume_after_checkpoint() commits it
    return;
  }
  flush();
}

void write_batcher::resume_after_checkpoint() {
  if (!held_) return;
  held_.reset();
  flush();
}

void write_batcher::flush() {
  flush_posted_ = false;
  arrived_since_look_ = false;
  std::vector<job> jobs;
  jobs.swap(pending_);

  const bool committed = run_batch(jobs);
  // Continuations may submit new writes; those go to the next batch.
  for (auto& job : jobs) job.then(committed && job.stored);
}

bool write_batcher::run_batch(std::vector<job>& jobs) {
  const auto started = std::chrono::steady_clock::now();
  try {
    run(begin_);
  } catch (const std::exception& e) {
    spdlog::error("database: cannot begin a transaction: {}", e.what());
    begin_.reset();
    return false;
  }
  for (auto& job : jobs) {
    try {
      run(savepoint_);
      job.write();
      run(release_);
      job.stored = true;
    } catch (const std::exception& e) {
      spdlog::error("database: write failed and was rolled back: {}", e.what());
      try {
        savepoint_.reset();
        run(rollback_to_);
        run(release_);
      } catch (const std::exception& inner) {
        spdlog::error("database: rollback to savepoint failed: {}", inner.what());
      }
    }
  }
  try {
    run(commit_);
  } catch (const std::exception& e) {
    spdlog::error("database: commit of {} writes failed: {}", jobs.size(), e.what());
    commit_.reset();
    try {
      if (!db_.getHandle() || sqlite3_get_autocommit(db_.getHandle()) == 0) run(rollback_);
    } catch (const std::exception&) {
      rollback_.reset();
    }
    return false;
  }
  ++batches_;
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  slowest_commit_ = std::max(slowest_commit_, took);
  metrics().record_commit(took);
  return true;
}

}  // namespace chatterbox
