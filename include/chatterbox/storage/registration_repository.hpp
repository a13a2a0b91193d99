#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// Who may create an account (docs/protocol.md, "Registration").
enum class registration_mode { open, invitation, closed };
std::string_view to_string(registration_mode mode);
std::optional<registration_mode> parse_registration_mode(std::string_view text);

struct invitation {
  std::string code;
  std::optional<std::string> created_by;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<int> max_uses;  // nullopt: no limit
  int uses = 0;
  bool revoked = false;
};

enum class invitation_status { valid, expired, used_up, revoked, unknown };
std::string_view to_string(invitation_status status);
// What `found` (nullopt: no such code) is worth at `now_ms`.
invitation_status status_of(const std::optional<invitation>& found, std::int64_t now_ms);

// The registration setting and the invitation links. Writes run inside the caller's
// transaction (the group commit): an account and the use of its invitation are one.
class registration_repository {
 public:
  explicit registration_repository(SQLite::Database& db);

  registration_mode mode();
  void set_mode(registration_mode mode);

  invitation create(std::string code, std::int64_t by, std::int64_t now_ms,
                    std::int64_t expires_at_ms, std::optional<int> max_uses);
  std::vector<invitation> newest(int limit);
  std::optional<invitation> find(std::string_view code);
  invitation_status status(std::string_view code, std::int64_t now_ms);
  // false: no such invitation.
  bool revoke(std::string_view code, std::int64_t now_ms);
  // Counts one use if the invitation is valid now; otherwise says why it is not.
  invitation_status use(std::string_view code, std::int64_t now_ms);

 private:
  SQLite::Statement get_mode_;
  SQLite::Statement set_mode_;
  SQLite::Statement insert_;
  SQLite::Statement newest_;
  SQLite::Statement find_;
  SQLite::Statement revoke_;
  SQLite::Statement count_use_;
};

}  // namespace chatterbox
