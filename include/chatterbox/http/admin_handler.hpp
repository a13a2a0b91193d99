#pragma once

#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/storage/account_admin.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace chatterbox {

// /api/admin/… (docs/protocol.md, "Administration"): the account list, the audit log, and the
// changes administrators make — through the group commit, each with its audit entry in the
// same transaction; a deactivation closes the user's connections once it is committed. The
// caller has checked that the request comes from an administrator.
class admin_handler {
 public:
  using respond_fn = std::function<void(http_response)>;

  admin_handler(account_admin& accounts, write_batcher& writes, connection_manager& connections);

  // `path` starts with "/api/admin/"; `admin_id`/`admin_name`: who asks.
  void handle(const http_request& request, std::string_view path, std::int64_t admin_id,
              const std::string& admin_name, respond_fn respond);

 private:
  void change(const http_request& request, const std::string& username, const std::string& action,
              std::int64_t admin_id, const std::string& admin_name, respond_fn respond);

  account_admin& accounts_;
  write_batcher& writes_;
  connection_manager& connections_;
};

}  // namespace chatterbox
