#include "chatterbox/http/login_handler.hpp"

#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"
#include "chatterbox/http/session_cookie.hpp"
#include "chatterbox/observability/metrics.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace chatterbox {
namespace {

using json = nlohmann::json;

login_throttle::policy throttle_policy(const server_config& config) {
  login_throttle::policy policy;
  policy.free_failures = config.login_free_failures;
  policy.max_delay = config.login_max_delay;
  policy.address_failures_per_minute = config.login_failures_per_address;
  policy.max_pending_per_address = config.max_pending_logins_per_address;
  return policy;
}

// A User-Agent is only shown back to its owner; a longer one is no more recognisable.
constexpr std::size_t max_user_agent_bytes = 256;

}  // namespace

new_session start_session(std::chrono::seconds ttl) {
  new_session session{generate_token(), epoch_ms(), 0};
  session.expires_at =
      session.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  return session;
}

session_origin origin_of(const http_request& request, const client_address& client) {
  std::string agent(request[http::field::user_agent].substr(0, max_user_agent_bytes));
  // Browsers send ASCII; anything else becomes '?' so the session list is always valid JSON.
  for (auto& c : agent) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return session_origin{std::move(agent), client.address};
}

login_handler::login_handler(services s) : s_(s), throttle_(throttle_policy(s.config)) {}

void login_handler::handle(http_request&& request, client_address client, respond_fn respond) {
  const auto body = json_object_body(request);
  if (!body) return respond(invalid_json(request));
  const auto username = string_field(*body, "username");
  const auto password = string_field(*body, "password");
  std::optional<std::string> invite;
  if (const auto it = body->find("invite"); it != body->end() && it->is_string()) {
    invite = it->get<std::string>();
  }
  if (!valid_username(username)) {
    return respond(json_error(http::status::bad_request, request, "invalid_username",
                              "username must be 1-32 characters of A-Z a-z 0-9 _ . -"));
  }
  if (!valid_password(password)) {
    return respond(json_error(http::status::bad_request, request, "invalid_password",
                              "password must be 8-128 bytes"));
  }

  // Before the password is looked at: a pair that must wait learns nothing by guessing.
  const auto decision = throttle_.admit(username, client.key, login_throttle::clock::now());
  if (!decision.allowed()) return respond(login_throttled(request, username, client, decision));
  // From here every path settles the admitted attempt exactly once: succeeded, failed or
  // abandoned.

  auto shared_request = std::make_shared<http_request>(std::move(request));
  s_.sessions.find_user(
      username, [this, shared_request, username, password, invite = std::move(invite), client,
                 respond](bool read, std::optional<user_record>& user) mutable {
        if (!read) {
          throttle_.abandoned(username, client.key, login_throttle::clock::now());
          return respond(database_busy(*shared_request));
        }
        if (user) {
          return verify(shared_request, *user, username, password, client, std::move(respond));
        }
        register_account(shared_request, username, password, std::move(invite), client,
                         std::move(respond));
      });
}

namespace {

// The hashing queue is full: the admitted attempt is abandoned, the client retries.
http_response logins_busy(const http_request& request) {
  auto response = json_error(http::status::service_unavailable, request, "busy",
                             "too many logins in progress; retry shortly");
  response.set(http::field::retry_after, "1");
  return response;
}

std::pair<std::string_view, std::string_view> refusal_words(registration_refusal refusal) {
  switch (refusal) {
    case registration_refusal::closed:
      return {"registration_closed", "this server does not take new accounts"};
    case registration_refusal::invitation_required:
      return {"invitation_required", "new accounts need an invitation link"};
    case registration_refusal::invitation_invalid:
      break;
  }
  return {"invitation_invalid", "this invitation is expired, used up or revoked"};
}

http_response refused_registration(const http_request& request, registration_refusal refusal) {
  const auto [code, message] = refusal_words(refusal);
  return json_error(http::status::forbidden, request, code, message);
}

}  // namespace

