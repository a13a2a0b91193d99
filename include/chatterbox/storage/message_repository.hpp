#pragma once

#include "chatterbox/chat/message.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct message_owner {
  std::int64_t user_id = 0;
  bool deleted = false;
  std::int64_t room = 0;
};

struct new_message {
  std::int64_t user_id = 0;
  std::string_view username;
  std::int64_t room = 0;
  std::string_view client_id;
  std::string_view text;
  std::vector<std::string> mentions;  // as sent with the message
  std::optional<reply_quote> reply_to = std::nullopt;
};

// Messages table access. Writers run inside write_batcher's transaction; the caller supplies
// seq values (see seq_counter) so that every create/edit/delete gets a new global seq.
class message_repository {
 public:
  explicit message_repository(SQLite::Database& db);

  std::int64_t max_seq();
  std::optional<message> find_by_client_id(std::int64_t user_id, std::string_view client_id);
  // nullopt, storing nothing, when this user already sent a message with this client_id.
  std::optional<message> insert(const new_message& m, std::int64_t ts, std::int64_t seq);
  std::optional<message_owner> find_owner(std::int64_t id);
  // Both return the message as it is after the change, and throw std::runtime_error when the id
  // does not exist (update_text also when the message is deleted: tombstones stay empty).
  message update_text(std::int64_t id, std::string_view text,
                      const std::vector<std::string>& mentions, std::int64_t seq);
  message mark_deleted(std::int64_t id, std::int64_t seq);  // keeps a tombstone, empties text
  std::optional<message> find(std::int64_t id);
  // A reply to `id` was stored (+1) or deleted (-1): its count and its seq change. Returns the
  // new count.
  int add_replies(std::int64_t id, int delta, std::int64_t seq);
  // Something shown with the message changed (its reactions): it gets a new seq, for sync.
  void set_seq(std::int64_t id, std::int64_t seq);

  // Up to `limit` messages of `room` with id < before (all when before is empty), oldest first.
  std::vector<message> page_before(std::int64_t room, std::optional<std::int64_t> before,
                                   int limit);
  // Up to `limit` messages of `room` with id > after, oldest first.
  std::vector<message> page_after(std::int64_t room, std::int64_t after, int limit);
  // Up to `limit` messages of any room with seq > since, in seq order.
  std::vector<message> changed_since(std::int64_t since, int limit);
  std::int64_t last_id(std::int64_t room);  // 0 when the room has no message
  // Messages of `room` after `marker` by others and not deleted, counting no further than cap.
  int unread(std::int64_t room, std::int64_t user_id, std::int64_t marker, int cap);

 private:
  SQLite::Database& db_;
  SQLite::Statement max_seq_;
  SQLite::Statement by_client_id_;
  SQLite::Statement insert_;
  SQLite::Statement owner_;
  SQLite::Statement update_text_;
  SQLite::Statement mark_deleted_;
  SQLite::Statement find_;
  SQLite::Statement add_replies_;
  SQLite::Statement set_seq_;
  SQLite::Statement page_latest_;
  SQLite::Statement page_before_;
  SQLite::Statement page_after_;
  SQLite::Statement changed_since_;
  SQLite::Statement last_id_;
  SQLite::Statement unread_;
};

}  // namespace chatterbox
