#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/login_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/http/static_files.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <boost/asio/ip/address.hpp>

#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace chatterbox {

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
    // Logins and logouts write (users, tokens) through the same group commit as the chat, so
    // a database locked by another process delays them the same way instead of blocking the
    // loop, and refusals become 503 busy.
    write_batcher& writes;
    std::function<void(std::int64_t id, const std::string& name)> account_created;
  };

  explicit request_handler(services s);

  // Who sent `request` on a connection from `peer` (nullopt if unknown), believing forwarding
  // headers only from --trusted-proxy peers.
  client_address resolve_client(const http_request& request,
                                const std::optional<boost::asio::ip::address>& peer) const;

  // `respond` is called exactly once, possibly later (logins hash off the event loop).
  void handle(http_request&& request, client_address client, respond_fn respond);

  // The identity for an upgrade request, or the response refusing it.
  std::variant<peer_identity, http_response> authorize_websocket(const http_request& request);

 private:
  void logout(const http_request& request, const client_address& client, respond_fn respond);
  http_response me(const http_request& request);

  struct authenticated {
    token_owner owner;
    std::string digest;
  };
  std::optional<authenticated> authenticate(const http_request& request);
  bool origin_allowed(const http_request& request) const;
  services s_;
  client_address_resolver clients_;
  login_handler logins_;
};

}  // namespace chatterbox
