#pragma once

#include <exception>

namespace chatterbox {

// How a failed SQLite call should be treated. SQLiteCpp reports every failure as an exception;
// what the server may do next depends on which kind it was.
enum class sqlite_failure {
  // Another connection holds the lock (SQLITE_BUSY, SQLITE_LOCKED): nothing happened; the same
  // work can simply be tried again later.
  contention,
  // The database cannot take writes or may have lost the transaction (SQLITE_FULL, SQLITE_IOERR,
  // SQLITE_NOMEM, SQLITE_CORRUPT, SQLITE_INTERRUPT, ...): SQLite may already have rolled the
  // whole transaction back, so nothing else of it may run.
  storage,
  // The statement alone failed (a constraint, or our own check threw): undoing just that
  // statement's work is enough.
  statement,
};

sqlite_failure classify_failure(const std::exception& error);

}  // namespace chatterbox
