#include "chatterbox/http/request_handler.hpp"

#include "chatterbox/http/positive_id.hpp"
#include "chatterbox/http/session_cookie.hpp"

#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/files/file_name.hpp"
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
      logins_(login_handler::services{s.config, s.sessions, s.hasher, s.account_created}),
      account_(account_handler::services{s.config, s.sessions, s.admin, s.hasher, s.connections,
                                         logins_}),
      admin_(admin_handler::services{s.admin, s.connections, s.chat, s.exports}) {
  if (s.files_api) {
    uploads_.emplace(s.config, *s.files_api);
    downloads_.emplace(*s.files_api);
  }
}

bool request_handler::is_upload(const http::request_header<>& header) {
  return header.method() == http::verb::post && path_of(header) == "/api/files";
}

bool request_handler::is_download(const http::request_header<>& header) {
  return (header.method() == http::verb::get || header.method() == http::verb::head) &&
         path_of(header).starts_with("/api/files/");
}

void request_handler::begin_upload(http_request&& header,
                                   std::optional<std::uint64_t> content_length,
                                   std::function<void(upload_decision)> then) {
  // Every refusal here is sent before the body is read: the connection then closes, or the
  // unread body would be parsed as the next request.
  const auto refuse = [](const http_request& to, http::status status, std::string_view code,
                         std::string_view message) {
    auto response = json_error(status, to, code, message);
    response.keep_alive(false);
    return response;
  };
  if (!uploads_) {
    return then(refuse(header, http::status::not_found, "not_found", "no such endpoint"));
  }
  if (!origin_allowed(header)) {
    return then(refuse(header, http::status::forbidden, "forbidden_origin",
                       "requests from this origin are not allowed"));
  }
  if (!content_length) {
    return then(refuse(header, http::status::length_required, "length_required",
                       "an upload needs a Content-Length"));
  }
  if (*content_length > s_.config.max_upload_bytes) {
    return then(refuse(header, http::status::payload_too_large, "too_large",
                       "the file is larger than the server accepts"));
  }
  auto held = std::make_shared<http_request>(std::move(header));
  authenticate(*held, [this, held, length = *content_length, refuse, then = std::move(then)](
                          bool ok, std::optional<authenticated> auth) {
    if (!ok) {
      auto busy = database_busy(*held);
      busy.keep_alive(false);
      return then(std::move(busy));
    }
    if (!auth) {
      return then(refuse(*held, http::status::unauthorized, "unauthorized", "not logged in"));
    }
    uploads_->begin(std::move(*held), length, auth->owner.user_id, std::move(then));
  });
}

