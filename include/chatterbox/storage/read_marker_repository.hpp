#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <map>
#include <string>

namespace chatterbox {

// Each user's read marker (highest message id seen). It only ever moves forward.
class read_marker_repository {
 public:
  explicit read_marker_repository(SQLite::Database& db);

  // true when the marker moved forward; false when message_id is not beyond the current one.
  bool advance(std::int64_t user_id, std::int64_t message_id);
  std::map<std::string, std::int64_t> all_markers();  // username -> message id

 private:
  SQLite::Statement upsert_;
  SQLite::Statement all_;
};

}  // namespace chatterbox
