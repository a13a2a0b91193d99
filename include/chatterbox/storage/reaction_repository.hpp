#pragma once

#include "chatterbox/chat/message.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace chatterbox {

// Emoji reactions: a row per (message, emoji, user). Writers run inside write_batcher's
// transaction, which also gives the message its new seq.
class reaction_repository {
 public:
  explicit reaction_repository(SQLite::Database& db);

  // Adds (on) or takes back the user's reaction; false when it already was so (nothing changed).
  bool set(std::int64_t message_id, std::int64_t user_id, std::string_view emoji, bool on,
           std::int64_t seq);
  // How many people reacted to the message with this emoji.
  int count(std::int64_t message_id, std::string_view emoji);
  // How many different emoji the message has.
  int emoji_count(std::int64_t message_id);
  // A deleted message keeps no reactions.
  void clear(std::int64_t message_id);
  // Fills in the reactions of each message that is not deleted, `me` for `viewer`.
  void attach(std::vector<message>& messages, std::int64_t viewer);
  void attach(std::span<message* const> messages, std::int64_t viewer);

 private:
  SQLite::Statement add_;
  SQLite::Statement remove_;
  SQLite::Statement count_;
  SQLite::Statement emoji_count_;
  SQLite::Statement clear_;
  SQLite::Statement of_message_;
  SQLite::Statement of_range_;
};

}  // namespace chatterbox
