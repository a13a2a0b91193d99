#include "chatterbox/http/account_handler.hpp"

#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <optional>

namespace chatterbox {
namespace {

using json = nlohmann::json;

constexpr std::string_view sessions_path = "/api/me/sessions";
// A session's id in the list: enough of its token's digest to tell sessions apart, too little
// to be worth anything else (the digest is not the token either).
constexpr std::size_t session_id_chars = 16;

http_response invalid_password(const http_request& request) {
  return json_error(http::status::bad_request, request, "invalid_password",
                    "password must be 8-128 bytes");
}

http_response invalid_code(const http_request& request) {
  return json_error(http::status::not_found, request, "invalid_code",
                    "this link is invalid, expired or used");
}

http_response busy_hashing(const http_request& request) {
  auto response = json_error(http::status::service_unavailable, request, "busy",
                             "too many passwords being checked; retry shortly");
  response.set(http::field::retry_after, "1");
  return response;
}

}  // namespace

account_handler::account_handler(services s) : s_(s) {}

void account_handler::handle_me(const http_request& request, std::string_view path,
                                const session& who, const client_address& client,
                                respond_fn respond) {
  const auto method = request.method();
  if (path == "/api/me/password") {
    if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    return change_password(request, who, client, std::move(respond));
  }
  if (path == sessions_path) {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    return sessions(request, who, std::move(respond));
  }
  // /api/me/sessions/{id}/end
  if (path.starts_with(sessions_path) && path.ends_with("/end") &&
      path.size() > sessions_path.size() + 5 && path[sessions_path.size()] == '/') {
    if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    const auto id =
        path.substr(sessions_path.size() + 1, path.size() - sessions_path.size() - 1 - 4);
    return end_session(request, id, who, std::move(respond));
  }
  respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
}

void account_handler::change_password(const http_request& request, const session& who,
                                      const client_address& client, respond_fn respond) {
  const auto body = json_object_body(request);
  if (!body) return respond(invalid_json(request));
  auto current = string_field(*body, "current_password");
  auto replacement = string_field(*body, "new_password");
  if (!valid_password(replacement)) return respond(invalid_password(request));
  auto shared_request = std::make_shared<http_request>(request);
  s_.sessions.find_user(who.username,
                        [this, shared_request, who, client, current = std::move(current),
                         replacement = std::move(replacement),
                         respond](bool ok, std::optional<user_record>& user) mutable {
                          if (!ok) return respond(database_busy(*shared_request));
                          if (!user || user->id != who.user_id) {
                            return respond(json_error(http::status::unauthorized, *shared_request,
                                                      "unauthorized", "not logged in"));
                          }
                          check_password(shared_request, who, client, *user, std::move(current),
                                         std::move(replacement), std::move(respond));
                        });
}

void account_handler::check_password(std::shared_ptr<http_request> request, const session& who,
                                     const client_address& client, const user_record& user,
                                     std::string current, std::string replacement,
                                     respond_fn respond) {
  // A wrong current password is a failed login: a stolen session guesses no faster.
  auto& throttle = s_.logins.throttle();
  const auto decision = throttle.admit(who.username, client.key, login_throttle::clock::now());
  if (!decision.allowed()) {
    return respond(s_.logins.login_throttled(*request, who.username, client, decision));
  }
  const bool queued = s_.hasher.async_verify(
      user.password_hash, std::move(current),
      [this, request, who, client, replacement = std::move(replacement), respond](bool ok) mutable {
        auto& throttle = s_.logins.throttle();
        const auto now = login_throttle::clock::now();
        if (!ok) {
          throttle.failed(who.username, client.key, now);
          return respond(json_error(http::status::unauthorized, *request, "invalid_credentials",
                                    "the current password is wrong"));
        }
        throttle.succeeded(who.username, client.key, now);
        const bool hashing = s_.hasher.async_hash(
            std::move(replacement), [this, request, who, respond](std::optional<std::string> hash) {
              if (!hash) {
                return respond(json_error(http::status::internal_server_error, *request, "internal",
                                          "could not hash the password"));
              }
              store_new_password(request, who, std::move(*hash), respond);
            });
        if (!hashing) respond(busy_hashing(*request));
      });
  if (!queued) {
    throttle.abandoned(who.username, client.key, login_throttle::clock::now());
    respond(busy_hashing(*request));
  }
}

void account_handler::store_new_password(std::shared_ptr<http_request> request, const session& who,
                                         std::string hash, respond_fn respond) {
  s_.sessions.set_password(who.user_id, std::move(hash), who.token_digest,
                           [this, request, who, respond](bool stored, bool&) {
                             if (!stored) return respond(database_busy(*request));
                             spdlog::info("password changed: user={}", who.username);
                             s_.connections.close_user(who.user_id, 4001, "password changed",
                                                       who.token_digest);
                             respond(json_response(http::status::ok, *request, {{"ok", true}}));
                           });
}

void account_handler::sessions(const http_request& request, const session& who,
                               respond_fn respond) {
  auto shared_request = std::make_shared<http_request>(request);
  s_.sessions.sessions_of(
      who.user_id, epoch_ms(),
      [this, shared_request, who, respond](bool ok, std::vector<session_summary>& found) {
        if (!ok) return respond(database_busy(*shared_request));
        auto list = json::array();
        for (const auto& s : found) {
          // `connected`: this node's connections of it (a user's tabs on other nodes are
          // not counted).
          list.push_back(
              {{"id", s.digest.substr(0, session_id_chars)},
               {"browser", s.user_agent},
               {"address", s.address},
               {"created_at", s.created_at},
               {"last_seen_at", s.last_seen_at},
               {"current", s.digest == who.token_digest},
               {"connected", s_.connections.connections_of_token(who.user_id, s.digest)}});
        }
        respond(json_response(http::status::ok, *shared_request, {{"sessions", std::move(list)}}));
      });
}

void account_handler::end_session(const http_request& request, std::string_view id,
                                  const session& who, respond_fn respond) {
  auto shared_request = std::make_shared<http_request>(request);
  s_.sessions.sessions_of(
      who.user_id, epoch_ms(),
      [this, shared_request, id = std::string(id), respond](bool ok,
                                                            std::vector<session_summary>& found) {
        if (!ok) return respond(database_busy(*shared_request));
        std::optional<std::string> digest;
        if (id.size() == session_id_chars) {
          for (auto& s : found) {
            if (s.digest.starts_with(id)) digest = std::move(s.digest);
          }
        }
        if (!digest) {
          return respond(
              json_error(http::status::not_found, *shared_request, "not_found", "no such session"));
        }
        s_.sessions.revoke_token(
            *digest, [this, shared_request, d = *digest, respond](bool stored, bool&) {
              if (!stored) return respond(database_busy(*shared_request));
              s_.connections.close_token(d, 4001, "session ended");
              respond(json_response(http::status::ok, *shared_request, {{"ok", true}}));
            });
      });
}

void account_handler::handle_reset(const http_request& request, std::string_view path,
                                   const client_address& client, respond_fn respond) {
  if (request.method() != http::verb::post) return respond(method_not_allowed(request, "POST"));
  if (path == "/api/password-reset") return reset_password(request, client, std::move(respond));
  if (path != "/api/password-reset/check") {
    return respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
  }
  const auto body = json_object_body(request);
  if (!body) return respond(invalid_json(request));
  const auto code = string_field(*body, "code");
  if (!well_formed_token(code)) return respond(invalid_code(request));
  auto held = std::make_shared<http_request>(request);
  s_.resets.find_reset(token_digest(code), epoch_ms(),
                       [held, respond](bool ok, std::optional<reset_target>& target) {
                         if (!ok) return respond(database_busy(*held));
                         if (!target) return respond(invalid_code(*held));
                         respond(json_response(http::status::ok, *held,
                                               {{"username", target->username},
                                                {"expires_at", target->expires_at}}));
                       });
}

void account_handler::reset_password(const http_request& request, const client_address& client,
                                     respond_fn respond) {
  const auto body = json_object_body(request);
  if (!body) return respond(invalid_json(request));
  const auto code = string_field(*body, "code");
  auto password = string_field(*body, "password");
  if (!well_formed_token(code)) return respond(invalid_code(request));
  if (!valid_password(password)) return respond(invalid_password(request));
  auto digest = token_digest(code);
  auto held = std::make_shared<http_request>(request);
  // Asked before the slow hash, and decided again when the new password is stored: the link
  // may be used or replaced meanwhile.
  s_.resets.find_reset(
      digest, epoch_ms(),
      [this, held, digest, password = std::move(password), client, respond](
          bool ok, std::optional<reset_target>& target) mutable {
        if (!ok) return respond(database_busy(*held));
        if (!target) return respond(invalid_code(*held));
        if (target->deactivated) {
          return respond(json_error(http::status::forbidden, *held, "deactivated",
                                    "this account is deactivated"));
        }
        const bool queued = s_.hasher.async_hash(
            std::move(password),
            [this, held, digest, client, respond](std::optional<std::string> hash) {
              if (!hash) {
                return respond(json_error(http::status::internal_server_error, *held, "internal",
                                          "could not hash the password"));
              }
              store_reset(held, digest, std::move(*hash), client, respond);
            });
        if (!queued) respond(busy_hashing(*held));
      });
}

void account_handler::store_reset(std::shared_ptr<http_request> request, std::string digest,
                                  std::string hash, const client_address& client,
                                  respond_fn respond) {
  const auto session = start_session(s_.config.token_ttl);
  new_token token{token_digest(session.token), 0, session.created_at, session.expires_at,
                  origin_of(*request, client)};
  s_.resets.use_reset(
      std::move(digest), std::move(hash), std::move(token),
      [this, request, session, client, respond](bool stored, reset_use& used) {
        if (!stored) return respond(database_busy(*request));
        if (used.deactivated) {
          return respond(json_error(http::status::forbidden, *request, "deactivated",
                                    "this account is deactivated"));
        }
        if (!used.user) return respond(invalid_code(*request));
        spdlog::info("password reset: user={} from={}", used.user->username, client.address);
        s_.connections.close_user(used.user->id, 4001, "password changed");
        respond(s_.logins.logged_in(*request, *used.user, false, session.token,
                                    session.expires_at, client));
      });
}

}  // namespace chatterbox
