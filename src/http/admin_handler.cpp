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
      if (method == http::verb::get) return invitations(request, std::move(respond));
      if (method == http::verb::post) return invite(request, by, std::move(respond));
      return respond(method_not_allowed(request, "GET, POST"));
    }
    if (what == "registration") {
      if (method == http::verb::post) return set_registration(request, by, std::move(respond));
      return respond(method_not_allowed(request, "POST"));
    }
    if (what == "export" && s_.exports != nullptr) {
      if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
      return s_.exports->start(request, std::nullopt, "all-rooms", std::move(respond));
    }
    if (what == "users" || what == "audit" || what == "rooms") {
      if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
      if (what == "users") return users(request, std::move(respond));
      if (what == "audit") return audit(request, std::move(respond));
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

void admin_handler::users(const http_request& request, respond_fn respond) {
  auto held = std::make_shared<http_request>(request);
  s_.store.users(epoch_ms(), [held, respond](bool ok, std::vector<account_summary>& found) {
    if (!ok) return respond(database_busy(*held));
    auto users = nlohmann::json::array();
    for (const auto& u : found) users.push_back(user_json(u));
    respond(json_response(http::status::ok, *held, {{"users", std::move(users)}}));
  });
}

void admin_handler::audit(const http_request& request, respond_fn respond) {
  auto held = std::make_shared<http_request>(request);
  s_.store.audit(audit_entries, [held, respond](bool ok, std::vector<audit_entry>& found) {
    if (!ok) return respond(database_busy(*held));
    auto entries = nlohmann::json::array();
    for (const auto& e : found) {
      entries.push_back({{"at", e.at}, {"admin", optional_json(e.admin)}, {"action", e.action},
                         {"user", optional_json(e.user)}, {"detail", e.detail}});
    }
    respond(json_response(http::status::ok, *held, {{"entries", std::move(entries)}}));
  });
}

void admin_handler::change_user(const http_request& request, const std::string& username,
                                const std::string& action, const admin& by, respond_fn respond) {
  const auto what = action == "promote"      ? account_action::promote
                    : action == "demote"     ? account_action::demote
                    : action == "deactivate" ? account_action::deactivate
                                             : account_action::reactivate;
  auto held = std::make_shared<http_request>(request);
  s_.store.change_account(
      username, what, by.id, epoch_ms(),
      [this, held, username, action, admin_name = by.name, respond](bool stored,
                                                                    account_outcome& done) {
        const auto& request = *held;
        if (!stored) return respond(database_busy(request));
        switch (done.result.outcome) {
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
              s_.connections.close_user(done.result.user_id, 4001, "account deactivated");
            }
            break;
          case account_change::unchanged:
            break;
        }
        respond(json_response(http::status::ok, request, {{"user", user_json(*done.user)}}));
      });
}

void admin_handler::reset_link(const http_request& request, const std::string& username,
                               const admin& by, respond_fn respond) {
  auto code = generate_token();
  const auto now = epoch_ms();
  const auto expires_at = now + reset_link_ms;
  auto held = std::make_shared<http_request>(request);
  s_.store.create_reset(
      username, token_digest(code), expires_at, by.id, now,
      [held, code, expires_at, username, admin_name = by.name, respond](bool stored, bool& found) {
        const auto& request = *held;
        if (!stored) return respond(database_busy(request));
        if (!found) {
          return respond(json_error(http::status::not_found, request, "not_found",
                                    "no user called " + username));
        }
        spdlog::info("admin: {} made a password reset link for {}", admin_name, username);
        respond(json_response(http::status::created, request,
                              {{"code", code}, {"expires_at", expires_at}}));
      });
}

}  // namespace chatterbox
