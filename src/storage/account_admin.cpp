#include "chatterbox/storage/account_admin.hpp"

#include "statement_scope.hpp"

namespace chatterbox {
namespace {

constexpr auto summary_columns =
    "SELECT u.id, u.username, u.role = 'admin', u.deactivated_at IS NOT NULL, u.created_at, "
    "(SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.expires_at > :now) FROM users u ";

account_summary read_summary(SQLite::Statement& row) {
  return account_summary{row.getColumn(0).getInt64(), row.getColumn(1).getString(),
                         row.getColumn(2).getInt() != 0, row.getColumn(3).getInt() != 0,
                         row.getColumn(4).getInt64(), row.getColumn(5).getInt()};
}

}  // namespace

account_admin::account_admin(SQLite::Database& db)
    : list_(db, std::string(summary_columns) + "ORDER BY u.id"),
      // username carries COLLATE NOCASE: names ignore case, as logins do.
      find_(db, std::string(summary_columns) + "WHERE u.username = :name"),
      set_role_(db, "UPDATE users SET role = ? WHERE id = ?"),
      set_deactivated_(db, "UPDATE users SET deactivated_at = ? WHERE id = ?"),
      set_password_(db, "UPDATE users SET password_hash = ? WHERE id = ?"),
      end_sessions_(db, "DELETE FROM tokens WHERE user_id = ?"),
      active_admins_(db, "SELECT count(*) FROM users WHERE role = 'admin' AND deactivated_at IS NULL"),
      record_(db, "INSERT INTO admin_audit (at, admin_id, action, user_id) VALUES (?, ?, ?, ?)"),
      audit_(db,
             "SELECT a.at, b.username, a.action, u.username FROM admin_audit a "
             "LEFT JOIN users b ON b.id = a.admin_id JOIN users u ON u.id = a.user_id "
             "ORDER BY a.id DESC LIMIT ?") {}

std::vector<account_summary> account_admin::list(std::int64_t now_ms) {
  statement_scope s(list_);
  s->bind(":now", now_ms);
  std::vector<account_summary> out;
  while (s->executeStep()) out.push_back(read_summary(*s));
  return out;
}

std::optional<account_summary> account_admin::find(std::string_view username,
                                                   std::int64_t now_ms) {
  statement_scope s(find_);
  s->bind(":now", now_ms);
  s->bind(":name", std::string(username));
  if (!s->executeStep()) return std::nullopt;
  return read_summary(*s);
}

int account_admin::active_admins() {
  statement_scope s(active_admins_);
  s->executeStep();
  return s->getColumn(0).getInt();
}

void account_admin::end_sessions(std::int64_t user_id) {
  statement_scope s(end_sessions_);
  s.bind(1, user_id);
  s->exec();
}

void account_admin::record(std::optional<std::int64_t> by, std::string_view action,
                           std::int64_t user_id, std::int64_t now_ms) {
  statement_scope s(record_);
  s.bind(1, now_ms);
  if (by) s.bind(2, *by);  // else NULL: bindings are cleared after each use
  s.bind(3, std::string(action));
  s.bind(4, user_id);
  s->exec();
}

account_change_result account_admin::set_admin(std::string_view username, bool admin,
                                               std::optional<std::int64_t> by,
                                               std::int64_t now_ms) {
  const auto user = find(username, now_ms);
  if (!user) return {};
  account_change_result result{account_change::done, user->id};
  if (user->admin == admin) {
    result.outcome = account_change::unchanged;
  } else if (!admin && by == user->id) {
    result.outcome = account_change::self;
  } else if (!admin && !user->deactivated && active_admins() <= 1) {
    result.outcome = account_change::last_admin;
  } else {
    statement_scope s(set_role_);
    s.bind(1, admin ? "admin" : "member");
    s.bind(2, user->id);
    s->exec();
    record(by, admin ? "promote" : "demote", user->id, now_ms);
  }
  return result;
}

account_change_result account_admin::set_deactivated(std::string_view username, bool deactivated,
                                                     std::optional<std::int64_t> by,
                                                     std::int64_t now_ms) {
  const auto user = find(username, now_ms);
  if (!user) return {};
  account_change_result result{account_change::done, user->id};
  if (user->deactivated == deactivated) {
    result.outcome = account_change::unchanged;
  } else if (deactivated && by == user->id) {
    result.outcome = account_change::self;
  } else if (deactivated && user->admin && active_admins() <= 1) {
    result.outcome = account_change::last_admin;
  } else {
    statement_scope s(set_deactivated_);
    if (deactivated) s.bind(1, now_ms);  // else NULL
    s.bind(2, user->id);
    s->exec();
    if (deactivated) end_sessions(user->id);
    record(by, deactivated ? "deactivate" : "reactivate", user->id, now_ms);
  }
  return result;
}

account_change_result account_admin::replace_password(std::string_view username,
                                                      std::string_view password_hash,
                                                      std::optional<std::int64_t> by,
                                                      std::int64_t now_ms) {
  const auto user = find(username, now_ms);
  if (!user) return {};
  statement_scope s(set_password_);
  s.bind(1, std::string(password_hash));
  s.bind(2, user->id);
  s->exec();
  end_sessions(user->id);
  record(by, "reset_password", user->id, now_ms);
  return {account_change::done, user->id};
}

std::vector<audit_entry> account_admin::audit(int limit) {
  statement_scope s(audit_);
  s.bind(1, limit);
  std::vector<audit_entry> out;
  while (s->executeStep()) {
    audit_entry entry;
    entry.at = s->getColumn(0).getInt64();
    if (!s->getColumn(1).isNull()) entry.admin = s->getColumn(1).getString();
    entry.action = s->getColumn(2).getString();
    entry.user = s->getColumn(3).getString();
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace chatterbox
