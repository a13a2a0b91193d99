#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/login_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/storage/password_reset_repository.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace chatterbox {

// What a user does to their own account (docs/protocol.md, "Your account" and "Registration"):
// change the password, list and end sessions, set a new password with a reset link, and ask
// who may register. Passwords are hashed off the loop, changes go through the group commit,
// and connections of ended sessions are closed once the change is committed.
class account_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    const server_config& config;
    user_repository& users;
    token_repository& tokens;
    password_reset_repository& resets;
    registration_repository& registration;
    password_hasher& hasher;
    write_batcher& writes;
    connection_manager& connections;
    login_handler& logins;
  };

  // The user a request was authenticated as, and with which token.
  struct session {
    std::int64_t user_id = 0;
    std::string username;
    std::string token_digest;
  };

  explicit account_handler(services s);

  // /api/me/password, /api/me/sessions, /api/me/sessions/{id}/end: `who` is authenticated.
  void handle_me(const http_request& request, std::string_view path, const session& who,
                 const client_address& client, respond_fn respond);
  // POST /api/password-reset and /api/password-reset/check (no login).
  void handle_reset(const http_request& request, std::string_view path,
                    const client_address& client, respond_fn respond);

 private:
  void change_password(const http_request& request, const session& who,
                       const client_address& client, respond_fn respond);
  void store_new_password(std::shared_ptr<http_request> request, const session& who,
                          std::string hash, respond_fn respond);
  http_response sessions(const http_request& request, const session& who);
  void end_session(const http_request& request, std::string_view id, const session& who,
                   respond_fn respond);
  void reset_password(const http_request& request, const client_address& client,
                      respond_fn respond);

  services s_;
};

}  // namespace chatterbox