void login_handler::verify(std::shared_ptr<http_request> request, const user_record& user,
                           const std::string& username, const std::string& password,
                           const client_address& client, respond_fn respond) {
  const bool queued = s_.hasher.async_verify(
      user.password_hash, password, [this, request, user, username, client, respond](bool ok) {
        const auto now = login_throttle::clock::now();
        if (ok) {
          throttle_.succeeded(username, client.key, now);
          // Only with the right password: a wrong one is the same 401 as for anyone.
          if (user.deactivated) {
            spdlog::info("login refused: user={} is deactivated", user.username);
            return respond(json_error(http::status::forbidden, *request, "deactivated",
                                      "this account is deactivated"));
          }
          return finish_login(request, user, client, respond);
        }
        throttle_.failed(username, client.key, now);
        spdlog::info("login failed: user={} from={}", user.username, client.address);
        ++metrics().login_failures;
        respond(json_error(http::status::unauthorized, *request, "invalid_credentials",
                           "wrong username or password"));
      });
  if (!queued) {
    throttle_.abandoned(username, client.key, login_throttle::clock::now());
    respond(logins_busy(*request));
  }
}

void login_handler::register_account(std::shared_ptr<http_request> request,
                                     const std::string& username, const std::string& password,
                                     std::optional<std::string> invite,
                                     const client_address& client, respond_fn respond) {
  // Refused before the (deliberately slow) hash; decided for good in the transaction.
  s_.sessions.registration_refused(
      invite, epoch_ms(),
      [this, request, username, password, invite, client, respond](
          bool read, std::optional<registration_refusal>& refused) {
        if (!read || refused) {
          throttle_.abandoned(username, client.key, login_throttle::clock::now());
          return respond(read ? refused_registration(*request, *refused)
                              : database_busy(*request));
        }
        const bool queued = s_.hasher.async_hash(
            password, [this, request, username, invite, client,
                       respond](std::optional<std::string> hash) mutable {
              if (!hash) {
                throttle_.abandoned(username, client.key, login_throttle::clock::now());
                return respond(json_error(http::status::internal_server_error, *request,
                                          "internal", "could not hash the password"));
              }
              create_account(request, username, std::move(*hash), invite, client,
                             std::move(respond));
            });
        if (!queued) {
          throttle_.abandoned(username, client.key, login_throttle::clock::now());
          respond(logins_busy(*request));
        }
      });
}

void login_handler::create_account(std::shared_ptr<http_request> request,
                                   const std::string& username, std::string hash,
                                   std::optional<std::string> invite,
                                   const client_address& client, respond_fn respond) {
  const auto session = start_session(s_.config.token_ttl);
  new_account account{username, std::move(hash), std::move(invite),
                      new_token{token_digest(session.token), 0, session.created_at,
                                session.expires_at, origin_of(*request, client)}};
  s_.sessions.create_account(
      std::move(account), [this, session, request, username, client, respond](
                              bool stored, account_creation& result) {
        const auto now = login_throttle::clock::now();
        if (!stored) {
          throttle_.abandoned(username, client.key, now);
          return respond(database_busy(*request));
        }
        if (result.refused) {
          throttle_.abandoned(username, client.key, now);
          return respond(refused_registration(*request, *result.refused));
        }
        if (!result.user) {
          // Someone registered the name while we hashed: this is now an ordinary login,
          // admitted afresh.
          throttle_.abandoned(username, client.key, now);
          return handle(std::move(*request), client, respond);
        }
        throttle_.succeeded(username, client.key, now);
        if (s_.account_created) {
          s_.account_created(result.user->id, result.user->username, result.seq);
        }
        respond(logged_in(*request, *result.user, true, session.token, session.expires_at,
                          client));
      });
}

void login_handler::finish_login(std::shared_ptr<http_request> request, const user_record& user,
                                 const client_address& client, respond_fn respond) {
  const auto session = start_session(s_.config.token_ttl);
  s_.sessions.store_token(
      new_token{token_digest(session.token), user.id, session.created_at, session.expires_at,
                origin_of(*request, client)},
      [this, session, request, user, client, respond](bool stored, bool&) {
        if (!stored) return respond(database_busy(*request));
        respond(logged_in(*request, user, false, session.token, session.expires_at, client));
      });
}

http_response login_handler::logged_in(const http_request& request, const user_record& user,
                                         bool created, const std::string& token,
                                         std::int64_t expires_at, const client_address& client) {
  spdlog::info("login: user={} created={} from={}", user.username, created, client.address);
  ++metrics().logins;
  auto response = json_response(created ? http::status::created : http::status::ok, request,
                                {{"token", token},
                                 {"username", user.username},
                                 {"expires_at", expires_at},
                                 {"created", created},
                                 {"admin", user.admin}});
  response.set(http::field::set_cookie,
               session_cookie(client.https ? secure_token_cookie : token_cookie, token,
                             s_.config.token_ttl, client.https));
  return response;
}

http_response login_handler::login_throttled(const http_request& request,
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

}  // namespace chatterbox
