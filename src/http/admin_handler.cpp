#include "chatterbox/http/admin_handler.hpp"

#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace chatterbox {
namespace {

constexpr std::string_view users_path = "/api/admin/users";
constexpr int audit_entries = 200;

nlohmann::json user_json(const account_summary& u) {
  return {{"username", u.username}, {"admin", u.admin},   {"deactivated", u.deactivated},
          {"created_at", u.created_at}, {"sessions", u.sessions}};
}

}  // namespace

admin_handler::admin_handler(account_admin& accounts, write_batcher& writes,
                             connection_manager& connections)
    : accounts_(accounts), writes_(writes), connections_(connections) {}

void admin_handler::handle(const http_request& request, std::string_view path,
                           std::int64_t admin_id, const std::string& admin_name,
                           respond_fn respond) {
  const auto method = request.method();
  if (path == users_path) {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    auto users = nlohmann::json::array();
    for (const auto& u : accounts_.list(epoch_ms())) users.push_back(user_json(u));
    return respond(json_response(http::status::ok, request, {{"users", std::move(users)}}));
  }
  if (path == "/api/admin/audit") {
    if (method != http::verb::get) return respond(method_not_allowed(request, "GET"));
    auto entries = nlohmann::json::array();
    for (const auto& e : accounts_.audit(audit_entries)) {
      entries.push_back({{"at", e.at},
                         {"admin", e.admin ? nlohmann::json(*e.admin) : nlohmann::json(nullptr)},
                         {"action", e.action},
                         {"user", e.user}});
    }
    return respond(json_response(http::status::ok, request, {{"entries", std::move(entries)}}));
  }
  // /api/admin/users/{name}/{action}
  if (path.starts_with(users_path) && path.size() > users_path.size() &&
      path[users_path.size()] == '/') {
    const auto rest = path.substr(users_path.size() + 1);
    const auto slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0) {
      const std::string username(rest.substr(0, slash));
      const std::string action(rest.substr(slash + 1));
      if (action == "deactivate" || action == "reactivate" || action == "promote" ||
          action == "demote") {
        if (method != http::verb::post) return respond(method_not_allowed(request, "POST"));
        return change(request, username, action, admin_id, admin_name, std::move(respond));
      }
    }
  }
  respond(json_error(http::status::not_found, request, "not_found", "no such endpoint"));
}

void admin_handler::change(const http_request& request, const std::string& username,
                           const std::string& action, std::int64_t admin_id,
                           const std::string& admin_name, respond_fn respond) {
  struct outcome {
    account_change_result result;
    std::optional<account_summary> user;
  };
  auto done = std::make_shared<outcome>();
  auto shared_request = std::make_shared<http_request>(request);
  writes_.submit(
      [this, done, username, action, admin_id] {
        const auto now = epoch_ms();
        if (action == "deactivate" || action == "reactivate") {
          done->result = accounts_.set_deactivated(username, action == "deactivate", admin_id, now);
        } else {
          done->result = accounts_.set_admin(username, action == "promote", admin_id, now);
        }
        done->user = accounts_.find(username, now);
      },
      [this, done, shared_request, username, action, admin_name, respond](bool stored) {
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
              connections_.close_user(done->result.user_id, 4001, "account deactivated");
            }
            break;
          case account_change::unchanged:
            break;
        }
        respond(json_response(http::status::ok, request, {{"user", user_json(*done->user)}}));
      });
}

}  // namespace chatterbox
