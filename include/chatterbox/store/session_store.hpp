#pragma once

#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

// Who may register, and what an invitation link is worth now (GET /api/registration).
struct registration_state {
  registration_mode mode = registration_mode::open;
  std::optional<invitation_status> invitation;  // when one was asked about
};

// Why a new account may not be created (docs/protocol.md, "Registration").
enum class registration_refusal { closed, invitation_required, invitation_invalid };

// A login token about to be stored: only its digest (auth/token.hpp).
struct new_token {
  std::string digest;
  std::int64_t user_id = 0;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  session_origin origin;
};

// An account and its first token, stored together: never an account without its login.
struct new_account {
  std::string username;
  std::string password_hash;
  std::optional<std::string> invite;
  new_token token;  // its user_id is the new account's
};

// What became of a new account: created, refused, or neither (the name was registered
// meanwhile: the caller logs in instead).
struct account_creation {
  std::optional<user_record> user;
  std::optional<registration_refusal> refused;
  // The change's seq where accounts are shared by several nodes (their chats learn of it as
  // of any change); 0 on one node's SQLite.
  std::int64_t seq = 0;
};

// Accounts and their login sessions as the HTTP side needs them for every request: who may
// register, logins, who a token belongs to, logouts. Like chat_store, every call answers later
// on the event loop (`ok` false: the database refused or is unreachable, nothing changed that
// the caller can rely on), so the same handlers run on one node's SQLite and on PostgreSQL
// shared by several nodes (docs/scale-out.md).
class session_store {
 public:
  template <class Result>
  using answer = std::function<void(bool ok, Result& result)>;

  virtual ~session_store() = default;

  // Names compare without case.
  virtual void find_user(std::string username, answer<std::optional<user_record>> then) = 0;
  virtual void registration(std::optional<std::string> invite, std::int64_t now_ms,
                            answer<registration_state> then) = 0;
  // Why an account may not be created with `invite` now (nullopt: it may). Advisory, before the
  // slow password hash: create_account decides again in its transaction.
  virtual void registration_refused(std::optional<std::string> invite, std::int64_t now_ms,
                                    answer<std::optional<registration_refusal>> then) = 0;
  // The first account is the administrator; every account joins the open rooms, having read
  // what was there before it. An invitation needed is used up in the same transaction.
  virtual void create_account(new_account account, answer<account_creation> then) = 0;
  virtual void store_token(new_token token, answer<bool> then) = 0;
  // The owner of an unexpired token of an active account.
  virtual void find_token(std::string digest, std::int64_t now_ms,
                          answer<std::optional<token_owner>> then) = 0;
  // When and from where a token was last used: for its owner's sessions list (to the minute:
  // the same address within a minute is not written again); nobody waits.
  virtual void touch_token(std::string digest, std::int64_t now_ms, std::string address) = 0;
  // Answers whether a token was removed.
  virtual void revoke_token(std::string digest, answer<bool> then) = 0;
  // The user's unexpired sessions, the most recently used first (docs/protocol.md, "Your
  // account").
  virtual void sessions_of(std::int64_t user_id, std::int64_t now_ms,
                           answer<std::vector<session_summary>> then) = 0;
  // A new password, and every session of the user but `keep` (the one that changed it) ends
  // with it, in one transaction.
  virtual void set_password(std::int64_t user_id, std::string password_hash, std::string keep,
                            answer<bool> then) = 0;
};

}  // namespace chatterbox
