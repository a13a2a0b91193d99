#include "chatterbox/http/request_handler.hpp"

#include "chatterbox/http/positive_id.hpp"
#include "chatterbox/http/session_cookie.hpp"

#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/ws/handshake.hpp"

#include "chatterbox/observability/metrics.hpp"

#include <boost/beast/core/string.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace chatterbox {
namespace {

using json = nlohmann::json;
namespace beast = boost::beast;

std::string_view path_of(const http::request_header<>& request) {
  std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

bool is_json(const http_request& request) {
  const std::string_view type = request[http::field::content_type];
  const auto media = type.substr(0, type.find(';'));
  return beast::iequals(media, "application/json");
}

// All lines of a header joined into one list, as RFC 9110 allows a recipient to do.
std::string joined_header(const http_request& request, std::string_view name) {
  std::string joined;
  for (auto [it, end] = request.equal_range(name); it != end; ++it) {
    if (!joined.empty()) joined += ", ";
    joined += it->value();
  }
  return joined;
}

client_address_resolver make_resolver(const server_config& config) {
  trusted_proxies proxies;
  for (const auto& cidr : config.trusted_proxies) {
    // parse_config has validated these; should one still fail it stays untrusted.
    if (auto error = proxies.add(cidr)) spdlog::warn("ignoring trusted proxy: {}", *error);
  }
  const bool https = config.public_url && config.public_url->starts_with("https://");
  return client_address_resolver(std::move(proxies), https);
}

}  // namespace

request_handler::request_handler(services s)
    : s_(s),
      clients_(make_resolver(s.config)),
      logins_(login_handler::services{
          s.config, s.users, s.tokens, s.hasher, s.writes, s.account_created,
          s.accounts ? &s.accounts->registration : nullptr}) {
  if (s.files_api) {
    uploads_.emplace(s.config, *s.files_api, s.writes);
    downloads_.emplace(*s.files_api);
  }
  if (s.accounts) {
    auto& a = *s.accounts;
    account_.emplace(account_handler::services{s.config, s.users, s.tokens, a.resets,
                                               a.registration, s.hasher, s.writes,
                                               s.connections, logins_});
    admin_.emplace(admin_handler::services{a.accounts, a.registration, a.resets, a.audit,
                                           s.writes, s.connections, a.chat, a.exports});
  }
}

bool request_handler::is_upload(const http::request_header<>& header) {
  return header.method() == http::verb::post && path_of(header) == "/api/files";
}

bool request_handler::is_download(const http::request_header<>& header) {
  return (header.method() == http::verb::get || header.method() == http::verb::head) &&
         path_of(header).starts_with("/api/files/");
}

std::variant<http_response, std::shared_ptr<upload_in_progress>> request_handler::begin_upload(
    http_request&& header, std::optional<std::uint64_t> content_length) {
  // Every refusal here is sent before the body is read: the connection then closes, or the
  // unread body would be parsed as the next request.
  const auto refuse = [&](http::status status, std::string_view code, std::string_view message) {
    auto response = json_error(status, header, code, message);
    response.keep_alive(false);
    return response;
  };
  if (!uploads_) return refuse(http::status::not_found, "not_found", "no such endpoint");
  if (!origin_allowed(header)) {
    return refuse(http::status::forbidden, "forbidden_origin",
                  "requests from this origin are not allowed");
  }
  if (!content_length) {
    return refuse(http::status::length_required, "length_required",
                  "an upload needs a Content-Length");
  }
  if (*content_length > s_.config.max_upload_bytes) {
    return refuse(http::status::payload_too_large, "too_large",
                  "the file is larger than the server accepts");
  }
  const auto auth = authenticate(header);
  if (!auth) return refuse(http::status::unauthorized, "unauthorized", "not logged in");
  return uploads_->begin(std::move(header), *content_length, auth->owner.user_id);
}

std::variant<http_response, file_response> request_handler::download(const http_request& request) {
  if (!downloads_) {
    return json_error(http::status::not_found, request, "not_found", "no such endpoint");
  }
  const auto auth = authenticate(request);
  if (!auth) {
    return json_error(http::status::unauthorized, request, "unauthorized", "not logged in");
  }
  return downloads_->serve(request, auth->owner.user_id);
}

client_address request_handler::resolve_client(
    const http_request& request, const std::optional<boost::asio::ip::address>& peer) const {
  const auto forwarded = joined_header(request, "Forwarded");
  const auto x_forwarded_for = joined_header(request, "X-Forwarded-For");
  const auto x_forwarded_proto = joined_header(request, "X-Forwarded-Proto");
  return clients_.resolve(peer, {forwarded, x_forwarded_for, x_forwarded_proto});
}

void request_handler::handle(http_request&& request, client_address client, respond_fn respond) {
  const auto path = path_of(request);
  const auto method = request.method();
  const bool is_api = path == "/api" || path.starts_with("/api/");

  // Cross-site form posts and fetches from foreign pages never reach a handler (login CSRF).
  if (is_api && method == http::verb::post) {
    if (!origin_allowed(request)) {
      return respond(json_error(http::status::forbidden, request, "forbidden_origin",
                                "requests from this origin are not allowed"));
    }
    if (!is_json(request)) {
      return respond(json_error(http::status::unsupported_media_type, request,
                                "unsupported_media_type", "Content-Type must be application/json"));
    }
  }

  if (path == "/api/login") {
    if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    return logins_.handle(std::move(request), std::move(client), std::move(respond));
  }
  if (path == "/api/logout") {
    if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    return logout(request, client, std::move(respond));
  }
  if (path == "/api/me") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return respond(me(request));
  }
  if (account_ && path == "/api/registration") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return respond(account_->registration(request));
  }
  if (account_ && path.starts_with("/api/me/")) {
    return account(request, path, client, std::move(respond));
  }
  if (account_ && path.starts_with("/api/rooms/") && path.ends_with("/export")) {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return export_room(request, path, std::move(respond));
  }
  if (account_ && (path == "/api/password-reset" || path == "/api/password-reset/check")) {
    return account_->handle_reset(request, path, client, std::move(respond));
  }
  if (path == "/metrics" && s_.config.metrics) {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    auto response = make_response(http::status::ok, request);
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = render_prometheus(
        metrics(), live_gauges{s_.connections.connection_count(), s_.connections.online_count()});
    response.prepare_payload();
    return respond(std::move(response));
  }
  if (path == "/api/files") return respond(method_not_allowed(request, "POST"));
  if (path.starts_with("/api/files/")) return respond(method_not_allowed(request, "GET, HEAD"));
  if (path.starts_with("/api/admin/")) return administer(request, path, std::move(respond));
  if (path == "/api/health") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return respond(json_response(http::status::ok, request, {{"status", "ok"}}));
  }
  if (is_api) {
    return respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
  }
  if (path == "/ws") {
    return respond(json_error(http::status::bad_request, request, "upgrade_required",
                              "/ws only accepts WebSocket upgrades"));
  }
  if (method != http::verb::get && method != http::verb::head) {
    return respond(method_not_allowed(request, "GET, HEAD"));
  }
  respond(s_.files.serve(request));
}

