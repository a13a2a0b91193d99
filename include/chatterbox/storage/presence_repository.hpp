#pragma once

#include "chatterbox/chat/presence_tracker.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <vector>

namespace chatterbox {

// Who was online when the server stopped, kept for the next start (see presence_snapshot in
// migrations.cpp). Written once at shutdown, read and emptied once at startup.
class presence_repository {
 public:
  explicit presence_repository(SQLite::Database& db);

  // Replaces the snapshot; runs inside a write_batcher transaction.
  void save(const std::vector<present_user>& users, std::int64_t now_ms);
  // The users of a snapshot saved after `newer_than_ms` (older ones are stale: those users'
  // clients will not be reconnecting), and empties the table.
  std::vector<present_user> take(std::int64_t newer_than_ms);

 private:
  SQLite::Database& db_;
  SQLite::Statement clear_;
  SQLite::Statement insert_;
  SQLite::Statement select_;
};

}  // namespace chatterbox
