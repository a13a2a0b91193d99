#include "chatterbox/store/sqlite_admin_store.hpp"

#include "sqlite_answers.hpp"

#include <utility>

namespace chatterbox {
namespace {

// The audit log names an invitation by the start of its code: enough to tell which, not
// enough to use it.
std::string invitation_prefix(const std::string& code) { return code.substr(0, 8); }

}  // namespace

using sqlite_answers::read_now;
using sqlite_answers::write_then;

void sqlite_admin_store::users(std::int64_t now_ms, answer<std::vector<account_summary>> then) {
  read_now<std::vector<account_summary>>("list users", then,
                                         [&] { return r_.accounts.list(now_ms); });
}

void sqlite_admin_store::audit(int limit, answer<std::vector<audit_entry>> then) {
  read_now<std::vector<audit_entry>>("audit log", then, [&] { return r_.audit.recent(limit); });
}

void sqlite_admin_store::change_account(std::string username, account_action action,
                                        std::int64_t by, std::int64_t now_ms,
                                        answer<account_outcome> then) {
  write_then<account_outcome>(
      writes_,
      [this, username = std::move(username), action, by, now_ms](account_outcome& out) {
        switch (action) {
          case account_action::promote:
          case account_action::demote:
            out.result =
                r_.accounts.set_admin(username, action == account_action::promote, by, now_ms);
            break;
          case account_action::deactivate:
          case account_action::reactivate:
            out.result = r_.accounts.set_deactivated(username, action == account_action::deactivate,
                                                     by, now_ms);
            break;
        }
        out.user = r_.accounts.find(username, now_ms);
      },
      std::move(then));
}

void sqlite_admin_store::create_reset(std::string username, std::string code_digest,
                                      std::int64_t expires_at_ms, std::int64_t by,
                                      std::int64_t now_ms, answer<bool> then) {
  write_then<bool>(
      writes_,
      [this, username = std::move(username), code_digest = std::move(code_digest), expires_at_ms,
       by, now_ms](bool& found) {
        const auto user = r_.accounts.find(username, now_ms);
        if (!user) return;
        found = true;
        r_.resets.create(code_digest, user->id, expires_at_ms);
        r_.audit.record(by, "reset_link", user->id, "", now_ms);
      },
      std::move(then));
}

void sqlite_admin_store::set_registration(registration_mode mode, std::int64_t by,
                                          std::int64_t now_ms, answer<bool> then) {
  write_then<bool>(
      writes_,
      [this, mode, by, now_ms](bool& stored) {
        stored = true;
        if (r_.registration.mode() == mode) return;  // unchanged: not logged
        r_.registration.set_mode(mode);
        r_.audit.record(by, "registration", std::nullopt, to_string(mode), now_ms);
      },
      std::move(then));
}

void sqlite_admin_store::invitations(int limit, answer<std::vector<invitation>> then) {
  read_now<std::vector<invitation>>("invitations", then,
                                    [&] { return r_.registration.newest(limit); });
}

void sqlite_admin_store::invite(std::string code, std::int64_t by, std::int64_t now_ms,
                                std::int64_t expires_at_ms, std::optional<int> max_uses,
                                answer<invitation> then) {
  write_then<invitation>(
      writes_,
      [this, code = std::move(code), by, now_ms, expires_at_ms, max_uses](invitation& created) {
        created = r_.registration.create(code, by, now_ms, expires_at_ms, max_uses);
        r_.audit.record(by, "invite", std::nullopt, invitation_prefix(code), now_ms);
      },
      std::move(then));
}

void sqlite_admin_store::revoke_invitation(std::string code, std::int64_t by, std::int64_t now_ms,
                                           answer<std::optional<invitation>> then) {
  write_then<std::optional<invitation>>(
      writes_,
      [this, code = std::move(code), by, now_ms](std::optional<invitation>& after) {
        const auto before = r_.registration.find(code);
        if (!before) return;
        if (!before->revoked) {
          r_.registration.revoke(code, now_ms);
          r_.audit.record(by, "revoke_invitation", std::nullopt, invitation_prefix(code), now_ms);
        }
        after = r_.registration.find(code);
      },
      std::move(then));
}

void sqlite_admin_store::find_reset(std::string code_digest, std::int64_t now_ms,
                                    answer<std::optional<reset_target>> then) {
  read_now<std::optional<reset_target>>("find reset link", then,
                                        [&] { return r_.resets.find_valid(code_digest, now_ms); });
}

void sqlite_admin_store::use_reset(std::string code_digest, std::string password_hash,
                                   new_token token, answer<reset_use> then) {
  write_then<reset_use>(
      writes_,
      [this, code_digest = std::move(code_digest), password_hash = std::move(password_hash),
       token = std::move(token)](reset_use& used) {
        const auto target = r_.resets.find_valid(code_digest, token.created_at);
        if (!target) return;
        if (target->deactivated) {
          used.deactivated = true;
          return;
        }
        r_.users.set_password(target->user_id, password_hash);
        r_.tokens.revoke_all_of(target->user_id);
        r_.resets.use_up(code_digest);
        r_.tokens.store(token.digest, target->user_id, token.created_at, token.expires_at,
                        token.origin);
        used.user = r_.users.find_by_id(target->user_id);
      },
      std::move(then));
}

}  // namespace chatterbox
