#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/limits/login_throttle.hpp"
#include "chatterbox/store/session_store.hpp"

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
// new account) in the session store. Every admitted attempt is settled with the throttle
// exactly once: succeeded, failed or abandoned.
class login_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    const server_config& config;
    session_store& sessions;
    password_hasher& hasher;
    // Told of every account created (the chat resolves names in memory), with the seq of
    // its creation where there is one (account_creation::seq).
    std::function<void(std::int64_t id, const std::string& name, std::int64_t seq)>
        account_created;
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
  // The user exists: check the password off the loop, then log in.
  void verify(std::shared_ptr<http_request> request, const user_record& user,
              const std::string& username, const std::string& password,
              const client_address& client, respond_fn respond);
  // Nobody has the name: hash the password off the loop, then create the account.
  void register_account(std::shared_ptr<http_request> request, const std::string& username,
                        const std::string& password, std::optional<std::string> invite,
                        const client_address& client, respond_fn respond);
  void create_account(std::shared_ptr<http_request> request, const std::string& username,
                      std::string hash, std::optional<std::string> invite,
                      const client_address& client, respond_fn respond);
  void finish_login(std::shared_ptr<http_request> request, const user_record& user,
                    const client_address& client, respond_fn respond);

  services s_;
  login_throttle throttle_;
};

}  // namespace chatterbox
