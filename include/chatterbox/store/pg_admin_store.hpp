#pragma once

#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/store/admin_store.hpp"

namespace chatterbox {

// Administration on PostgreSQL shared by several nodes: every change is one statement (a
// PL/pgSQL call of pg_schema's "admin writes", or one with its audit entry in a CTE), so it is
// decided and logged in one transaction against every node's commits before it.
class pg_admin_store final : public admin_store {
 public:
  explicit pg_admin_store(pg_batcher& writes) : writes_(writes) {}

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
  pg_batcher& writes_;
};

}  // namespace chatterbox
