#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chatterbox {

struct user_record {
  std::int64_t id = 0;
  std::string username;  // as first registered; lookups ignore case
  std::string password_hash;
  bool admin = false;  // the first account is; administrators promote others
  bool deactivated = false;  // by an administrator: no login
};

// Users table access; statements are prepared once and reused.
class user_repository {
 public:
  explicit user_repository(SQLite::Database& db);

  std::optional<user_record> find_by_name(std::string_view username);
  std::optional<user_record> find_by_id(std::int64_t id);
  // Does not end sessions: the caller decides which (token_repository::revoke_all_of).
  void set_password(std::int64_t id, std::string_view password_hash);
  std::vector<std::pair<std::int64_t, std::string>> all_names();  // id, username
  // nullopt when the name (case-insensitively) is already taken. The new user joins every open
  // room.
  std::optional<user_record> create(std::string_view username, std::string_view password_hash,
                                    std::int64_t now_ms);

 private:
  SQLite::Statement find_;
  SQLite::Statement find_by_id_;
  SQLite::Statement set_password_;
  SQLite::Statement insert_;
  SQLite::Statement all_names_;
  SQLite::Statement join_open_rooms_;
};

}  // namespace chatterbox
