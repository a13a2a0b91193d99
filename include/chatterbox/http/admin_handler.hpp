#pragma once

#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/http/export_handler.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/password_reset_repository.hpp"
#include "chatterbox/storage/registration_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace chatterbox {

// /api/admin/… (docs/protocol.md, "Administration"): accounts, registration and invitations,
// password reset links, moderation of rooms and messages, and the audit log. Every change goes
// through the group commit with its audit entry in the same transaction; what it means for
// open connections (a deactivation closes them, an archived room is announced) happens once it
// is committed. The caller has checked that the request comes from an administrator.
//
// Spread by job: admin_handler.cpp (dispatch, accounts, audit), admin_registration.cpp
// (registration mode, invitations), admin_moderation.cpp (rooms, messages).
class admin_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  struct services {
    account_admin& accounts;
    registration_repository& registration;
    password_reset_repository& resets;
    audit_log& audit;
    write_batcher& writes;
    connection_manager& connections;
    chat_service& chat;
    export_handler& exports;
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
  http_response users(const http_request& request);
  http_response audit(const http_request& request);
  void change_user(const http_request& request, const std::string& username,
                   const std::string& action, const admin& by, respond_fn respond);
  void reset_link(const http_request& request, const std::string& username, const admin& by,
                  respond_fn respond);
  void set_registration(const http_request& request, const admin& by, respond_fn respond);
  http_response invitations(const http_request& request);
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
