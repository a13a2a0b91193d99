#pragma once

#include "chatterbox/storage/audit_log.hpp"
#include "chatterbox/storage/file_repository.hpp"
#include "chatterbox/storage/mention_repository.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/reaction_repository.hpp"
#include "chatterbox/storage/room_repository.hpp"
#include "chatterbox/storage/search_repository.hpp"
#include "chatterbox/storage/user_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/chat_store.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <string>

namespace chatterbox {

class room_directory;

// The SQLite database one node keeps its chat in.
struct chat_storage {
  message_repository& messages;
  room_repository& rooms;
  mention_repository& mentions;
  reaction_repository& reactions;
  user_repository& users;
  write_batcher& writes;
  SQLite::Database& db;  // for read_snapshot
  // Uploads a `send` may attach (docs/protocol.md, "Files"); without it, `file` is not_found.
  file_repository* files = nullptr;
  // Removes a blob no row names any more (a deleted message's file), off the event loop.
  std::function<void(std::string sha256)> release_blob = nullptr;
};

// The chat store of one node: each write is a closure in SQLite's group commit (write_batcher)
// that decides against the rows it reads inside the transaction, and against the node's room
// directory, which is the whole truth about rooms when there is one node.
//
// Seqs: `last_seq_` is the last one handed out inside a transaction (a batch that is rolled back
// leaves a gap, never a seq a client was told about and that a restart would hand out again).
class sqlite_chat_store final : public chat_store {
 public:
  sqlite_chat_store(chat_storage storage, room_directory& rooms);

  void send(send_request request, answer<message_change> then) override;
  void edit(std::int64_t user_id, std::int64_t id, std::string text, mentions_fn mentions,
            answer<message_change> then) override;
  void remove(std::int64_t actor, std::int64_t id, bool anywhere,
              answer<message_change> then) override;
  void react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
             answer<reaction_change> then) override;
  void mark_seen(std::int64_t room_id, std::int64_t user_id, std::int64_t message_id,
                 answer<marker_change> then) override;
  void set_notify(std::int64_t room_id, std::int64_t user_id, std::string level,
                  answer<nothing_to_say> then) override;
  // sqlite_room_writes.cpp:
  void create_room(new_room room, answer<room_change> then) override;
  void rename_room(std::int64_t room_id, std::string name, answer<room_change> then) override;
  void add_members(std::int64_t room_id, std::vector<std::int64_t> users, std::int64_t marker,
                   answer<room_change> then) override;
  void remove_member(std::int64_t room_id, std::int64_t user_id, answer<room_change> then) override;
  void archive_room(std::int64_t room_id, bool archived, std::int64_t actor,
                    answer<room_change> then) override;
  // sqlite_reads.cpp:
  void marks_of(std::int64_t user_id, answer<std::vector<room_marks>> then) override;
  void unread_after(std::int64_t room_id, std::int64_t user_id, std::int64_t marker,
                    answer<room_marks> then) override;
  void page_before(std::int64_t room_id, std::optional<std::int64_t> before, int limit,
                   std::int64_t viewer, answer<std::vector<message>> then) override;
  void page_after(std::int64_t room_id, std::int64_t after, int limit, std::int64_t viewer,
                  answer<std::vector<message>> then) override;
  void page_around(std::int64_t room_id, std::int64_t id, int older_limit, int newer_limit,
                   std::int64_t viewer, answer<around_page> then) override;
  void changes_since(std::int64_t since, std::int64_t viewer, room_filter visible,
                     std::size_t max_messages, std::size_t max_scan,
                     answer<change_page> then) override;
  void departures(std::int64_t user_id, std::int64_t since, std::int64_t until,
                  answer<std::vector<std::int64_t>> then) override;
  void members(std::int64_t room_id, bool open, std::string prefix, int limit,
               answer<std::vector<std::pair<std::int64_t, std::string>>> then) override;
  void seen_by(std::int64_t room_id, std::int64_t message_id, std::int64_t except, int limit,
               answer<std::optional<std::vector<std::string>>> then) override;
  void load(answer<chat_snapshot> then) override;
  void search(search_request request, std::vector<search_term> terms,
              answer<search_page> then) override;

 private:
  // An active administrator now, as the database says (inside a write).
  bool is_admin(std::int64_t user_id);

  // Inside a send's write: why `reply` may not answer `original_id` (nullopt: it may, and its
  // quote is filled in).
  std::optional<protocol_error> reply_refused(std::int64_t original_id, std::int64_t room,
                                              const std::string& client_id, new_message& reply);
  // Inside the send's write: why upload `file_id` cannot go with the message, or (in
  // `attachment`) what the message will carry.
  std::optional<protocol_error> file_refused(std::int64_t file_id, std::int64_t user_id,
                                             std::int64_t room, const std::string& client_id,
                                             std::optional<file_attachment>& attachment);
  // Inside a write: a reply to `original_id` was stored or deleted; gives it a new seq.
  void count_replies(message_change& result, std::int64_t original_id, int delta);
  // A change of the room's row or members: `change` runs in the transaction (and may refuse,
  // changing nothing); otherwise the room takes the next seq.
  void change_room(std::int64_t room_id, std::function<void(room_change&)> change,
                   answer<room_change> then);

  chat_storage storage_;
  room_directory& rooms_;
  audit_log audit_;
  search_repository search_;
  std::int64_t last_seq_;
};

}  // namespace chatterbox
