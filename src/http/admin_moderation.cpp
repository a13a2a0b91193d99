// admin_handler: moderation — archive any room, delete any message (the chat does the change
// and its broadcast; see chat_moderation.cpp).

#include "chatterbox/http/admin_handler.hpp"

#include "chatterbox/http/positive_id.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>

namespace chatterbox {
namespace {

// The answer once the chat has decided: `ok` on success.
chat_service::change_done answer(std::shared_ptr<http_request> request,
                                 admin_handler::respond_fn respond, nlohmann::json ok) {
  return [request, respond, ok = std::move(ok)](bool stored,
                                               const std::optional<protocol_error>& refused) {
    if (!stored) return respond(database_busy(*request));
    if (!refused) return respond(json_response(http::status::ok, *request, ok));
    const auto status =
        refused->code == "not_found" ? http::status::not_found : http::status::conflict;
    respond(json_error(status, *request, refused->code, refused->message));
  };
}

}  // namespace

http_response admin_handler::rooms(const http_request& request) {
  auto list = nlohmann::json::array();
  for (const auto& r : s_.chat.rooms_overview()) {
    list.push_back({{"id", r.id},
                    {"name", r.name},
                    {"kind", r.open ? "open" : "private"},
                    {"archived", r.archived},
                    {"members", r.members},
                    {"creator", r.creator}});
  }
  return json_response(http::status::ok, request, {{"rooms", std::move(list)}});
}

void admin_handler::archive_room(const http_request& request, std::string_view id, bool archived,
                                 const admin& by, respond_fn respond) {
  const auto room = positive_id(id);
  if (!room) {
    return respond(json_error(http::status::not_found, request, "not_found", "no such room"));
  }
  spdlog::info("admin: {} {} room {}", by.name, archived ? "archives" : "unarchives", *room);
  s_.chat.archive_as_admin(
      *room, archived, by.id,
      answer(std::make_shared<http_request>(request), std::move(respond),
             {{"room", {{"id", *room}, {"archived", archived}}}}));
}

void admin_handler::delete_message(const http_request& request, std::string_view id,
                                   const admin& by, respond_fn respond) {
  const auto message = positive_id(id);
  if (!message) {
    return respond(json_error(http::status::not_found, request, "not_found", "no such message"));
  }
  spdlog::info("admin: {} deletes message {}", by.name, *message);
  s_.chat.delete_as_admin(*message, by.id,
                          answer(std::make_shared<http_request>(request), std::move(respond),
                                 {{"ok", true}}));
}

}  // namespace chatterbox
