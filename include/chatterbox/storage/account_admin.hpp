#pragma once

#include "chatterbox/storage/audit_log.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct account_summary {
  std::int64_t id = 0;
  std::string username;
  bool admin = false;
  bool deactivated = false;
  std::int64_t created_at = 0;  // epoch ms
  int sessions = 0;             // unexpired logins
};

enum class account_change { done, unchanged, no_such_user, last_admin, self };

struct account_change_result {
  account_change outcome = account_change::no_such_user;
  std::int64_t user_id = 0;  // set unless no_such_user
};

// What administrators do to accounts (docs/protocol.md, "Administration"; docs/operations.md):
// through the HTTP API inside the server's group commit, or with `chatterbox admin` on the
// file. No method opens a transaction: the caller runs each in one (write_batcher's, or its
// own BEGIN IMMEDIATE), so a check and its change are one decision, and the audit entry is
// written with the change. `by`: the administrator's id, nullopt for the command line.
class account_admin {
 public:
  explicit account_admin(SQLite::Database& db);

  std::vector<account_summary> list(std::int64_t now_ms);
  std::optional<account_summary> find(std::string_view username, std::int64_t now_ms);
  // Never leaves no active administrator; an administrator does not demote themself.
  account_change_result set_admin(std::string_view username, bool admin,
                                  std::optional<std::int64_t> by, std::int64_t now_ms);
  // Deactivating also deletes every token of the user (their logins end).
  account_change_result set_deactivated(std::string_view username, bool deactivated,
                                        std::optional<std::int64_t> by, std::int64_t now_ms);
  // Replaces the password hash and ends every session of the user.
  account_change_result replace_password(std::string_view username, std::string_view password_hash,
                                         std::optional<std::int64_t> by, std::int64_t now_ms);

 private:
  // Demoting or deactivating `user`: an administrator does not do it to themself, and the last
  // active administrator stays one.
  std::optional<account_change> removal_refused(const account_summary& user,
                                                std::optional<std::int64_t> by);
  int active_admins();
  void end_sessions(std::int64_t user_id);

  SQLite::Statement list_;
  SQLite::Statement find_;
  SQLite::Statement set_role_;
  SQLite::Statement set_deactivated_;
  SQLite::Statement set_password_;
  SQLite::Statement end_sessions_;
  SQLite::Statement active_admins_;
  audit_log audit_;
};

}  // namespace chatterbox
