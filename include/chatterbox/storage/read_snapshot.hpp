#pragma once

#include <SQLiteCpp/Database.h>

namespace chatterbox {

// A group of reads in one read transaction. Every statement outside a transaction takes and
// drops SQLite's WAL read lock (two fcntl calls and the wal-index bookkeeping); a `hello` of a
// user in 200 rooms runs ~400 statements, and the locking was a third of its time. Inside one
// transaction the lock is taken once, and all the reads see the same snapshot.
//
// Only on the event loop, between batches: the write batcher's transaction never spans turns.
// When a transaction is already open (a caller inside a write), nothing is begun or ended.
class read_snapshot {
 public:
  explicit read_snapshot(SQLite::Database& db);
  ~read_snapshot();
  read_snapshot(const read_snapshot&) = delete;
  read_snapshot& operator=(const read_snapshot&) = delete;

 private:
  SQLite::Database& db_;
  bool began_ = false;
};

}  // namespace chatterbox
