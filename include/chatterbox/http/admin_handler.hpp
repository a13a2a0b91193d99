#pragma once

#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/http/export_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/store/admin_store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace chatterbox {

// /api/admin/… (docs/protocol.md, "Administration"): accounts, registration and invitations,
// password reset links, moderation of rooms and messages, and the audit log. Every change is
// written with its audit entry in one transaction (admin_store, on SQLite or PostgreSQL); what
// it means for open connections (a deactivation closes them, on every node; an archived room
// is announced) happens once it is committed. The caller has checked that the request comes
// from an administrator.
//
// Spread by job: admin_handler.cpp (dispatch, accounts, audit), admin_registration.cpp
// (registration mode, invitations), admin_moderation.cpp (rooms, messages).
class admin_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    admin_store& store;
    connection_manager& connections;
    chat_service& chat;
    export_handler* exports;  // null: exports are not offered (on PostgreSQL, for now)
  };

  // Who asks.
  struct admin {
    std::int64_t id = 0;
    std::string name;
  };

  explicit admin_handler(services s);

  // `path` starts with "/api/admin/".
  void handle(const http_request& request, std::string_view path, const admin& by,
              respond_fn respond);

 private:
  void users(const http_request& request, respond_fn respond);
  void audit(const http_request& request, respond_fn respond);
  void change_user(const http_request& request, const std::string& username,
                   const std::string& action, const admin& by, respond_fn respond);
  void reset_link(const http_request& request, const std::string& username, const admin& by,
                  respond_fn respond);
  void set_registration(const http_request& request, const admin& by, respond_fn respond);
  void invitations(const http_request& request, respond_fn respond);
  void invite(const http_request& request, const admin& by, respond_fn respond);
  void revoke_invitation(const http_request& request, const std::string& code, const admin& by,
                         respond_fn respond);
  http_response rooms(const http_request& request);
  void archive_room(const http_request& request, std::string_view id, bool archived,
                    const admin& by, respond_fn respond);
  void delete_message(const http_request& request, std::string_view id, const admin& by,
                      respond_fn respond);

  services s_;
};

}  // namespace chatterbox
