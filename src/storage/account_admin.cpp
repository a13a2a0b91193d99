#include "chatterbox/storage/account_admin.hpp"

#include "statement_scope.hpp"

namespace chatterbox {
namespace {

constexpr auto summary_columns =
    "SELECT u.id, u.username, u.role = 'admin', u.deactivated_at IS NOT NULL, u.created_at, "
    "(SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.expires_at > :now) FROM users u ";

// (Appended, not `std::string + …`: GCC 12 warns falsely about the temporary's bounds.)
std::string summary_query(std::string_view tail) {
  std::string query(summary_columns);
  query.append(tail);
  return query;
}

account_summary read_summary(SQLite::Statement& row) {
  return account_summary{row.getColumn(0).getInt64(), row.getColumn(1).getString(),
                         row.getColumn(2).getInt() != 0, row.getColumn(3).getInt() != 0,
                         row.getColumn(4).getInt64(), row.getColumn(5).getInt()};
}

}  // namespace

account_admin::account_admin(SQLite::Database& db)
    : list_(db, summary_query("ORDER BY u.id")),
      // username carries COLLATE NOCASE: names ignore case, as logins do.
      find_(db, summary_query("WHERE u.username = :name")),
      set_role_(db, "UPDATE users SET role = ? WHERE id = ?"),
      set_deactivated_(db, "UPDATE users SET deactivated_at = ? WHERE id = ?"),
      set_password_(db, "UPDATE users SET password_hash = ? WHERE id = ?"),
      end_sessions_(db, "DELETE FROM tokens WHERE user_id = ?"),
      active_admins_(db, "SELECT count(*) FROM users WHERE role = 'admin' AND deactivated_at IS NULL"),
      audit_(db) {}

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

std::optional<account_change> account_admin::removal_refused(const account_summary& user,
                                                            std::optional<std::int64_t> by) {
  if (by == user.id) return account_change::self;
  // Only an active administrator counts: taking one away must leave another.
  if (user.admin && !user.deactivated && active_admins() <= 1) return account_change::last_admin;
  return std::nullopt;
}

void account_admin::end_sessions(std::int64_t user_id) {
  statement_scope s(end_sessions_);
  s.bind(1, user_id);
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
  } else if (auto refused = !admin ? removal_refused(*user, by) : std::nullopt) {
    result.outcome = *refused;
  } else {
    statement_scope s(set_role_);
    s.bind(1, admin ? "admin" : "member");
    s.bind(2, user->id);
    s->exec();
    audit_.record(by, admin ? "promote" : "demote", user->id, "", now_ms);
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
  } else if (auto refused = deactivated ? removal_refused(*user, by) : std::nullopt) {
    result.outcome = *refused;
  } else {
    statement_scope s(set_deactivated_);
    if (deactivated) s.bind(1, now_ms);  // else NULL
    s.bind(2, user->id);
    s->exec();
    if (deactivated) end_sessions(user->id);
    audit_.record(by, deactivated ? "deactivate" : "reactivate", user->id, "", now_ms);
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
  audit_.record(by, "reset_password", user->id, "", now_ms);
  return {account_change::done, user->id};
}

}  // namespace chatterbox
