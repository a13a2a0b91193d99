#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/http/static_files.hpp"
#include "chatterbox/limits/rate_limiter.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"

#include <functional>
#include <string>
#include <variant>

namespace chatterbox {

inline constexpr std::string_view token_cookie = "chatterbox_token";

// The HTTP side of the server: JSON API, the web client's files, and the checks that decide
// whether a /ws request may become a WebSocket. Independent of sockets, so it is testable alone.
class request_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    const server_config& config;
    user_repository& users;
    token_repository& tokens;
    password_hasher& hasher;
    connection_manager& connections;
    const static_files& files;
  };

  explicit request_handler(services s);

  // `respond` is called exactly once, possibly later (logins hash off the event loop).
  void handle(http_request&& request, std::string client_address, respond_fn respond);

  // The identity for an upgrade request, or the response refusing it.
  std::variant<peer_identity, http_response> authorize_websocket(const http_request& request);

 private:
  void login(http_request&& request, std::string client_address, respond_fn respond);
  void finish_login(const http_request& request, const user_record& user, bool created,
                    const std::string& client_address, const respond_fn& respond);
  http_response logout(const http_request& request);
  http_response me(const http_request& request);

  struct authenticated {
    token_owner owner;
    std::string digest;
  };
  std::optional<authenticated> authenticate(const http_request& request);
  bool origin_allowed(const http_request& request) const;
  // The 429 answer when this username or address is over its login rate.
  std::optional<http_response> login_throttled(const http_request& request,
                                               const std::string& username,
                                               const std::string& client_address);

  services s_;
  rate_limiter logins_by_name_;
  rate_limiter logins_by_address_;
};

}  // namespace chatterbox
