// admin_handler: who may register, and the invitation links that let people in.

#include "chatterbox/http/admin_handler.hpp"

#include "chatterbox/auth/token.hpp"
#include "chatterbox/clock.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

namespace chatterbox {
namespace {

using json = nlohmann::json;

constexpr int listed_invitations = 200;
constexpr int default_expiry_hours = 7 * 24;
constexpr int max_expiry_hours = 365 * 24;
constexpr int max_invitation_uses = 10'000;
constexpr std::int64_t hour_ms = 60LL * 60 * 1000;

json invitation_json(const invitation& i) {
  return {{"code", i.code},
          {"created_by", i.created_by ? json(*i.created_by) : json(nullptr)},
          {"created_at", i.created_at},
          {"expires_at", i.expires_at},
          {"max_uses", i.max_uses ? json(*i.max_uses) : json(nullptr)},
          {"uses", i.uses},
          {"revoked", i.revoked}};
}

struct invitation_terms {
  int expires_in_hours = default_expiry_hours;
  std::optional<int> max_uses;
};

std::optional<invitation_terms> terms_of(const json& body) {
  invitation_terms terms;
  if (const auto it = body.find("expires_in_hours"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) return std::nullopt;
    const auto hours = it->get<std::int64_t>();
    if (hours < 1 || hours > max_expiry_hours) return std::nullopt;
    terms.expires_in_hours = static_cast<int>(hours);
  }
  if (const auto it = body.find("max_uses"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer()) return std::nullopt;
    const auto uses = it->get<std::int64_t>();
    if (uses < 1 || uses > max_invitation_uses) return std::nullopt;
    terms.max_uses = static_cast<int>(uses);
  }
  return terms;
}

}  // namespace

void admin_handler::set_registration(const http_request& request, const admin& by,
                                     respond_fn respond) {
  const auto body = json_object_body(request);
  const auto it = body ? body->find("mode") : json::const_iterator();
  const auto mode = body && it != body->end() && it->is_string()
                        ? parse_registration_mode(it->get<std::string>())
                        : std::nullopt;
  if (!mode) {
    return respond(json_error(http::status::bad_request, request, "invalid_mode",
                              "mode must be open, invitation or closed"));
  }
  auto held = std::make_shared<http_request>(request);
  s_.store.set_registration(
      *mode, by.id, epoch_ms(),
      [held, mode = *mode, admin_name = by.name, respond](bool stored, bool&) {
        if (!stored) return respond(database_busy(*held));
        spdlog::info("admin: {} set registration to {}", admin_name, to_string(mode));
        respond(json_response(http::status::ok, *held, {{"mode", to_string(mode)}}));
      });
}

void admin_handler::invitations(const http_request& request, respond_fn respond) {
  auto held = std::make_shared<http_request>(request);
  s_.store.invitations(listed_invitations,
                       [held, respond](bool ok, std::vector<invitation>& found) {
                         if (!ok) return respond(database_busy(*held));
                         auto list = json::array();
                         for (const auto& i : found) list.push_back(invitation_json(i));
                         respond(json_response(http::status::ok, *held,
                                               {{"invitations", std::move(list)}}));
                       });
}

void admin_handler::invite(const http_request& request, const admin& by, respond_fn respond) {
  const auto body = json_object_body(request);
  const auto terms = body ? terms_of(*body) : std::nullopt;
  if (!terms) {
    return respond(json_error(http::status::bad_request, request, "invalid_invitation",
                              "expires_in_hours must be 1-8760 and max_uses 1-10000 or null"));
  }
  const auto now = epoch_ms();
  auto held = std::make_shared<http_request>(request);
  s_.store.invite(generate_token(), by.id, now, now + terms->expires_in_hours * hour_ms,
                  terms->max_uses,
                  [held, admin_name = by.name, respond](bool stored, invitation& created) {
                    if (!stored) return respond(database_busy(*held));
                    spdlog::info("admin: {} created an invitation", admin_name);
                    respond(json_response(http::status::created, *held,
                                          {{"invitation", invitation_json(created)}}));
                  });
}

void admin_handler::revoke_invitation(const http_request& request, const std::string& code,
                                      const admin& by, respond_fn respond) {
  auto held = std::make_shared<http_request>(request);
  s_.store.revoke_invitation(
      code, by.id, epoch_ms(), [held, respond](bool stored, std::optional<invitation>& revoked) {
        if (!stored) return respond(database_busy(*held));
        if (!revoked) {
          return respond(
              json_error(http::status::not_found, *held, "not_found", "no such invitation"));
        }
        respond(json_response(http::status::ok, *held, {{"invitation", invitation_json(*revoked)}}));
      });
}

}  // namespace chatterbox
