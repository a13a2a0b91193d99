#pragma once

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;

namespace chatterbox {

// Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the
// COMMIT that crosses the threshold, copying megabytes and fsyncing the database file while
// every client waits. This class turns that off on the server's connection and runs PASSIVE
// checkpoints on its own thread and its own connection instead, which WAL mode allows to
// proceed while the server keeps reading and committing. A database without WAL (in-memory) is
// left alone.
//
// SQLite starts the WAL over from its beginning only when a checkpoint has copied every frame
// in it, which a checkpoint running beside a steady stream of commits never does: the file
// would grow without bound. So when the WAL reaches four thresholds, the server holds its
// commits (holding_writes(); the write batcher keeps collecting meanwhile, the event loop never
// waits) until one more checkpoint — short, since the earlier ones copied nearly everything —
// has run; the next commit then starts the WAL over.
class wal_checkpointer {
 public:
  // threshold_pages: how large the WAL may grow before a checkpoint is requested (SQLite's
  // own default is 1000 pages); at four times that, writes are held for a restart.
  explicit wal_checkpointer(SQLite::Database& db, int threshold_pages = 1000);
  ~wal_checkpointer();
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  std::uint64_t checkpoints_done() const { return done_.load(std::memory_order_relaxed); }
  // True from the commit that asks for a WAL restart until its checkpoint has finished.
  bool holding_writes() const { return holding_.load(std::memory_order_acquire); }
  // Called on the checkpoint thread when held writes may go on (so it must only post).
  void on_done(std::function<void()> done) { on_done_ = std::move(done); }
  struct result {
    int wal_frames = -1;  // frames in the WAL (-1: nothing was checkpointed)
    int copied = -1;      // of those, now in the database file
  };
  // Runs one checkpoint now on the checkpointer's connection and waits for it (tests).
  result checkpoint_now();

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int wal_pages);
  void after_commit(std::int64_t wal_pages);
  void request();
  void work();
  result checkpoint();

  SQLite::Database& db_;
  std::int64_t threshold_pages_;
  std::int64_t restart_pages_;
  std::optional<SQLite::Database> own_;  // used by the worker thread only
  std::mutex mutex_;             // guards wanted_ and stopping_
  std::mutex checkpoint_mutex_;  // serialises use of own_
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::atomic<bool> requested_{false};  // lets the commit hook skip the lock while one is pending
  std::atomic<bool> holding_{false};
  std::atomic<std::uint64_t> done_{0};
  std::function<void()> on_done_;
  std::thread worker_;
};

}  // namespace chatterbox