void request_handler::logout(const http_request& request, const client_address& client,
                             respond_fn respond) {
  auto auth = authenticate(request);
  if (!auth) {
    return respond(
        json_error(http::status::unauthorized, request, "unauthorized", "not logged in"));
  }
  auto shared_request = std::make_shared<http_request>(request);
  const auto digest = auth->digest;  // (the two lambdas' captures are built in no fixed order)
  s_.writes.submit(
      [this, digest] { s_.tokens.revoke(digest); },
      [this, auth = std::move(*auth), shared_request, client, respond](bool stored) {
        // Not revoked, so the connections stay: the client may simply retry.
        if (!stored) return respond(database_busy(*shared_request));
        s_.connections.close_token(auth.digest, 4001, "logged out");
        spdlog::info("logout: user={}", auth.owner.username);
        auto response = json_response(http::status::ok, *shared_request, {{"ok", true}});
        // The plain cookie may be left from before the server was behind HTTPS; the __Host-
        // one can only exist (and only be cleared) over HTTPS.
        response.set(http::field::set_cookie,
                     session_cookie(token_cookie, "", std::chrono::seconds(0), client.https));
        if (client.https) {
          response.insert(http::field::set_cookie,
                          session_cookie(secure_token_cookie, "", std::chrono::seconds(0), true));
        }
        respond(std::move(response));
      });
}

void request_handler::administer(const http_request& request, std::string_view path,
                                 respond_fn respond) {
  if (!admin_) {
    return respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
  }
  const auto auth = authenticate(request);
  if (!auth) {
    return respond(json_error(http::status::unauthorized, request, "unauthorized", "not logged in"));
  }
  // Whatever the path or method: a member learns nothing about what exists here.
  if (!auth->owner.admin) {
    return respond(json_error(http::status::forbidden, request, "forbidden", "administrators only"));
  }
  admin_->handle(request, path, {auth->owner.user_id, auth->owner.username}, std::move(respond));
}

void request_handler::account(const http_request& request, std::string_view path,
                              const client_address& client, respond_fn respond) {
  auto auth = authenticate(request);
  if (!auth) {
    return respond(json_error(http::status::unauthorized, request, "unauthorized", "not logged in"));
  }
  account_->handle_me(request, path,
                      {auth->owner.user_id, std::move(auth->owner.username), std::move(auth->digest)},
                      client, std::move(respond));
}

