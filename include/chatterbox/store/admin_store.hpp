#pragma once

#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/password_reset_repository.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/store/session_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

enum class account_action { promote, demote, deactivate, reactivate };

// What a change of an account decided, and the account as it is after it.
struct account_outcome {
  account_change_result result;
  std::optional<account_summary> user;  // set unless no_such_user
};

// A password reset link used: the account with its new password and first token, or why not.
struct reset_use {
  std::optional<user_record> user;  // nullopt: the link is not valid (any more)
  bool deactivated = false;
};

// What administrators do (docs/protocol.md, "Administration") and the reset links they make,
// as the HTTP side needs it. Every change is written with its audit entry in one transaction
// and decided there (a check and its change are one decision, whichever node asks). Like
// session_store, every call answers later on the event loop (`ok` false: nothing the caller
// can rely on changed), so one admin_handler serves SQLite and PostgreSQL (docs/scale-out.md).
class admin_store {
 public:
  template <class Result>
  using answer = std::function<void(bool ok, Result& result)>;

  virtual ~admin_store() = default;

  virtual void users(std::int64_t now_ms, answer<std::vector<account_summary>> then) = 0;
  // Newest first.
  virtual void audit(int limit, answer<std::vector<audit_entry>> then) = 0;
  // Never leaves no active administrator; nobody demotes or deactivates themself. Deactivating
  // ends every session of the account.
  virtual void change_account(std::string username, account_action action, std::int64_t by,
                              std::int64_t now_ms, answer<account_outcome> then) = 0;
  // A new link for the user replaces the last; answers whether the user exists.
  virtual void create_reset(std::string username, std::string code_digest,
                            std::int64_t expires_at_ms, std::int64_t by, std::int64_t now_ms,
                            answer<bool> then) = 0;
  // An unchanged mode is not logged.
  virtual void set_registration(registration_mode mode, std::int64_t by, std::int64_t now_ms,
                                answer<bool> then) = 0;
  // Newest first.
  virtual void invitations(int limit, answer<std::vector<invitation>> then) = 0;
  virtual void invite(std::string code, std::int64_t by, std::int64_t now_ms,
                      std::int64_t expires_at_ms, std::optional<int> max_uses,
                      answer<invitation> then) = 0;
  // The invitation as it is after (nullopt: no such code); revoking twice logs once.
  virtual void revoke_invitation(std::string code, std::int64_t by, std::int64_t now_ms,
                                 answer<std::optional<invitation>> then) = 0;

  virtual void find_reset(std::string code_digest, std::int64_t now_ms,
                          answer<std::optional<reset_target>> then) = 0;
  // Decided again in the transaction: the link is used up, the password replaced, every
  // session of the user ended and `token` (its user_id filled in there) stored.
  virtual void use_reset(std::string code_digest, std::string password_hash, new_token token,
                         answer<reset_use> then) = 0;
};

}  // namespace chatterbox