void request_handler::download(const http_request& request,
                               std::function<void(download_answer)> then) {
  if (!downloads_) {
    return then(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
  }
  auto held = std::make_shared<const http_request>(request);
  require_login(held, [then](http_response refusal) { then(std::move(refusal)); },
                [this, held, then](const authenticated& auth) {
                  downloads_->serve(*held, auth.owner.user_id, then);
                });
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
    return logout(std::make_shared<const http_request>(std::move(request)), client,
                  std::move(respond));
  }
  if (path == "/api/me") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return me(std::make_shared<const http_request>(std::move(request)), std::move(respond));
  }
  if (path == "/api/registration") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return registration(std::make_shared<const http_request>(std::move(request)),
                        std::move(respond));
  }
  if (path.starts_with("/api/me/")) {
    return account(std::make_shared<const http_request>(std::move(request)), client,
                   std::move(respond));
  }
  if (s_.exports != nullptr && path.starts_with("/api/rooms/") && path.ends_with("/export")) {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return export_room(std::make_shared<const http_request>(std::move(request)),
                       std::move(respond));
  }
  if ((path == "/api/password-reset" || path == "/api/password-reset/check")) {
    return account_.handle_reset(request, path, client, std::move(respond));
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
  if (path.starts_with("/api/admin/")) {
    return administer(std::make_shared<const http_request>(std::move(request)), std::move(respond));
  }
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

void request_handler::logout(std::shared_ptr<const http_request> request,
                             const client_address& client, respond_fn respond) {
  require_login(request, respond, [this, request, client, respond](authenticated auth) {
    const auto digest = auth.digest;  // (the lambda's captures are built in no fixed order)
    s_.sessions.revoke_token(digest, [this, auth = std::move(auth), request, client, respond](
                                         bool stored, bool&) {
      // Not revoked, so the connections stay: the client may simply retry.
      if (!stored) return respond(database_busy(*request));
      s_.connections.close_token(auth.digest, 4001, "logged out");
      spdlog::info("logout: user={}", auth.owner.username);
      auto response = json_response(http::status::ok, *request, {{"ok", true}});
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
  });
}

void request_handler::administer(std::shared_ptr<const http_request> request, respond_fn respond) {
  require_login(request, respond, [this, request, respond](const authenticated& auth) {
    // Whatever the path or method: a member learns nothing about what exists here.
    if (!auth.owner.admin) {
      return respond(
          json_error(http::status::forbidden, *request, "forbidden", "administrators only"));
    }
    admin_.handle(*request, path_of(*request), {auth.owner.user_id, auth.owner.username},
                   respond);
  });
}

void request_handler::account(std::shared_ptr<const http_request> request,
                              const client_address& client, respond_fn respond) {
  require_login(request, respond, [this, request, client, respond](authenticated auth) {
    account_.handle_me(
        *request, path_of(*request),
        {auth.owner.user_id, std::move(auth.owner.username), std::move(auth.digest)}, client,
        respond);
  });
}

void request_handler::export_room(std::shared_ptr<const http_request> request,
                                  respond_fn respond) {
  require_login(request, respond, [this, request, respond](const authenticated& auth) {
    constexpr std::string_view prefix = "/api/rooms/";
    constexpr std::string_view suffix = "/export";
    const auto path = path_of(*request);
    const auto room = path.size() > prefix.size() + suffix.size()
                          ? positive_id(path.substr(prefix.size(),
                                                    path.size() - prefix.size() - suffix.size()))
                          : std::nullopt;
    auto& chat = s_.chat;
    // A room the user is not in is as unknown as one that does not exist.
    if (!room || !chat.is_member(*room, auth.owner.user_id)) {
      return respond(json_error(http::status::not_found, *request, "not_found", "no such room"));
    }
    s_.exports->start(*request, *room, chat.room_file_stem(*room), respond);
  });
}

void request_handler::registration(std::shared_ptr<const http_request> request,
                                   respond_fn respond) {
  std::optional<std::string> invite;
  if (const auto code = query_parameter(request->target(), "invite")) {
    invite = percent_decode(*code).value_or(std::string());
  }
  s_.sessions.registration(
      std::move(invite), epoch_ms(), [request, respond](bool read, registration_state& state) {
        if (!read) return respond(database_busy(*request));
        json body{{"mode", to_string(state.mode)}};
        if (state.invitation) body["invitation"] = to_string(*state.invitation);
        respond(json_response(http::status::ok, *request, std::move(body)));
      });
}

void request_handler::me(std::shared_ptr<const http_request> request, respond_fn respond) {
  require_login(request, respond, [request, respond](const authenticated& auth) {
    respond(json_response(http::status::ok, *request,
                          {{"username", auth.owner.username},
                           {"expires_at", auth.owner.expires_at_ms},
                           {"admin", auth.owner.admin}}));
  });
}

void request_handler::authorize_websocket(const http_request& request,
                                          const std::optional<boost::asio::ip::address>& peer,
                                          std::function<void(upgrade_decision)> then) {
  if (request[http::field::sec_websocket_version] != "13") {
    auto response = json_error(http::status::upgrade_required, request,
                               "unsupported_websocket_version",
                               "only WebSocket version 13 is supported");
    response.set(http::field::sec_websocket_version, "13");
    return then(std::move(response));
  }
  if (!ws::is_valid_client_key(request[http::field::sec_websocket_key])) {
    return then(json_error(http::status::bad_request, request, "bad_websocket_key",
                           "Sec-WebSocket-Key must be 16 bytes in base64"));
  }
  if (!origin_allowed(request)) {
    return then(json_error(http::status::forbidden, request, "forbidden_origin",
                           "WebSocket connections from this origin are not allowed"));
  }
  auto held = std::make_shared<const http_request>(request);
  auto address = resolve_client(request, peer).address;
  require_login(
      held, [then](http_response refusal) { then(std::move(refusal)); },
      [this, held, address = std::move(address), then](authenticated auth) {
        // Counted when the answer comes: others may have connected while the store was asked.
        const bool server_full = s_.connections.admitted_count() >= s_.config.max_connections;
        if (server_full || s_.connections.admitted_of(auth.owner.user_id) >=
                               s_.config.max_connections_per_user) {
          ++metrics().connections_refused;
          auto response = json_error(http::status::service_unavailable, *held,
                                     "too_many_connections",
                                     server_full ? "the server is at its connection limit"
                                                 : "too many open connections for this user");
          response.set(http::field::retry_after, "5");
          return then(std::move(response));
        }
        // For the sessions list; a connection does not wait for it.
        s_.sessions.touch_token(auth.digest, epoch_ms(), address);
        then(peer_identity{auth.owner.user_id, std::move(auth.owner.username),
                           std::move(auth.digest), auth.owner.expires_at_ms});
      });
}

namespace {

// The well-formed session tokens a request carries, in the order they are tried. The
// Authorization header alone when there is one; else the __Host- cookie first (only an HTTPS
// response from this very host can have set it), then the plain one, so a login from before
// HTTPS was set up keeps working.
std::vector<std::string> presented_tokens(const http::request_header<>& request) {
  std::vector<std::string> out;
  const auto add = [&](std::optional<std::string_view> token) {
    if (token && well_formed_token(*token)) out.emplace_back(*token);
  };
  if (const auto header = request.find(http::field::authorization); header != request.end()) {
    add(bearer_token(header->value()));
    return out;
  }
  if (const auto cookie = request.find(http::field::cookie); cookie != request.end()) {
    for (const auto name : {secure_token_cookie, token_cookie}) {
      add(find_cookie(cookie->value(), name));
    }
  }
  return out;
}

}  // namespace

void request_handler::authenticate(const http::request_header<>& request, authenticated_fn then) {
  check_tokens(presented_tokens(request), 0, std::move(then));
}

void request_handler::check_tokens(std::vector<std::string> tokens, std::size_t next,
                                   authenticated_fn then) {
  if (next == tokens.size()) return then(true, std::nullopt);
  auto digest = token_digest(tokens[next]);
  s_.sessions.find_token(
      digest, epoch_ms(),
      [this, tokens = std::move(tokens), next, digest, then = std::move(then)](
          bool ok, std::optional<token_owner>& owner) mutable {
        if (!ok) return then(false, std::nullopt);
        if (owner) return then(true, authenticated{std::move(*owner), std::move(digest)});
        check_tokens(std::move(tokens), next + 1, std::move(then));
      });
}

void request_handler::require_login(std::shared_ptr<const http_request> request,
                                    respond_fn respond, std::function<void(authenticated)> then) {
  authenticate(*request, [request, respond = std::move(respond), then = std::move(then)](
                             bool ok, std::optional<authenticated> auth) {
    if (!ok) return respond(database_busy(*request));
    if (!auth) {
      return respond(
          json_error(http::status::unauthorized, *request, "unauthorized", "not logged in"));
    }
    then(std::move(*auth));
  });
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
