#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct account_summary {
  std::string username;
  bool admin = false;
  std::int64_t created_at = 0;  // epoch ms
  int sessions = 0;             // unexpired logins
};

enum class role_change { done, unchanged, no_such_user, last_admin };

// What an operator does to accounts from the command line (`chatterbox admin`, see
// docs/operations.md, "Administration"), on the server's database file. Each change is one
// transaction, so it is safe while the server runs.
class account_admin {
 public:
  explicit account_admin(SQLite::Database& db);

  std::vector<account_summary> list(std::int64_t now_ms);
  // Never demotes the last administrator.
  role_change set_admin(std::string_view username, bool admin);
  // Replaces the password hash and ends every session of the user (their tokens are deleted).
  // false: no such user.
  bool replace_password(std::string_view username, std::string_view password_hash);

 private:
  SQLite::Database& db_;
};

}  // namespace chatterbox
