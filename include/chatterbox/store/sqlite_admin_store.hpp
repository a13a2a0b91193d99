#pragma once

#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/password_reset_repository.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/admin_store.hpp"

namespace chatterbox {

// Administration on one node's SQLite database: reads answer before the call returns, changes
// go through the group commit shared with the chat.
class sqlite_admin_store final : public admin_store {
 public:
  struct repositories {
    user_repository& users;
    token_repository& tokens;
    account_admin& accounts;
    registration_repository& registration;
    password_reset_repository& resets;
    audit_log& audit;
  };
  sqlite_admin_store(repositories r, write_batcher& writes) : r_(r), writes_(writes) {}

  void users(std::int64_t now_ms, answer<std::vector<account_summary>> then) override;
  void audit(int limit, answer<std::vector<audit_entry>> then) override;
  void change_account(std::string username, account_action action, std::int64_t by,
                      std::int64_t now_ms, answer<account_outcome> then) override;
  void create_reset(std::string username, std::string code_digest, std::int64_t expires_at_ms,
                    std::int64_t by, std::int64_t now_ms, answer<bool> then) override;
  void set_registration(registration_mode mode, std::int64_t by, std::int64_t now_ms,
                        answer<bool> then) override;
  void invitations(int limit, answer<std::vector<invitation>> then) override;
  void invite(std::string code, std::int64_t by, std::int64_t now_ms, std::int64_t expires_at_ms,
              std::optional<int> max_uses, answer<invitation> then) override;
  void revoke_invitation(std::string code, std::int64_t by, std::int64_t now_ms,
                         answer<std::optional<invitation>> then) override;
  void find_reset(std::string code_digest, std::int64_t now_ms,
                  answer<std::optional<reset_target>> then) override;
  void use_reset(std::string code_digest, std::string password_hash, new_token token,
                 answer<reset_use> then) override;

 private:
  repositories r_;
  write_batcher& writes_;
};

}  // namespace chatterbox
