#pragma once

#include "chatterbox/auth/password_hasher.hpp"
#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/config.hpp"
#include "chatterbox/http/account_handler.hpp"
#include "chatterbox/http/admin_handler.hpp"
#include "chatterbox/http/client_address.hpp"
#include "chatterbox/http/export_handler.hpp"
#include "chatterbox/http/file_download.hpp"
#include "chatterbox/http/login_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/http/static_files.hpp"
#include "chatterbox/http/upload_handler.hpp"
#include "chatterbox/storage/token_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <boost/asio/ip/address.hpp>

#include <functional>
#include <memory>
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
    std::function<void(std::int64_t id, const std::string& name)> account_created = nullptr;
    // Uploads and downloads (docs/protocol.md, "POST /api/files"); without them those paths
    // are 404.
    std::optional<file_services> files_api = std::nullopt;
    // Registration, your account, password resets and administration (docs/protocol.md);
    // without them those paths are 404 and anyone may register.
    struct account_services {
      account_admin& accounts;
      registration_repository& registration;
      password_reset_repository& resets;
      audit_log& audit;
      chat_service& chat;
      export_handler& exports;
    };
    std::optional<account_services> accounts = std::nullopt;
  };

  explicit request_handler(services s);

  // Who sent `request` on a connection from `peer` (nullopt if unknown), believing forwarding
  // headers only from --trusted-proxy peers.
  client_address resolve_client(const http_request& request,
                                const std::optional<boost::asio::ip::address>& peer) const;

  // `respond` is called exactly once, possibly later (logins hash off the event loop).
  void handle(http_request&& request, client_address client, respond_fn respond);

  // POST /api/files, whose body is streamed rather than read whole (http_session reads only
  // its header first).
  static bool is_upload(const http::request_header<>& header);
  // GET or HEAD /api/files/{id}/{name}.
  static bool is_download(const http::request_header<>& header);
  // Decided from the header alone (`content_length`: nullopt when the header has none): the
  // refusal, or the upload to stream the body into.
  std::variant<http_response, std::shared_ptr<upload_in_progress>> begin_upload(
      http_request&& header, std::optional<std::uint64_t> content_length);
  std::variant<http_response, file_response> download(const http_request& request);

  // The identity for an upgrade request from `peer`, or the response refusing it. An accepted
  // one marks its session as seen now, from where it came.
  std::variant<peer_identity, http_response> authorize_websocket(
      const http_request& request, const std::optional<boost::asio::ip::address>& peer);

 private:
  void logout(const http_request& request, const client_address& client, respond_fn respond);
  void administer(const http_request& request, std::string_view path, respond_fn respond);
  void account(const http_request& request, std::string_view path, const client_address& client,
               respond_fn respond);
  // GET /api/rooms/{id}/export, for members of the room.
  void export_room(const http_request& request, std::string_view path, respond_fn respond);
  http_response me(const http_request& request);

  struct authenticated {
    token_owner owner;
    std::string digest;
  };
  std::optional<authenticated> authenticate(const http::request_header<>& request);
  bool origin_allowed(const http::request_header<>& request) const;
  services s_;
  client_address_resolver clients_;
  login_handler logins_;
  std::optional<upload_handler> uploads_;
  std::optional<file_download> downloads_;
  std::optional<account_handler> account_;
  std::optional<admin_handler> admin_;
};

}  // namespace chatterbox