void request_handler::export_room(const http_request& request, std::string_view path,
                                  respond_fn respond) {
  const auto auth = authenticate(request);
  if (!auth) {
    return respond(json_error(http::status::unauthorized, request, "unauthorized", "not logged in"));
  }
  constexpr std::string_view prefix = "/api/rooms/";
  constexpr std::string_view suffix = "/export";
  const auto room = path.size() > prefix.size() + suffix.size()
                        ? positive_id(path.substr(prefix.size(),
                                                  path.size() - prefix.size() - suffix.size()))
                        : std::nullopt;
  auto& chat = s_.accounts->chat;
  // A room the user is not in is as unknown as one that does not exist.
  if (!room || !chat.is_member(*room, auth->owner.user_id)) {
    return respond(json_error(http::status::not_found, request, "not_found", "no such room"));
  }
  s_.accounts->exports.start(request, *room, chat.room_file_stem(*room), std::move(respond));
}

http_response request_handler::me(const http_request& request) {
  const auto auth = authenticate(request);
  if (!auth) {
    return json_error(http::status::unauthorized, request, "unauthorized", "not logged in");
  }
  return json_response(http::status::ok, request,
                       {{"username", auth->owner.username},
                        {"expires_at", auth->owner.expires_at_ms},
                        {"admin", auth->owner.admin}});
}

std::variant<peer_identity, http_response> request_handler::authorize_websocket(
    const http_request& request, const std::optional<boost::asio::ip::address>& peer) {
  if (request[http::field::sec_websocket_version] != "13") {
    auto response = json_error(http::status::upgrade_required, request,
                               "unsupported_websocket_version",
                               "only WebSocket version 13 is supported");
    response.set(http::field::sec_websocket_version, "13");
    return response;
  }
  if (!ws::is_valid_client_key(request[http::field::sec_websocket_key])) {
    return json_error(http::status::bad_request, request, "bad_websocket_key",
                      "Sec-WebSocket-Key must be 16 bytes in base64");
  }
  if (!origin_allowed(request)) {
    return json_error(http::status::forbidden, request, "forbidden_origin",
                      "WebSocket connections from this origin are not allowed");
  }
  auto auth = authenticate(request);
  if (!auth) {
    return json_error(http::status::unauthorized, request, "unauthorized", "not logged in");
  }
  const bool server_full = s_.connections.connection_count() >= s_.config.max_connections;
  if (server_full ||
      s_.connections.connections_of(auth->owner.user_id) >= s_.config.max_connections_per_user) {
    ++metrics().connections_refused;
    auto response = json_error(http::status::service_unavailable, request, "too_many_connections",
                               server_full ? "the server is at its connection limit"
                                           : "too many open connections for this user");
    response.set(http::field::retry_after, "5");
    return response;
  }
  // For the sessions list; a connection does not wait for it, and a failed write only leaves
  // "last seen" older.
  s_.writes.submit([this, digest = auth->digest, address = resolve_client(request, peer).address] {
    s_.tokens.touch(digest, epoch_ms(), address);
  }, [](bool) {}, write_batcher::shape::one_statement);
  return peer_identity{auth->owner.user_id, std::move(auth->owner.username),
                       std::move(auth->digest), auth->owner.expires_at_ms};
}

std::optional<request_handler::authenticated> request_handler::authenticate(
    const http::request_header<>& request) {
  const auto check = [this](std::optional<std::string_view> token) -> std::optional<authenticated> {
    if (!token || !well_formed_token(*token)) return std::nullopt;
    auto digest = token_digest(*token);
    auto owner = s_.tokens.find_valid(digest, epoch_ms());
    if (!owner) return std::nullopt;
    return authenticated{std::move(*owner), std::move(digest)};
  };
  if (const auto header = request.find(http::field::authorization); header != request.end()) {
    return check(bearer_token(header->value()));
  }
  if (const auto cookie = request.find(http::field::cookie); cookie != request.end()) {
    // The __Host- cookie first: only an HTTPS response from this very host can have set it. The
    // plain one still counts, so a login from before HTTPS was set up keeps working.
    for (const auto name : {secure_token_cookie, token_cookie}) {
      if (auto auth = check(find_cookie(cookie->value(), name))) return auth;
    }
  }
  return std::nullopt;
}

bool request_handler::origin_allowed(const http::request_header<>& request) const {
  const auto origin_field = request.find(http::field::origin);
  if (origin_field == request.end()) return true;  // not a browser cross-origin request
  const std::string_view origin = origin_field->value();
  const std::string_view host = request[http::field::host];
  if (!host.empty()) {
    for (const std::string_view scheme : {"http://", "https://"}) {
      if (origin.size() == scheme.size() + host.size() && origin.starts_with(scheme) &&
          beast::iequals(origin.substr(scheme.size()), host)) {
        return true;
      }
    }
  }
  for (const auto& allowed : s_.config.allowed_origins) {
    if (beast::iequals(origin, allowed)) return true;
  }
  return false;
}

}  // namespace chatterbox
