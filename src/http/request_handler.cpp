#include "chatterbox/http/request_handler.hpp"

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

std::string_view path_of(const http_request& request) {
  std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

http_response method_not_allowed(const http_request& request, std::string_view allow) {
  auto response =
      json_error(http::status::method_not_allowed, request, "method_not_allowed",
                 "method not allowed");
  response.set(http::field::allow, allow);
  return response;
}

bool is_json(const http_request& request) {
  const std::string_view type = request[http::field::content_type];
  const auto media = type.substr(0, type.find(';'));
  return beast::iequals(media, "application/json");
}

std::string cookie_header(std::string_view name, std::string_view token,
                          std::chrono::seconds max_age, bool secure) {
  return std::string(name) + "=" + std::string(token) + (secure ? "; Secure" : "") +
         "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + std::to_string(max_age.count());
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

login_throttle::policy throttle_policy(const server_config& config) {
  login_throttle::policy policy;
  policy.free_failures = config.login_free_failures;
  policy.max_delay = config.login_max_delay;
  policy.address_failures_per_minute = config.login_failures_per_address;
  policy.max_pending_per_address = config.max_pending_logins_per_address;
  return policy;
}

}  // namespace

request_handler::request_handler(services s)
    : s_(s), clients_(make_resolver(s.config)), logins_(throttle_policy(s.config)) {}

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
    return login(std::move(request), std::move(client), std::move(respond));
  }
  if (path == "/api/logout") {
    if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    return logout(request, client, std::move(respond));
  }
  if (path == "/api/me") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return respond(me(request));
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

void request_handler::login(http_request&& request, client_address client, respond_fn respond) {
  const json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return respond(
        json_error(http::status::bad_request, request, "invalid_json", "body must be a JSON object"));
  }
  const auto username = body.value("username", json()).is_string()
                            ? body["username"].get<std::string>()
                            : std::string();
  const auto password = body.value("password", json()).is_string()
                            ? body["password"].get<std::string>()
                            : std::string();
  if (!valid_username(username)) {
    return respond(json_error(http::status::bad_request, request, "invalid_username",
                              "username must be 1-32 characters of A-Z a-z 0-9 _ . -"));
  }
  if (!valid_password(password)) {
    return respond(json_error(http::status::bad_request, request, "invalid_password",
                              "password must be 8-128 bytes"));
  }

  // Before the password is looked at: a pair that must wait learns nothing by guessing.
  const auto decision = logins_.admit(username, client.key, login_throttle::clock::now());
  if (!decision.allowed()) return respond(login_throttled(request, username, client, decision));
  // From here every path settles the admitted attempt exactly once: succeeded, failed or
  // abandoned.

  auto shared_request = std::make_shared<http_request>(std::move(request));
  const auto busy = [&] {
    logins_.abandoned(username, client.key, login_throttle::clock::now());
    auto response = json_error(http::status::service_unavailable, *shared_request, "busy",
                               "too many logins in progress; retry shortly");
    response.set(http::field::retry_after, "1");
    respond(std::move(response));
  };

  if (auto user = s_.users.find_by_name(username)) {
    const bool queued = s_.hasher.async_verify(
        user->password_hash, password,
        [this, shared_request, user = *user, username, client, respond](bool ok) {
          const auto now = login_throttle::clock::now();
          if (ok) {
            logins_.succeeded(username, client.key, now);
            return finish_login(shared_request, user, client, respond);
          }
          logins_.failed(username, client.key, now);
          spdlog::info("login failed: user={} from={}", user.username, client.address);
          ++metrics().login_failures;
          respond(json_error(http::status::unauthorized, *shared_request, "invalid_credentials",
                             "wrong username or password"));
        });
    if (!queued) busy();
    return;
  }

  const bool queued = s_.hasher.async_hash(
      password, [this, shared_request, username, client,
                 respond](std::optional<std::string> hash) mutable {
        if (!hash) {
          logins_.abandoned(username, client.key, login_throttle::clock::now());
          return respond(json_error(http::status::internal_server_error, *shared_request,
                                    "internal", "could not hash the password"));
        }
        create_account(shared_request, username, std::move(*hash), client, std::move(respond));
      });
  if (!queued) busy();
}

namespace {

struct new_session {
  std::string token = generate_token();
  std::int64_t created_at = epoch_ms();
  std::int64_t expires_at = 0;
};

new_session start_session(std::chrono::seconds ttl) {
  new_session session;
  session.expires_at =
      session.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  return session;
}

http_response storage_busy(const http_request& request) {
  auto response = json_error(http::status::service_unavailable, request, "busy",
                             "the database is busy; retry shortly");
  response.set(http::field::retry_after, "1");
  return response;
}

}  // namespace

