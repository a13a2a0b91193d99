#include "chatterbox/storage/wal_checkpointer.hpp"

#include "chatterbox/observability/metrics.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace chatterbox {
namespace {

constexpr int sqlite_default_threshold = 1000;  // pages, as documented for wal_autocheckpoint

bool uses_wal(SQLite::Database& db) {
  return db.execAndGet("PRAGMA journal_mode").getString() == "wal";
}

}  // namespace

wal_checkpointer::wal_checkpointer(SQLite::Database& db, int threshold_pages)
    : db_(db),
      threshold_pages_(threshold_pages),
      restart_pages_(4 * static_cast<std::int64_t>(threshold_pages)) {
  if (!uses_wal(db_)) return;
  own_.emplace(db_.getFilename(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
  // A new connection learns that the file is in WAL mode only when it first reads it; until
  // then a checkpoint on it silently does nothing.
  own_->execAndGet("PRAGMA journal_mode");
  // Replaces SQLite's automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(db_.getHandle(), &wal_checkpointer::on_commit, this);
  worker_ = std::thread([this] { work(); });
}

wal_checkpointer::~wal_checkpointer() {
  if (!worker_.joinable()) return;
  sqlite3_wal_hook(db_.getHandle(), nullptr, nullptr);
  sqlite3_wal_autocheckpoint(db_.getHandle(), sqlite_default_threshold);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

int wal_checkpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  // Runs on the event-loop thread, inside each COMMIT.
  auto* checkpointer = static_cast<wal_checkpointer*>(self);
  checkpointer->after_commit(wal_pages);
  return SQLITE_OK;
}

void wal_checkpointer::after_commit(std::int64_t wal_pages) {
  if (wal_pages >= restart_pages_ && !holding_.load(std::memory_order_acquire)) {
    // From this commit on the server holds its writes until a checkpoint has run.
    holding_.store(true, std::memory_order_release);
    request();
  } else if (wal_pages >= threshold_pages_ &&
             !requested_.exchange(true, std::memory_order_acq_rel)) {
    // Back to back while the WAL is long: each copies only what the last one could not, and
    // the more is copied beside the commits, the shorter the held restart.
    request();
  }
}

void wal_checkpointer::request() {
  {
    std::lock_guard lock(mutex_);
    wanted_ = true;
  }
  wake_.notify_one();
}

wal_checkpointer::result wal_checkpointer::checkpoint_now() {
  return own_ ? checkpoint() : result{};
}

void wal_checkpointer::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    // Read before copying: if writes are held now, no frame can be added during this checkpoint,
    // so it leaves the WAL fully copied and the next commit starts it over.
    const bool writes_held = holding_.load(std::memory_order_acquire);
    // Unlocked while copying: the commit hook must never wait for a checkpoint.
    lock.unlock();
    checkpoint();
    requested_.store(false, std::memory_order_release);
    if (writes_held) {
      holding_.store(false, std::memory_order_release);
      if (on_done_) on_done_();
    }
    lock.lock();
  }
}

wal_checkpointer::result wal_checkpointer::checkpoint() {
  // One checkpoint at a time on the worker's connection (the worker, or checkpoint_now()).
  std::lock_guard running(checkpoint_mutex_);
  int wal_frames = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(own_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    spdlog::warn("database: checkpoint failed: {}", sqlite3_errmsg(own_->getHandle()));
    return {};
  }
  done_.fetch_add(1, std::memory_order_relaxed);
  metrics().wal_checkpoints.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("database: checkpoint copied {} of {} WAL frames", copied, wal_frames);
  return {wal_frames, copied};
}

}  // namespace chatterbox
