#include "chatterbox/store/pg_admin_store.hpp"

#include "chatterbox/postgres/pg_values.hpp"

#include "pg_answers.hpp"

#include <stdexcept>
#include <utility>

namespace chatterbox {
namespace {

using pg_answers::answer_rows;
using pg_answers::pg_row;
using pg_values::boolean;
using pg_values::integer;

constexpr auto account_list_sql =
    "SELECT s.* FROM users u, chatterbox_account_summary(u.id, $1) s ORDER BY u.id";
constexpr auto audit_sql =
    "SELECT a.at, b.username, a.action, u.username, a.detail FROM admin_audit a "
    "LEFT JOIN users b ON b.id = a.admin_id LEFT JOIN users u ON u.id = a.user_id "
    "ORDER BY a.id DESC LIMIT $1";
constexpr auto change_account_sql = "SELECT * FROM chatterbox_change_account($1, $2, $3, $4)";
// A user has at most one link: a new one replaces the last.
constexpr auto create_reset_sql =
    "WITH target AS (SELECT id FROM users WHERE lower(username) = lower($1)), "
    "link AS (INSERT INTO password_resets (code_hash, user_id, expires_at) "
    "  SELECT $2, id, $3 FROM target ON CONFLICT (user_id) "
    "  DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at), "
    "logged AS (INSERT INTO admin_audit (at, admin_id, action, user_id, detail) "
    "  SELECT $5, $4, 'reset_link', id, '' FROM target) "
    "SELECT id FROM target";
constexpr auto set_registration_sql =
    "WITH before AS (SELECT coalesce((SELECT value FROM settings WHERE key = 'registration'), "
    "  'open') AS mode), "
    "changed AS (INSERT INTO settings (key, value) VALUES ('registration', $1) "
    "  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value), "
    "logged AS (INSERT INTO admin_audit (at, admin_id, action, user_id, detail) "
    "  SELECT $3, $2, 'registration', NULL, $1 FROM before WHERE before.mode <> $1) "
    "SELECT 1";
constexpr auto invitations_sql =
    "SELECT i.code, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, "
    "i.revoked_at IS NOT NULL FROM invitations i LEFT JOIN users u ON u.id = i.created_by "
    "ORDER BY i.created_at DESC LIMIT $1";
// The audit log names an invitation by the start of its code: enough to tell which, not
// enough to use it.
constexpr auto invite_sql =
    "WITH i AS (INSERT INTO invitations (code, created_by, created_at, expires_at, max_uses) "
    "  VALUES ($1, $2, $3, $4, $5) RETURNING *), "
    "logged AS (INSERT INTO admin_audit (at, admin_id, action, user_id, detail) "
    "  VALUES ($3, $2, 'invite', NULL, left($1, 8))) "
    "SELECT i.code, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, false "
    "FROM i LEFT JOIN users u ON u.id = i.created_by";
// Revoking twice logs once.
constexpr auto revoke_invitation_sql =
    "WITH i AS (SELECT * FROM invitations WHERE code = $1 FOR UPDATE), "
    "revoked AS (UPDATE invitations SET revoked_at = $3 WHERE code = $1 AND revoked_at IS NULL "
    "  RETURNING code), "
    "logged AS (INSERT INTO admin_audit (at, admin_id, action, user_id, detail) "
    "  SELECT $3, $2, 'revoke_invitation', NULL, left($1, 8) FROM revoked) "
    "SELECT i.code, u.username, i.created_at, i.expires_at, i.max_uses, i.uses, true "
    "FROM i LEFT JOIN users u ON u.id = i.created_by";
constexpr auto find_reset_sql =
    "SELECT r.user_id, u.username, r.expires_at, u.deactivated_at IS NOT NULL "
    "FROM password_resets r JOIN users u ON u.id = r.user_id "
    "WHERE r.code_hash = $1 AND r.expires_at > $2";
constexpr auto use_reset_sql = "SELECT * FROM chatterbox_use_reset($1, $2, $3, $4, $5, $6, $7)";

std::string_view action_word(account_action action) {
  switch (action) {
    case account_action::promote:
      return "promote";
    case account_action::demote:
      return "demote";
    case account_action::deactivate:
      return "deactivate";
    case account_action::reactivate:
      return "reactivate";
  }
  return "";
}

account_change change_named(const std::string& word) {
  if (word == "done") return account_change::done;
  if (word == "unchanged") return account_change::unchanged;
  if (word == "no_such_user") return account_change::no_such_user;
  if (word == "last_admin") return account_change::last_admin;
  if (word == "self") return account_change::self;
  throw std::runtime_error("unknown account change: " + word);
}

// Columns from `at`: id, username, admin, deactivated, created_at, sessions.
account_summary summary_at(const pg_row& row, std::size_t at) {
  return account_summary{integer(row.at(at)),     row.at(at + 1).value(),
                         boolean(row.at(at + 2)), boolean(row.at(at + 3)),
                         integer(row.at(at + 4)), static_cast<int>(integer(row.at(at + 5)))};
}

invitation read_invitation(const pg_row& row) {
  invitation i;
  i.code = row.at(0).value();
  i.created_by = row.at(1);
  i.created_at = integer(row.at(2));
  i.expires_at = integer(row.at(3));
  if (row.at(4)) i.max_uses = static_cast<int>(integer(row.at(4)));
  i.uses = static_cast<int>(integer(row.at(5)));
  i.revoked = boolean(row.at(6));
  return i;
}

}  // namespace

void pg_admin_store::users(std::int64_t now_ms, answer<std::vector<account_summary>> then) {
  writes_.submit(account_list_sql, {std::to_string(now_ms)},
                 answer_rows<std::vector<account_summary>>(
                     "list users", std::move(then),
                     [](std::vector<account_summary>& out, const pg_result& rows) {
                       for (const auto& row : rows.rows) out.push_back(summary_at(row, 0));
                     }));
}

void pg_admin_store::audit(int limit, answer<std::vector<audit_entry>> then) {
  writes_.submit(
      audit_sql, {std::to_string(limit)},
      answer_rows<std::vector<audit_entry>>(
          "audit log", std::move(then), [](std::vector<audit_entry>& out, const pg_result& rows) {
            for (const auto& row : rows.rows) {
              out.push_back(audit_entry{integer(row.at(0)), row.at(1), row.at(2).value(), row.at(3),
                                        row.at(4).value_or("")});
            }
          }));
}

void pg_admin_store::change_account(std::string username, account_action action, std::int64_t by,
                                    std::int64_t now_ms, answer<account_outcome> then) {
  writes_.submit(
      change_account_sql,
      {std::move(username), std::string(action_word(action)), std::to_string(by),
       std::to_string(now_ms)},
      answer_rows<account_outcome>("change account", std::move(then),
                                   [](account_outcome& out, const pg_result& rows) {
                                     const auto& row = rows.rows.at(0);
                                     out.result.outcome = change_named(row.at(0).value());
                                     if (out.result.outcome == account_change::no_such_user) return;
                                     out.user = summary_at(row, 1);
                                     out.result.user_id = out.user->id;
                                   }));
}

void pg_admin_store::create_reset(std::string username, std::string code_digest,
                                  std::int64_t expires_at_ms, std::int64_t by, std::int64_t now_ms,
                                  answer<bool> then) {
  writes_.submit(
      create_reset_sql,
      {std::move(username), std::move(code_digest), std::to_string(expires_at_ms),
       std::to_string(by), std::to_string(now_ms)},
      answer_rows<bool>("reset link", std::move(then),
                        [](bool& found, const pg_result& rows) { found = !rows.rows.empty(); }));
}

void pg_admin_store::set_registration(registration_mode mode, std::int64_t by, std::int64_t now_ms,
                                      answer<bool> then) {
  writes_.submit(set_registration_sql,
                 {std::string(to_string(mode)), std::to_string(by), std::to_string(now_ms)},
                 answer_rows<bool>("registration", std::move(then),
                                   [](bool& stored, const pg_result&) { stored = true; }));
}

void pg_admin_store::invitations(int limit, answer<std::vector<invitation>> then) {
  writes_.submit(
      invitations_sql, {std::to_string(limit)},
      answer_rows<std::vector<invitation>>("invitations", std::move(then),
                                           [](std::vector<invitation>& out, const pg_result& rows) {
                                             for (const auto& row : rows.rows)
                                               out.push_back(read_invitation(row));
                                           }));
}

void pg_admin_store::invite(std::string code, std::int64_t by, std::int64_t now_ms,
                            std::int64_t expires_at_ms, std::optional<int> max_uses,
                            answer<invitation> then) {
  writes_.submit(
      invite_sql,
      {std::move(code), std::to_string(by), std::to_string(now_ms), std::to_string(expires_at_ms),
       max_uses ? std::optional<std::string>(std::to_string(*max_uses)) : std::nullopt},
      answer_rows<invitation>("invite", std::move(then),
                              [](invitation& created, const pg_result& rows) {
                                created = read_invitation(rows.rows.at(0));
                              }));
}

void pg_admin_store::revoke_invitation(std::string code, std::int64_t by, std::int64_t now_ms,
                                       answer<std::optional<invitation>> then) {
  writes_.submit(revoke_invitation_sql,
                 {std::move(code), std::to_string(by), std::to_string(now_ms)},
                 answer_rows<std::optional<invitation>>(
                     "revoke invitation", std::move(then),
                     [](std::optional<invitation>& after, const pg_result& rows) {
                       if (!rows.rows.empty()) after = read_invitation(rows.rows.front());
                     }));
}

void pg_admin_store::find_reset(std::string code_digest, std::int64_t now_ms,
                                answer<std::optional<reset_target>> then) {
  writes_.submit(find_reset_sql, {std::move(code_digest), std::to_string(now_ms)},
                 answer_rows<std::optional<reset_target>>(
                     "find reset link", std::move(then),
                     [](std::optional<reset_target>& target, const pg_result& rows) {
                       if (rows.rows.empty()) return;
                       const auto& row = rows.rows.front();
                       target = reset_target{integer(row.at(0)), row.at(1).value(),
                                             integer(row.at(2)), boolean(row.at(3))};
                     }));
}

void pg_admin_store::use_reset(std::string code_digest, std::string password_hash, new_token token,
                               answer<reset_use> then) {
  writes_.submit(use_reset_sql,
                 {std::move(code_digest), password_hash, std::move(token.digest),
                  std::to_string(token.created_at), std::to_string(token.expires_at),
                  std::move(token.origin.user_agent), std::move(token.origin.address)},
                 answer_rows<reset_use>("use reset link", std::move(then),
                                        [password_hash](reset_use& used, const pg_result& rows) {
                                          const auto& row = rows.rows.at(0);
                                          const auto outcome = row.at(0).value();
                                          if (outcome == "deactivated") used.deactivated = true;
                                          if (outcome != "done") return;
                                          used.user = user_record{integer(row.at(1)),
                                                                  row.at(2).value(), password_hash,
                                                                  row.at(3) == "admin", false};
                                        }));
}

}  // namespace chatterbox
