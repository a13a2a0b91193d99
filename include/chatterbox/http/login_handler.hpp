#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/limits/login_throttle.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace chatterbox {

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
  };

  explicit login_handler(services s);

  // `respond` is called exactly once, later (hashing and the write happen off this call).
  void handle(http_request&& request, client_address client, respond_fn respond);

 private:
  void create_account(std::shared_ptr<http_request> request, const std::string& username,
                      std::string hash, const client_address& client, respond_fn respond);
  void finish_login(std::shared_ptr<http_request> request, const user_record& user,
                    const client_address& client, respond_fn respond);
  http_response logged_in(const http_request& request, const user_record& user, bool created,
                          const std::string& token, std::int64_t expires_at,
                          const client_address& client);
  // The 429 answer when this username from this address, or this address, must wait.
  http_response login_throttled(const http_request& request, const std::string& username,
                                const client_address& client,
                                const login_throttle::decision& decision);

  services s_;
  login_throttle throttle_;
};

}  // namespace chatterbox
