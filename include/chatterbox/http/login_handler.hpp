#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/limits/login_throttle.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <cstdint>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace chatterbox {

// A token about to be stored, and when it was made and expires.
struct new_session {
  std::string token;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};
new_session start_session(std::chrono::seconds ttl);
// What the login's request says about where it comes from (its browser, its address).
session_origin origin_of(const http_request& request, const client_address& client);

// POST /api/login (docs/protocol.md): validates the body, asks the throttle before the password
// is looked at, verifies or hashes the password off the loop, and stores the new token (and a
// new account) through the group commit. Every admitted attempt is settled with the throttle
// exactly once: succeeded, failed or abandoned.
class login_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    const server_config& config;
    user_repository& users;
    token_repository& tokens;
    password_hasher& hasher;
    write_batcher& writes;
    // Told of every account created (the chat resolves names in memory).
    std::function<void(std::int64_t id, const std::string& name)> account_created;
    // Who may register (docs/protocol.md, "Registration"); without it, anyone.
    registration_repository* registration = nullptr;
  };

  explicit login_handler(services s);

  // `respond` is called exactly once, later (hashing and the write happen off this call).
  void handle(http_request&& request, client_address client, respond_fn respond);

  // The answer to a successful login, with its cookie (also after a password reset).
  http_response logged_in(const http_request& request, const user_record& user, bool created,
                          const std::string& token, std::int64_t expires_at,
                          const client_address& client);
  // Failed logins and wrong current passwords (POST /api/me/password) count together.
  login_throttle& throttle() { return throttle_; }
  // The 429 answer when this username from this address, or this address, must wait.
  http_response login_throttled(const http_request& request, const std::string& username,
                                const client_address& client,
                                const login_throttle::decision& decision);

 private:
  // Why a new account may not be created now (nullopt: it may), in the transaction that would
  // create it when `use` is set (the invitation, if one is needed, is then used up).
  std::optional<std::pair<std::string_view, std::string_view>> registration_refused(
      const std::optional<std::string>& invite, bool use);
  void create_account(std::shared_ptr<http_request> request, const std::string& username,
                      std::string hash, std::optional<std::string> invite,
                      const client_address& client, respond_fn respond);
  void finish_login(std::shared_ptr<http_request> request, const user_record& user,
                    const client_address& client, respond_fn respond);

  services s_;
  login_throttle throttle_;
};

}  // namespace chatterbox
