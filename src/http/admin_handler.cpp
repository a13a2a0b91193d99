#include "chatterbox/http/admin_handler.hpp"

#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::string_view admin_prefix = "/api/admin/";
constexpr int audit_entries = 200;
constexpr std::int64_t reset_link_ms = 24LL * 60 * 60 * 1000;

nlohmann::json user_json(const account_summary& u) {
  return {{"username", u.username}, {"admin", u.admin},   {"deactivated", u.deactivated},
          {"created_at", u.created_at}, {"sessions", u.sessions}};
}

nlohmann::json optional_json(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

// "users/bob/promote" → {"users", "bob", "promote"}.
std::vector<std::string_view> segments(std::string_view rest) {
  std::vector<std::string_view> out;
  while (true) {
    const auto slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    rest.remove_prefix(slash + 1);
  }
}

}  // namespace

admin_handler::admin_handler(services s) : s_(s) {}

void admin_handler::handle(const http_request& request, std::string_view path, const admin& by,
                           respond_fn respond) {
  const auto method = request.method();
  const auto parts = segments(path.substr(admin_prefix.size()));
  const auto& what = parts[0];
  if (parts.size() == 1) {
    if (what == "invitations") {
      if (method == http::verb::get) return respond(invitations(request));
      if (method == http::verb::post) return invite(request, by, std::move(respond));
      return respond(method_not_allowed(request, "GET, POST"));
    }
    if (what == "registration") {
      if (method == http::verb::post) return set_registration(request, by, std::move(respond));
      return respond(method_not_allowed(request, "POST"));
    }
    if (what == "export") {
      if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
      return s_.exports.start(request, std::nullopt, "all-rooms", std::move(respond));
    }
    if (what == "users" || what == "audit" || what == "rooms") {
      if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
      if (what == "users") return respond(users(request));
      if (what == "audit") return respond(audit(request));
      return respond(rooms(request));
    }
  }
  if (parts.size() == 3 && !parts[1].empty()) {
    const std::string target(parts[1]);
    const auto& action = parts[2];
    const bool known =
        (what == "users" && (action == "deactivate" || action == "reactivate" ||
                             action == "promote" || action == "demote" ||
                             action == "reset-link")) ||
        (what == "invitations" && action == "revoke") ||
        (what == "rooms" && (action == "archive" || action == "unarchive")) ||
        (what == "messages" && action == "delete");
    if (known && method != http::verb::post) return respond(method_not_allowed(request, "POST"));
    if (known) {
      if (what == "invitations") return revoke_invitation(request, target, by, std::move(respond));
      if (what == "rooms") {
        return archive_room(request, target, action == "archive", by, std::move(respond));
      }
      if (what == "messages") return delete_message(request, target, by, std::move(respond));
      if (action == "reset-link") return reset_link(request, target, by, std::move(respond));
      return change_user(request, target, std::string(action), by, std::move(respond));
    }
  }
  respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
}

http_response admin_handler::users(const http_request& request) {
  auto users = nlohmann::json::array();
  for (const auto& u : s_.accounts.list(epoch_ms())) users.push_back(user_json(u));
  return json_response(http::status::ok, request, {{"users", std::move(users)}});
}

http_response admin_handler::audit(const http_request& request) {
  auto entries = nlohmann::json::array();
  for (const auto& e : s_.audit.recent(audit_entries)) {
    entries.push_back({{"at", e.at}, {"admin", optional_json(e.admin)}, {"action", e.action},
                       {"user", optional_json(e.user)}, {"detail", e.detail}});
  }
  return json_response(http::status::ok, request, {{"entries", std::move(entries)}});
}

void admin_handler::change_user(const http_request& request, const std::string& username,
                                const std::string& action, const admin& by, respond_fn respond) {
  struct outcome {
    account_change_result result;
    std::optional<account_summary> user;
  };
  auto done = std::make_shared<outcome>();
  auto shared_request = std::make_shared<http_request>(request);
  s_.writes.submit(
      [this, done, username, action, admin_id = by.id] {
        const auto now = epoch_ms();
        if (action == "deactivate" || action == "reactivate") {
          done->result = s_.accounts.set_deactivated(username, action == "deactivate", admin_id, now);
        } else {
          done->result = s_.accounts.set_admin(username, action == "promote", admin_id, now);
        }
        done->user = s_.accounts.find(username, now);
      },
      [this, done, shared_request, username, action, admin_name = by.name, respond](bool stored) {
        const auto& request = *shared_request;
        if (!stored) return respond(database_busy(request));
        switch (done->result.outcome) {
          case account_change::no_such_user:
            return respond(json_error(http::status::not_found, request, "not_found",
                                      "no user called " + username));
          case account_change::last_admin:
            return respond(json_error(http::status::conflict, request, "last_admin",
                                      "the last active administrator must stay one"));
          case account_change::self:
            return respond(json_error(http::status::conflict, request, "self",
                                      "another administrator must do this"));
          case account_change::done:
            spdlog::info("admin: {} {} {}", admin_name, action, username);
            // Committed: the user's connections end now (their tokens are already gone).
            if (action == "deactivate") {
              s_.connections.close_user(done->result.user_id, 4001, "account deactivated");
            }
            break;
          case account_change::unchanged:
            break;
        }
        respond(json_response(http::status::ok, request, {{"user", user_json(*done->user)}}));
      });
}

void admin_handler::reset_link(const http_request& request, const std::string& username,
                               const admin& by, respond_fn respond) {
  struct outcome {
    std::string code = generate_token();
    std::int64_t expires_at = epoch_ms() + reset_link_ms;
    bool found = false;
  };
  auto done = std::make_shared<outcome>();
  auto shared_request = std::make_shared<http_request>(request);
  s_.writes.submit(
      [this, done, username, admin_id = by.id] {
        const auto now = epoch_ms();
        const auto user = s_.accounts.find(username, now);
        if (!user) return;
        done->found = true;
        s_.resets.create(token_digest(done->code), user->id, done->expires_at);
        s_.audit.record(admin_id, "reset_link", user->id, "", now);
      },
      [done, shared_request, username, admin_name = by.name, respond](bool stored) {
        const auto& request = *shared_request;
        if (!stored) return respond(database_busy(request));
        if (!done->found) {
          return respond(json_error(http::status::not_found, request, "not_found",
                                    "no user called " + username));
        }
        spdlog::info("admin: {} made a password reset link for {}", admin_name, username);
        respond(json_response(http::status::created, request,
                              {{"code", done->code}, {"expires_at", done->expires_at}}));
      });
}

}  // namespace chatterbox
