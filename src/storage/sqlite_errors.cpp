#include "chatterbox/storage/sqlite_errors.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace chatterbox {

sqlite_failure classify_failure(const std::exception& error) {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&error);
  if (sqlite == nullptr) return sqlite_failure::statement;
  switch (sqlite->getErrorCode() & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return sqlite_failure::contention;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_INTERRUPT:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_ABORT:
      return sqlite_failure::storage;
    default:
      return sqlite_failure::statement;
  }
}

}  // namespace chatterbox
