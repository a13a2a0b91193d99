#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

struct token_owner {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t expires_at_ms = 0;
  bool admin = false;
};

// Session tokens, stored only as their SHA-256 digest (see auth/token.hpp).
class token_repository {
 public:
  explicit token_repository(SQLite::Database& db);

  void store(std::string_view token_digest, std::int64_t user_id, std::int64_t created_ms,
             std::int64_t expires_ms);
  // The owner of an unexpired, unrevoked token.
  std::optional<token_owner> find_valid(std::string_view token_digest, std::int64_t now_ms);
  // true when a token was removed.
  bool revoke(std::string_view token_digest);
  int purge_expired(std::int64_t now_ms);

 private:
  SQLite::Statement insert_;
  SQLite::Statement find_;
  SQLite::Statement delete_;
  SQLite::Statement purge_;
};

}  // namespace chatterbox
