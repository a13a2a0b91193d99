#pragma once

#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/session_store.hpp"

namespace chatterbox {

// Accounts and sessions of one node's SQLite database: reads answer before the call returns,
// writes go through the group commit (write_batcher) shared with the chat.
class sqlite_session_store final : public session_store {
 public:
  // Without `registration`, anyone may register.
  sqlite_session_store(user_repository& users, token_repository& tokens,
                       registration_repository* registration, write_batcher& writes);

  void find_user(std::string username, answer<std::optional<user_record>> then) override;
  void registration(std::optional<std::string> invite, std::int64_t now_ms,
                    answer<registration_state> then) override;
  void registration_refused(std::optional<std::string> invite, std::int64_t now_ms,
                            answer<std::optional<registration_refusal>> then) override;
  void create_account(new_account account, answer<account_creation> then) override;
  void store_token(new_token token, answer<bool> then) override;
  void find_token(std::string digest, std::int64_t now_ms,
                  answer<std::optional<token_owner>> then) override;
  void touch_token(std::string digest, std::int64_t now_ms, std::string address) override;
  void revoke_token(std::string digest, answer<bool> then) override;
  void sessions_of(std::int64_t user_id, std::int64_t now_ms,
                   answer<std::vector<session_summary>> then) override;
  void set_password(std::int64_t user_id, std::string password_hash, std::string keep,
                    answer<bool> then) override;

 private:
  // `use`: inside the transaction creating the account, which then uses the invitation up.
  std::optional<registration_refusal> refusal(const std::optional<std::string>& invite,
                                              std::int64_t now_ms, bool use);

  user_repository& users_;
  token_repository& tokens_;
  registration_repository* registration_;
  write_batcher& writes_;
};

}  // namespace chatterbox
