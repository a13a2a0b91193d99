#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct audit_entry {
  std::int64_t at = 0;
  std::optional<std::string> admin;  // nullopt: the command line
  std::string action;
  std::optional<std::string> user;  // nullopt: the action concerns no user
  std::string detail;
};

// What administrators did (docs/protocol.md, "Administration"): written by the caller inside
// the transaction that makes the change, so an action and its record stand or fall together.
class audit_log {
 public:
  explicit audit_log(SQLite::Database& db);

  // `by`: the administrator, nullopt for `chatterbox admin` on the command line.
  void record(std::optional<std::int64_t> by, std::string_view action,
              std::optional<std::int64_t> user_id, std::string_view detail, std::int64_t now_ms);
  // Newest first.
  std::vector<audit_entry> recent(int limit);

 private:
  SQLite::Statement insert_;
  SQLite::Statement recent_;
};

}  // namespace chatterbox
