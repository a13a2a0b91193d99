#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct token_owner {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t expires_at_ms = 0;
  bool admin = false;
};

// One login as its owner sees it (docs/protocol.md, "Your account").
struct session_summary {
  std::string digest;  // the token's; never sent: `id` is its first 16 hex digits
  std::string user_agent;
  std::string address;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
};

// Where a login came from, kept with its token so its owner can recognise it.
struct session_origin {
  std::string user_agent;
  std::string address;
};

// Session tokens, stored only as their SHA-256 digest (see auth/token.hpp).
class token_repository {
 public:
  explicit token_repository(SQLite::Database& db);

  void store(std::string_view token_digest, std::int64_t user_id, std::int64_t created_ms,
             std::int64_t expires_ms, const session_origin& origin = {});
  // A WebSocket was opened with the token: when and from where it was last used (written only
  // when the address changed or a minute has passed).
  void touch(std::string_view token_digest, std::int64_t now_ms, std::string_view address);
  // The user's unexpired tokens, the most recently used first.
  std::vector<session_summary> sessions_of(std::int64_t user_id, std::int64_t now_ms);
  // Deletes every token of the user but `keep` (empty: all of them).
  void revoke_all_of(std::int64_t user_id, std::string_view keep = {});
  // The owner of an unexpired, unrevoked token.
  std::optional<token_owner> find_valid(std::string_view token_digest, std::int64_t now_ms);
  // true when a token was removed.
  bool revoke(std::string_view token_digest);
  int purge_expired(std::int64_t now_ms);

 private:
  SQLite::Statement insert_;
  SQLite::Statement touch_;
  SQLite::Statement sessions_;
  SQLite::Statement revoke_all_;
  SQLite::Statement find_;
  SQLite::Statement delete_;
  SQLite::Statement purge_;
};

}  // namespace chatterbox
