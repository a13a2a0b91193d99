#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chatterbox {

// A chat message as stored and as sent on the wire (protocol 2 "message object").
struct message {
  std::int64_t id = 0;   // SQLite rowid
  std::int64_t room = 0;
  std::int64_t seq = 0;  // global change counter at its last create/edit/delete
  std::string user;      // author's username
  std::string text;      // empty once deleted
  std::int64_t ts = 0;   // server time of creation, epoch milliseconds
  bool edited = false;
  bool deleted = false;
  // Usernames it mentions, and "here" for @here; empty once deleted.
  std::vector<std::string> mentions;

  bool operator==(const message&) const = default;
};

}  // namespace chatterbox
