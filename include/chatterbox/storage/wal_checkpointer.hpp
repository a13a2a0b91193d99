#pragma once

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

struct sqlite3;

namespace chatterbox {

// Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the
// COMMIT that crosses the threshold, copying megabytes and fsyncing the database file while
// every client waits. This class turns that off on the server's connection and runs a PASSIVE
// checkpoint on its own thread and its own connection instead, which WAL mode allows to proceed
// while the server keeps reading and committing. A database without WAL (in-memory) is left
// alone.
class wal_checkpointer {
 public:
  // threshold_pages: how large the WAL may grow before a checkpoint is requested (SQLite's
  // own default is 1000 pages).
  explicit wal_checkpointer(SQLite::Database& db, int threshold_pages = 1000);
  ~wal_checkpointer();
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  std::uint64_t checkpoints_done() const { return done_.load(std::memory_order_relaxed); }
  // Runs one checkpoint now and waits for it (tests, and a tidy WAL at shutdown).
  void checkpoint_now();

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int wal_pages);
  void request();
  void work();
  void checkpoint();

  SQLite::Database& db_;
  int threshold_pages_;
  std::optional<SQLite::Database> own_;  // used by the worker thread only
  std::mutex mutex_;             // guards wanted_ and stopping_
  std::mutex checkpoint_mutex_;  // serialises use of own_
  std::condition_variable wake_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::atomic<bool> requested_{false};  // lets the commit hook skip the lock while one is pending
  std::atomic<std::uint64_t> done_{0};
  std::thread worker_;
};

}  // namespace chatterbox
