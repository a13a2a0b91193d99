#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <vector>

namespace chatterbox {

// Who each message mentions, counted per (user, room) past the user's read marker.
class mention_repository {
 public:
  explicit mention_repository(SQLite::Database& db);

  // Replaces the message's mentions (an edit re-reads its text; a delete passes none).
  void set(std::int64_t message_id, std::int64_t room_id, const std::vector<std::int64_t>& users);
  // Mentions of the user in the room after `marker`, counting no further than cap.
  int count(std::int64_t user_id, std::int64_t room_id, std::int64_t marker, int cap);

 private:
  SQLite::Statement clear_;
  SQLite::Statement insert_;
  SQLite::Statement count_;
};

}  // namespace chatterbox
