#pragma once

#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/store/session_store.hpp"

namespace chatterbox {

// Accounts and sessions on PostgreSQL shared by several nodes: a token stored by one node's
// login is honoured by every node. Reads and writes go through the node's group commit
// (pg_batcher); an account is created by one PL/pgSQL call (pg_schema's "account writes"),
// which decides registration against every commit before it, whichever node made it.
class pg_session_store final : public session_store {
 public:
  explicit pg_session_store(pg_batcher& writes);

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
  pg_batcher& writes_;
};

}  // namespace chatterbox
