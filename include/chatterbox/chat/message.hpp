#pragma once

#include <cstdint>
#include <string>

namespace chatterbox {

// A chat message as stored and as sent on the wire (protocol v1 "message object").
struct message {
  std::int64_t id = 0;   // SQLite rowid
  std::int64_t seq = 0;  // global change counter at its last create/edit/delete
  std::string user;      // author's username
  std::string text;      // empty once deleted
  std::int64_t ts = 0;   // server time of creation, epoch milliseconds
  bool edited = false;
  bool deleted = false;

  bool operator==(const message&) const = default;
};

}  // namespace chatterbox
