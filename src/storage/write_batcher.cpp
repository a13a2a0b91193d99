#include "chatterbox/storage/write_batcher.hpp"

#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/storage/sqlite_errors.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace chatterbox {
namespace {

using clock = std::chrono::steady_clock;

// Retries of a locked database start fast (a checkpoint or a short transaction elsewhere ends
// within a millisecond or two) and back off to this, so a long-held lock costs a few cheap
// attempts per second rather than a busy loop, and its release is noticed within this delay.
constexpr auto max_retry_delay = std::chrono::milliseconds(50);

// A statement is always left reset, whether it ran or threw: a statement left mid-step keeps
// its transaction state and would fail the next use.
void run(SQLite::Statement& statement) {
  try {
    statement.exec();
  } catch (...) {
    statement.tryReset();
    throw;
  }
  statement.tryReset();
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
      limits_(limits),
      retry_timer_(io) {}

write_batcher::write_batcher(boost::asio::io_context& io, SQLite::Database& db, limits limits,
                             wal_checkpointer& checkpointer)
    : write_batcher(io, db, limits) {
  checkpointer_ = &checkpointer;
  checkpointer.on_done([this] {
    boost::asio::post(io_, [this] { resume_after_checkpoint(); });
  });
}

void write_batcher::submit(write_fn write, then_fn then, shape s) {
  if (pending_.size() >= limits_.max_pending) {
    ++refused_;
    ++metrics().writes_refused;
    // Posted: a continuation must never run inside the call that submitted it.
    boost::asio::post(io_, [then = std::move(then)] { then(false); });
    return;
  }
  pending_.push_back(job{std::move(write), std::move(then), s});
  arrived_since_look_ = true;
  if (locked_since_) return;  // the retry timer takes everything pending
  if (!flush_posted_) {
    flush_posted_ = true;
    batch_opened_ = clock::now();
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
      clock::now() - batch_opened_ < limits_.max_wait) {
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
  if (pending_.empty()) {
    locked_since_.reset();
    return;
  }
  switch (begin()) {
    case begin_result::locked:
      return retry_later();
    case begin_result::failed:
      locked_since_.reset();
      return refuse_pending();
    case begin_result::begun:
      break;
  }
  if (locked_since_) {
    spdlog::info("database: the lock is free again; committing {} waiting writes", pending_.size());
    locked_since_.reset();
  }
  retry_delay_ = std::chrono::milliseconds(1);

  // At most max_jobs per transaction, so that a backlog (writes that waited for a lock) does
  // not become one long stall of the loop; the rest follow in the next turns.
  const auto count = std::min(pending_.size(), limits_.max_jobs);
  std::vector<job> jobs(std::make_move_iterator(pending_.begin()),
                        std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(count)));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  if (!pending_.empty()) {
    flush_posted_ = true;
    batch_opened_ = clock::now();
    boost::asio::post(io_, [this] { flush_when_quiet(); });
  }

  const bool committed = run_batch(jobs);
  if (!committed) {
    refused_ += jobs.size();
    metrics().writes_refused += jobs.size();
  }
  // Continuations may submit new writes; those go to the next batch.
  for (auto& job : jobs) job.then(committed && job.stored);
}

void write_batcher::retry_later() {
  const auto now = clock::now();
  if (!locked_since_) {
    locked_since_ = now;
    retry_delay_ = std::chrono::milliseconds(1);
    spdlog::warn("database: locked by another connection; {} writes wait (up to {} ms)",
                 pending_.size(), limits_.lock_wait.count());
  } else if (now - *locked_since_ >= limits_.lock_wait) {
    spdlog::error("database: still locked by another connection after {} ms; refusing {} writes",
                  limits_.lock_wait.count(), pending_.size());
    locked_since_.reset();
    return refuse_pending();
  }
  retry_timer_.expires_after(retry_delay_);
  retry_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) flush();
  });
  retry_delay_ = std::min<std::chrono::milliseconds>(retry_delay_ * 2, max_retry_delay);
}

void write_batcher::refuse_pending() {
  std::vector<job> jobs;
  jobs.swap(pending_);
  refused_ += jobs.size();
  metrics().writes_refused += jobs.size();
  for (auto& job : jobs) job.then(false);
}

write_batcher::begin_result write_batcher::begin() {
  abandon_transaction();  // only if a failed rollback ever left one open: BEGIN would fail forever
  try {
    run(begin_);
    return begin_result::begun;
  } catch (const std::exception& e) {
    if (classify_failure(e) == sqlite_failure::contention) return begin_result::locked;
    log_refusal("cannot begin a transaction", e, pending_.size());
    return begin_result::failed;
  }
}

bool write_batcher::run_batch(std::span<job> jobs) {
  const auto started = clock::now();
  for (auto& job : jobs) {
    const bool savepoint = job.form == shape::several_statements;
    try {
      if (savepoint) run(savepoint_);
      job.write();
      if (savepoint) run(release_);
      job.stored = true;
    } catch (const std::exception& e) {
      // SQLite rolls the whole transaction back by itself on some errors (I/O, full, ...);
      // then the next write would run in autocommit mode, outside any batch.
      const bool transaction_lost = sqlite3_get_autocommit(db_.getHandle()) != 0;
      if (transaction_lost || classify_failure(e) != sqlite_failure::statement) {
        log_refusal("a write failed", e, jobs.size());
        abandon_transaction();
        return false;
      }
      spdlog::warn("database: write failed and was rolled back alone: {}", e.what());
      if (!savepoint) continue;  // SQLite undid the failed statement
      try {
        run(rollback_to_);
        run(release_);
      } catch (const std::exception& inner) {
        spdlog::error("database: rollback to savepoint failed: {}", inner.what());
        abandon_transaction();
        return false;
      }
    }
  }
  try {
    for (auto& statement : before_commit_) run(statement);
    run(commit_);
  } catch (const std::exception& e) {
    log_refusal("the commit failed", e, jobs.size());
    abandon_transaction();
    return false;
  }
  ++batches_;
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - started);
  slowest_commit_ = std::max(slowest_commit_, took);
  metrics().record_commit(took);
  return true;
}

void write_batcher::log_refusal(const char* what, const std::exception& error,
                                std::size_t writes) {
  std::size_t suppressed = 0;
  if (!refusal_log_.admit(suppressed)) return;
  spdlog::error("database: {} ({}): {} writes refused{}", what, error.what(), writes,
                suppressed > 0 ? fmt::format("; {} more refusals in the last second", suppressed)
                               : std::string());
}

void write_batcher::abandon_transaction() {
  if (sqlite3_get_autocommit(db_.getHandle()) != 0) return;  // SQLite already rolled it back
  try {
    run(rollback_);
  } catch (const std::exception& e) {
    spdlog::error("database: rollback failed: {}", e.what());
  }
}

}  // namespace chatterbox
