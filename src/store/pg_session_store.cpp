#include "chatterbox/store/pg_session_store.hpp"

#include "chatterbox/postgres/pg_values.hpp"

#include "pg_answers.hpp"

#include <stdexcept>
#include <string_view>
#include <utility>

namespace chatterbox {
namespace {

using pg_answers::answer_rows;
using pg_answers::pg_row;

constexpr auto find_user_sql =
    "SELECT u.id, u.username, u.password_hash, u.role, u.deactivated_at IS NOT NULL "
    "FROM users u WHERE lower(u.username) = lower($1)";
constexpr auto refusal_sql = "SELECT chatterbox_registration_refusal($1, $2, false)";
constexpr auto registration_sql =
    "SELECT (SELECT s.value FROM settings s WHERE s.key = 'registration'), i.code, i.expires_at, "
    "i.max_uses, i.uses, i.revoked_at IS NOT NULL "
    "FROM (SELECT 1) one LEFT JOIN invitations i ON i.code = $1";
constexpr auto create_account_sql =
    "SELECT outcome, account_id, account_name, account_role, account_seq "
    "FROM chatterbox_create_account($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr auto store_token_sql =
    "INSERT INTO tokens (token_hash, user_id, created_at, expires_at, user_agent, address, "
    "last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $3)";
// A revoked token is simply absent; a deactivated user's are refused should one remain.
constexpr auto find_token_sql =
    "SELECT t.user_id, u.username, t.expires_at, u.role = 'admin' FROM tokens t "
    "JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.expires_at > $2 "
    "AND u.deactivated_at IS NULL";
// As on SQLite: within a minute from the same address nothing is written (several nodes'
// touches of one token in one instant would otherwise queue on its row, or deadlock).
constexpr auto touch_token_sql =
    "UPDATE tokens SET last_seen_at = $2::bigint, address = $3 WHERE token_hash = $1 "
    "AND (last_seen_at IS NULL OR last_seen_at < $2::bigint - 60000 "
    "OR address IS DISTINCT FROM $3)";
constexpr auto revoke_token_sql = "DELETE FROM tokens WHERE token_hash = $1";
constexpr auto sessions_sql =
    "SELECT token_hash, user_agent, address, created_at, "
    "coalesce(last_seen_at, created_at) AS seen FROM tokens "
    "WHERE user_id = $1 AND expires_at > $2 ORDER BY seen DESC";
// One statement, so one transaction whichever batch it lands in.
constexpr auto set_password_sql =
    "WITH changed AS (UPDATE users SET password_hash = $2 WHERE id = $1) "
    "DELETE FROM tokens WHERE user_id = $1 AND token_hash <> $3";

std::optional<registration_refusal> refusal_named(const std::optional<std::string>& word) {
  if (!word) return std::nullopt;
  if (*word == "closed") return registration_refusal::closed;
  if (*word == "invitation_required") return registration_refusal::invitation_required;
  if (*word == "invitation_invalid") return registration_refusal::invitation_invalid;
  throw std::runtime_error("unknown registration refusal: " + *word);
}

}  // namespace

pg_session_store::pg_session_store(pg_batcher& writes) : writes_(writes) {}

void pg_session_store::find_user(std::string username, answer<std::optional<user_record>> then) {
  writes_.submit(find_user_sql, {std::move(username)},
                 answer_rows<std::optional<user_record>>(
                     "find user", std::move(then),
                     [](std::optional<user_record>& user, const pg_result& rows) {
                       if (rows.rows.empty()) return;
                       const auto& row = rows.rows.front();
                       user = user_record{pg_values::integer(row.at(0)), row.at(1).value(),
                                          row.at(2).value(), row.at(3) == "admin",
                                          pg_values::boolean(row.at(4))};
                     }));
}

void pg_session_store::registration(std::optional<std::string> invite, std::int64_t now_ms,
                                    answer<registration_state> then) {
  const bool asked = invite.has_value();
  writes_.submit(
      registration_sql, {std::move(invite)},
      answer_rows<registration_state>(
          "registration", std::move(then),
          [asked, now_ms](registration_state& state, const pg_result& rows) {
            const auto& row = rows.rows.at(0);
            state.mode = parse_registration_mode(row.at(0).value_or("open"))
                             .value_or(registration_mode::open);
            if (!asked) return;
            std::optional<invitation> found;
            if (row.at(1)) {
              found = invitation{*row.at(1), std::nullopt, 0, pg_values::integer(row.at(2)),
                                 row.at(3) ? std::optional<int>(pg_values::integer(row.at(3)))
                                           : std::nullopt,
                                 static_cast<int>(pg_values::integer(row.at(4))),
                                 pg_values::boolean(row.at(5))};
            }
            state.invitation = status_of(found, now_ms);
          }));
}

void pg_session_store::registration_refused(std::optional<std::string> invite, std::int64_t now_ms,
                                            answer<std::optional<registration_refusal>> then) {
  writes_.submit(refusal_sql, {std::move(invite), std::to_string(now_ms)},
                 answer_rows<std::optional<registration_refusal>>(
                     "registration check", std::move(then),
                     [](std::optional<registration_refusal>& refused, const pg_result& rows) {
                       refused = refusal_named(rows.rows.at(0).at(0));
                     }));
}

void pg_session_store::create_account(new_account account, answer<account_creation> then) {
  auto& token = account.token;
  pg_connection::parameters params{
      std::move(account.username),        std::move(account.password_hash),
      std::move(account.invite),          std::move(token.digest),
      std::to_string(token.created_at),   std::to_string(token.expires_at),
      std::move(token.origin.user_agent), std::move(token.origin.address)};
  writes_.submit(
      create_account_sql, std::move(params),
      answer_rows<account_creation>(
          "create account", std::move(then), [](account_creation& result, const pg_result& rows) {
            const auto& row = rows.rows.at(0);
            const auto& outcome = row.at(0).value();
            if (outcome == "taken") return;
            if (outcome != "created") {
              result.refused = refusal_named(outcome);
              return;
            }
            result.user = user_record{
                pg_values::integer(row.at(1)), row.at(2).value(), {}, row.at(3) == "admin", false};
            result.seq = pg_values::integer(row.at(4));
          }));
}

void pg_session_store::store_token(new_token token, answer<bool> then) {
  pg_connection::parameters params{std::move(token.digest),
                                   std::to_string(token.user_id),
                                   std::to_string(token.created_at),
                                   std::to_string(token.expires_at),
                                   std::move(token.origin.user_agent),
                                   std::move(token.origin.address)};
  writes_.submit(store_token_sql, std::move(params),
                 answer_rows<bool>("store token", std::move(then),
                                   [](bool& stored, const pg_result&) { stored = true; }));
}

void pg_session_store::find_token(std::string digest, std::int64_t now_ms,
                                  answer<std::optional<token_owner>> then) {
  writes_.submit(find_token_sql, {std::move(digest), std::to_string(now_ms)},
                 answer_rows<std::optional<token_owner>>(
                     "find token", std::move(then),
                     [](std::optional<token_owner>& owner, const pg_result& rows) {
                       if (rows.rows.empty()) return;
                       const auto& row = rows.rows.front();
                       owner = token_owner{pg_values::integer(row.at(0)), row.at(1).value(),
                                           pg_values::integer(row.at(2)),
                                           pg_values::boolean(row.at(3))};
                     }));
}

void pg_session_store::touch_token(std::string digest, std::int64_t now_ms, std::string address) {
  // A failed write only leaves "last seen" older.
  writes_.submit(touch_token_sql, {std::move(digest), std::to_string(now_ms), std::move(address)},
                 [](const pg_result*) {});
}

void pg_session_store::revoke_token(std::string digest, answer<bool> then) {
  writes_.submit(
      revoke_token_sql, {std::move(digest)},
      answer_rows<bool>("revoke token", std::move(then),
                        [](bool& removed, const pg_result& rows) { removed = rows.affected > 0; }));
}

void pg_session_store::sessions_of(std::int64_t user_id, std::int64_t now_ms,
                                   answer<std::vector<session_summary>> then) {
  writes_.submit(sessions_sql, {std::to_string(user_id), std::to_string(now_ms)},
                 answer_rows<std::vector<session_summary>>(
                     "sessions", std::move(then),
                     [](std::vector<session_summary>& out, const pg_result& rows) {
                       for (const auto& row : rows.rows) {
                         out.push_back(session_summary{
                             row.at(0).value(), row.at(1).value_or(""), row.at(2).value_or(""),
                             pg_values::integer(row.at(3)), pg_values::integer(row.at(4))});
                       }
                     }));
}

void pg_session_store::set_password(std::int64_t user_id, std::string password_hash,
                                    std::string keep, answer<bool> then) {
  writes_.submit(set_password_sql,
                 {std::to_string(user_id), std::move(password_hash), std::move(keep)},
                 answer_rows<bool>("set password", std::move(then),
                                   [](bool& stored, const pg_result&) { stored = true; }));
}

}  // namespace chatterbox