void request_handler::create_account(std::shared_ptr<http_request> request,
                                     const std::string& username, std::string hash,
                                     const client_address& client, respond_fn respond) {
  struct outcome {
    new_session session;
    std::optional<user_record> user;
  };
  auto result = std::make_shared<outcome>(outcome{start_session(s_.config.token_ttl), {}});
  // The account and its first token in one transaction: never an account without its login.
  s_.writes.submit(
      [this, result, username, hash = std::move(hash)] {
        result->user = s_.users.create(username, hash, result->session.created_at);
        if (result->user) {
          s_.tokens.store(token_digest(result->session.token), result->user->id,
                          result->session.created_at, result->session.expires_at);
        }
      },
      [this, result, request, username, client, respond](bool stored) {
        const auto now = login_throttle::clock::now();
        if (!stored) {
          logins_.abandoned(username, client.key, now);
          return respond(storage_busy(*request));
        }
        if (!result->user) {
          // Someone registered the name while we hashed: this is now an ordinary login,
          // admitted afresh.
          logins_.abandoned(username, client.key, now);
          return login(std::move(*request), client, respond);
        }
        logins_.succeeded(username, client.key, now);
        respond(logged_in(*request, *result->user, true, result->session.token,
                          result->session.expires_at, client));
      });
}

void request_handler::finish_login(std::shared_ptr<http_request> request, const user_record& user,
                                   const client_address& client, respond_fn respond) {
  auto session = std::make_shared<new_session>(start_session(s_.config.token_ttl));
  s_.writes.submit(
      [this, session, user_id = user.id] {
        s_.tokens.store(token_digest(session->token), user_id, session->created_at,
                        session->expires_at);
      },
      [this, session, request, user, client, respond](bool stored) {
        if (!stored) return respond(storage_busy(*request));
        respond(logged_in(*request, user, false, session->token, session->expires_at, client));
      });
}

http_response request_handler::logged_in(const http_request& request, const user_record& user,
                                         bool created, const std::string& token,
                                         std::int64_t expires_at, const client_address& client) {
  spdlog::info("login: user={} created={} from={}", user.username, created, client.address);
  ++metrics().logins;
  auto response = json_response(created ? http::status::created : http::status::ok, request,
                                {{"token", token},
                                 {"username", user.username},
                                 {"expires_at", expires_at},
                                 {"created", created}});
  response.set(http::field::set_cookie,
               cookie_header(client.https ? secure_token_cookie : token_cookie, token,
                             s_.config.token_ttl, client.https));
  return response;
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
        if (!stored) return respond(storage_busy(*shared_request));
        s_.connections.close_token(auth.digest, 4001, "logged out");
        spdlog::info("logout: user={}", auth.owner.username);
        auto response = json_response(http::status::ok, *shared_request, {{"ok", true}});
        // The plain cookie may be left from before the server was behind HTTPS; the __Host-
        // one can only exist (and only be cleared) over HTTPS.
        response.set(http::field::set_cookie,
                     cookie_header(token_cookie, "", std::chrono::seconds(0), client.https));
        if (client.https) {
          response.insert(http::field::set_cookie,
                          cookie_header(secure_token_cookie, "", std::chrono::seconds(0), true));
        }
        respond(std::move(response));
      });
}

http_response request_handler::me(const http_request& request) {
  const auto auth = authenticate(request);
  if (!auth) {
    return json_error(http::status::unauthorized, request, "unauthorized", "not logged in");
  }
  return json_response(http::status::ok, request,
                       {{"username", auth->owner.username}, {"expires_at", auth->owner.expires_at_ms}});
}

std::variant<peer_identity, http_response> request_handler::authorize_websocket(
    const http_request& request) {
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
  return peer_identity{auth->owner.user_id, std::move(auth->owner.username),
                       std::move(auth->digest), auth->owner.expires_at_ms};
}

std::optional<request_handler::authenticated> request_handler::authenticate(
    const http_request& request) {
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

http_response request_handler::login_throttled(const http_request& request,
                                               const std::string& username,
                                               const client_address& client,
                                               const login_throttle::decision& decision) {
  ++metrics().rate_limited;
  std::string_view why = "too many failed logins for this username from your address";
  if (decision.outcome == login_throttle::verdict::address_over_limit) {
    why = "too many failed logins from your address";
  } else if (decision.outcome == login_throttle::verdict::address_busy) {
    why = "too many logins in progress from your address";
  }
  const auto seconds = (decision.retry_after.count() + 999) / 1000;
  spdlog::info("login throttled: user={} from={}: {}; retry in {} s", username, client.address, why,
               seconds);
  auto response = json_error(http::status::too_many_requests, request, "rate_limited",
                             std::string(why) + "; retry later");
  response.set(http::field::retry_after, std::to_string(seconds));
  return response;
}

bool request_handler::origin_allowed(const http_request& request) const {
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
