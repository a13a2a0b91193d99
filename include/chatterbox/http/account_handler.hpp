#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/login_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/store/admin_store.hpp"
#include "chatterbox/store/session_store.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

// What a user does to their own account (docs/protocol.md, "Your account"): change the
// password, list and end sessions (through the session store, so on SQLite and PostgreSQL
// alike), and set a new password with a reset link (through the admin store, which makes
// them). Passwords are hashed off the loop, and connections of ended sessions are
// closed (on every node) once the change is committed.
class account_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    const server_config& config;
    session_store& sessions;
    admin_store& resets;
    password_hasher& hasher;
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
  // The new password `hash` of a reset link, stored with a first session.
  void store_reset(std::shared_ptr<http_request> request, std::string digest, std::string hash,
                   const client_address& client, respond_fn respond);
  void change_password(const http_request& request, const session& who,
                       const client_address& client, respond_fn respond);
  void check_password(std::shared_ptr<http_request> request, const session& who,
                      const client_address& client, const user_record& user,
                      std::string current, std::string replacement, respond_fn respond);
  void store_new_password(std::shared_ptr<http_request> request, const session& who,
                          std::string hash, respond_fn respond);
  void sessions(const http_request& request, const session& who, respond_fn respond);
  void end_session(const http_request& request, std::string_view id, const session& who,
                   respond_fn respond);
  void reset_password(const http_request& request, const client_address& client,
                      respond_fn respond);

  services s_;
};

}  // namespace chatterbox
