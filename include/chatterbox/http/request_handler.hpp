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
#include "chatterbox/store/admin_store.hpp"
#include "chatterbox/store/session_store.hpp"

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
    // Logins, logouts and who each request is from, answered later on the loop (a database
    // that is busy or away becomes 503 busy, never a wait on the loop).
    session_store& sessions;
    // Password resets, invitations and administration (docs/protocol.md), on either store.
    admin_store& admin;
    chat_service& chat;
    password_hasher& hasher;
    connection_manager& connections;
    const static_files& files;
    std::function<void(std::int64_t id, const std::string& name, std::int64_t seq)>
        account_created = nullptr;
    // Uploads and downloads (docs/protocol.md, "POST /api/files"); without them those paths
    // are 404.
    std::optional<file_services> files_api = std::nullopt;
    // Exports of history (docs/protocol.md, "Export"); without them those paths are 404 (on
    // PostgreSQL, for now: docs/scale-out.md).
    export_handler* exports = nullptr;
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
  // Each of the next three answers exactly once, possibly later (who the request is from is
  // asked of the session store).
  //
  // Decided from the header alone (`content_length`: nullopt when the header has none): the
  // refusal, or the upload to stream the body into.
  using upload_decision = std::variant<http_response, std::shared_ptr<upload_in_progress>>;
  void begin_upload(http_request&& header, std::optional<std::uint64_t> content_length,
                    std::function<void(upload_decision)> then);
  using download_answer = std::variant<http_response, file_response>;
  void download(const http_request& request, std::function<void(download_answer)> then);
  // The identity for an upgrade request from `peer`, or the response refusing it. An accepted
  // one marks its session as seen now, from where it came.
  using upgrade_decision = std::variant<peer_identity, http_response>;
  void authorize_websocket(const http_request& request,
                           const std::optional<boost::asio::ip::address>& peer,
                           std::function<void(upgrade_decision)> then);

 private:
  // Each is handed the request to keep: their answers come after the session store's.
  void logout(std::shared_ptr<const http_request> request, const client_address& client,
              respond_fn respond);
  void administer(std::shared_ptr<const http_request> request, respond_fn respond);
  void account(std::shared_ptr<const http_request> request, const client_address& client,
               respond_fn respond);
  // GET /api/rooms/{id}/export, for members of the room.
  void export_room(std::shared_ptr<const http_request> request, respond_fn respond);
  void me(std::shared_ptr<const http_request> request, respond_fn respond);
  // GET /api/registration[?invite=…]: who may register, and what the link is worth.
  void registration(std::shared_ptr<const http_request> request, respond_fn respond);

  struct authenticated {
    token_owner owner;
    std::string digest;
  };
  // Who sent `request` (nullopt: nobody, no valid token); `ok` false when the store could not
  // say. The request may be gone by the answer: what is needed of it is copied.
  using authenticated_fn = std::function<void(bool ok, std::optional<authenticated> who)>;
  void authenticate(const http::request_header<>& request, authenticated_fn then);
  // The tokens a request carries are tried in turn, from `next`.
  void check_tokens(std::vector<std::string> tokens, std::size_t next, authenticated_fn then);
  // As authenticate, with a refusal answered by `respond` (503 busy, 401 for nobody).
  void require_login(std::shared_ptr<const http_request> request, respond_fn respond,
                     std::function<void(authenticated)> then);
  bool origin_allowed(const http::request_header<>& request) const;
  services s_;
  client_address_resolver clients_;
  login_handler logins_;
  std::optional<upload_handler> uploads_;
  std::optional<file_download> downloads_;
  account_handler account_;
  admin_handler admin_;
};

}  // namespace chatterbox
