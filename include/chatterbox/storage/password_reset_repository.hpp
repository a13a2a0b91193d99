#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

struct reset_target {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t expires_at = 0;
  bool deactivated = false;
};

// One-time password reset links (docs/protocol.md, "Your account"). Only the code's SHA-256 is
// stored: whoever holds a code may set the password, so a copy of the database must not.
class password_reset_repository {
 public:
  explicit password_reset_repository(SQLite::Database& db);

  // A user has at most one link: a new one replaces the last.
  void create(std::string_view code_digest, std::int64_t user_id, std::int64_t expires_at_ms);
  std::optional<reset_target> find_valid(std::string_view code_digest, std::int64_t now_ms);
  void use_up(std::string_view code_digest);

 private:
  SQLite::Statement insert_;
  SQLite::Statement find_;
  SQLite::Statement delete_;
};

}  // namespace chatterbox
