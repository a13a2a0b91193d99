#include "chatterbox/store/sqlite_session_store.hpp"

#include "sqlite_answers.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <utility>

namespace chatterbox {
using sqlite_answers::read_now;

sqlite_session_store::sqlite_session_store(user_repository& users, token_repository& tokens,
                                           registration_repository* registration,
                                           write_batcher& writes)
    : users_(users), tokens_(tokens), registration_(registration), writes_(writes) {}

void sqlite_session_store::find_user(std::string username,
                                     answer<std::optional<user_record>> then) {
  read_now<std::optional<user_record>>("find user", then,
                                         [&] { return users_.find_by_name(username); });
}

std::optional<registration_refusal> sqlite_session_store::refusal(
    const std::optional<std::string>& invite, std::int64_t now_ms, bool use) {
  if (registration_ == nullptr) return std::nullopt;
  switch (registration_->mode()) {
    case registration_mode::open:
      return std::nullopt;
    case registration_mode::closed:
      return registration_refusal::closed;
    case registration_mode::invitation:
      break;
  }
  if (!invite) return registration_refusal::invitation_required;
  const auto status =
      use ? registration_->use(*invite, now_ms) : registration_->status(*invite, now_ms);
  if (status != invitation_status::valid) return registration_refusal::invitation_invalid;
  return std::nullopt;
}

void sqlite_session_store::registration(std::optional<std::string> invite, std::int64_t now_ms,
                                        answer<registration_state> then) {
  read_now<registration_state>("registration", then, [&] {
    registration_state state;
    if (registration_ == nullptr) return state;
    state.mode = registration_->mode();
    if (invite) state.invitation = registration_->status(*invite, now_ms);
    return state;
  });
}

void sqlite_session_store::registration_refused(std::optional<std::string> invite,
                                                std::int64_t now_ms,
                                                answer<std::optional<registration_refusal>> then) {
  read_now<std::optional<registration_refusal>>("registration check", then,
                                                  [&] { return refusal(invite, now_ms, false); });
}

void sqlite_session_store::create_account(new_account account, answer<account_creation> then) {
  auto result = std::make_shared<account_creation>();
  // A name taken meanwhile rolls nothing back but uses nothing either (checked first).
  writes_.submit(
      [this, result, account = std::move(account)]() mutable {
        if (users_.find_by_name(account.username)) return;
        result->refused = refusal(account.invite, account.token.created_at, true);
        if (result->refused) return;
        result->user =
            users_.create(account.username, account.password_hash, account.token.created_at);
        if (!result->user) return;
        const auto& token = account.token;
        tokens_.store(token.digest, result->user->id, token.created_at, token.expires_at,
                      token.origin);
      },
      [result, then = std::move(then)](bool stored) {
        if (!stored) *result = {};
        then(stored, *result);
      });
}

void sqlite_session_store::store_token(new_token token, answer<bool> then) {
  writes_.submit(
      [this, token = std::move(token)] {
        tokens_.store(token.digest, token.user_id, token.created_at, token.expires_at,
                      token.origin);
      },
      [then = std::move(then)](bool stored) {
        bool result = stored;
        then(stored, result);
      },
      write_batcher::shape::one_statement);
}

void sqlite_session_store::find_token(std::string digest, std::int64_t now_ms,
                                      answer<std::optional<token_owner>> then) {
  read_now<std::optional<token_owner>>("find token", then,
                                         [&] { return tokens_.find_valid(digest, now_ms); });
}

void sqlite_session_store::touch_token(std::string digest, std::int64_t now_ms,
                                       std::string address) {
  // A failed write only leaves "last seen" older.
  writes_.submit([this, digest = std::move(digest), now_ms,
                  address = std::move(address)] { tokens_.touch(digest, now_ms, address); },
                 [](bool) {}, write_batcher::shape::one_statement);
}

void sqlite_session_store::revoke_token(std::string digest, answer<bool> then) {
  auto removed = std::make_shared<bool>(false);
  writes_.submit([this, removed, digest = std::move(digest)] { *removed = tokens_.revoke(digest); },
                 [removed, then = std::move(then)](bool stored) {
                   if (!stored) *removed = false;
                   then(stored, *removed);
                 },
                 write_batcher::shape::one_statement);
}

void sqlite_session_store::sessions_of(std::int64_t user_id, std::int64_t now_ms,
                                       answer<std::vector<session_summary>> then) {
  read_now<std::vector<session_summary>>("sessions", then,
                                         [&] { return tokens_.sessions_of(user_id, now_ms); });
}

void sqlite_session_store::set_password(std::int64_t user_id, std::string password_hash,
                                        std::string keep, answer<bool> then) {
  writes_.submit(
      [this, user_id, hash = std::move(password_hash), keep = std::move(keep)] {
        users_.set_password(user_id, hash);
        tokens_.revoke_all_of(user_id, keep);
      },
      [then = std::move(then)](bool stored) {
        bool result = stored;
        then(stored, result);
      });
}

}  // namespace chatterbox
