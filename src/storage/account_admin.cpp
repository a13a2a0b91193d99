#include "chatterbox/storage/account_admin.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <optional>

namespace chatterbox {
namespace {

std::optional<std::pair<std::int64_t, bool>> find_user(SQLite::Database& db,
                                                       std::string_view username) {
  SQLite::Statement find(db, "SELECT id, role = 'admin' FROM users WHERE username = ?");
  find.bind(1, std::string(username));
  if (!find.executeStep()) return std::nullopt;
  return std::pair{find.getColumn(0).getInt64(), find.getColumn(1).getInt() != 0};
}

}  // namespace

account_admin::account_admin(SQLite::Database& db) : db_(db) {}

std::vector<account_summary> account_admin::list(std::int64_t now_ms) {
  SQLite::Statement rows(db_,
                         "SELECT u.username, u.role = 'admin', u.created_at, "
                         "(SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.expires_at > ?) "
                         "FROM users u ORDER BY u.id");
  rows.bind(1, now_ms);
  std::vector<account_summary> out;
  while (rows.executeStep()) {
    out.push_back(account_summary{rows.getColumn(0).getString(), rows.getColumn(1).getInt() != 0,
                                  rows.getColumn(2).getInt64(), rows.getColumn(3).getInt()});
  }
  return out;
}

role_change account_admin::set_admin(std::string_view username, bool admin) {
  // IMMEDIATE: the count of administrators and the change are one decision, even against a
  // server (or another operator) changing roles at the same time.
  SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto user = find_user(db_, username);
  if (!user) return role_change::no_such_user;
  if (user->second == admin) return role_change::unchanged;
  if (!admin && db_.execAndGet("SELECT count(*) FROM users WHERE role = 'admin'").getInt() <= 1) {
    return role_change::last_admin;
  }
  SQLite::Statement update(db_, "UPDATE users SET role = ? WHERE id = ?");
  update.bind(1, admin ? "admin" : "member");
  update.bind(2, user->first);
  update.exec();
  transaction.commit();
  return role_change::done;
}

bool account_admin::replace_password(std::string_view username, std::string_view password_hash) {
  SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto user = find_user(db_, username);
  if (!user) return false;
  SQLite::Statement update(db_, "UPDATE users SET password_hash = ? WHERE id = ?");
  update.bind(1, std::string(password_hash));
  update.bind(2, user->first);
  update.exec();
  SQLite::Statement end_sessions(db_, "DELETE FROM tokens WHERE user_id = ?");
  end_sessions.bind(1, user->first);
  end_sessions.exec();
  transaction.commit();
  return true;
}

}  // namespace chatterbox
