#pragma once

#include "chatterbox/chat/room_event.hpp"
#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/store/chat_store.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace chatterbox {

class room_directory;

// The chat store of a node among several (docs/scale-out.md): each write is one call of a
// PL/pgSQL function (pg_schema) in PostgreSQL's group commit (pg_batcher), which takes the seq
// under the `seq_counter` lock and decides refusals against every commit before it, whichever
// node made it. Who may see a room is still asked of the node's room directory first (the
// protocol's answers do not depend on the store), and again by the function, against the rows.
//
// Reads go through the same batcher for now (a read the answer of a write needs — an edit's
// room, a stored reply's quote — is then ordered after the write it follows; a client's read
// sees what it was acked). A long read delays the commit of the batch it is in: a connection
// of their own for reads is the next step (docs/scale-out.md).
class pg_chat_store final : public chat_store {
 public:
  pg_chat_store(pg_batcher& writes, room_directory& rooms);

  void send(send_request request, answer<message_change> then) override;
  void edit(std::int64_t user_id, std::int64_t id, std::string text, mentions_fn mentions,
            answer<message_change> then) override;
  void remove(std::int64_t actor, std::int64_t id, bool anywhere,
              answer<message_change> then) override;
  void react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
             answer<reaction_change> then) override;
  // pg_room_writes.cpp:
  void mark_seen(std::int64_t room_id, std::int64_t user_id, std::int64_t message_id,
                 answer<marker_change> then) override;
  void set_notify(std::int64_t room_id, std::int64_t user_id, std::string level,
                  answer<nothing_to_say> then) override;
  void create_room(new_room room, answer<room_change> then) override;
  void rename_room(std::int64_t room_id, std::string name, answer<room_change> then) override;
  void add_members(std::int64_t room_id, std::vector<std::int64_t> users, std::int64_t marker,
                   answer<room_change> then) override;
  void remove_member(std::int64_t room_id, std::int64_t user_id, answer<room_change> then) override;
  void archive_room(std::int64_t room_id, bool archived, std::int64_t actor,
                    answer<room_change> then) override;
  // pg_reads.cpp:
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

  // For the bus between nodes (node_bus), which fills its gaps from here: what the store can
  // say again of every change after `since`, as nobody in particular sees it.
  struct changes_for_nodes {
    std::vector<message> messages;  // each as it is now, at its latest seq
    struct account {
      std::int64_t id = 0;
      std::string name;
      std::int64_t seq = 0;
    };
    std::vector<account> accounts;
    struct room {
      room_snapshot now;
      std::int64_t seq = 0;  // of its latest change
    };
    std::vector<room> rooms;
    std::int64_t complete_to = 0;  // every change up to this seq is in here, or superseded
  };
  void changes_for_bus(std::int64_t since, answer<changes_for_nodes> then);
  void latest_seq(answer<std::int64_t> then);

 private:
  // Messages read by `sql`, then their reactions as `viewer` sees them.
  void read_messages(const std::string& sql, pg_connection::parameters params, std::int64_t viewer,
                     answer<std::vector<message>> then);
  // Reads the reactions on `messages` (which the caller keeps alive) as `viewer` sees them.
  void with_reactions(std::vector<message*> messages, std::int64_t viewer,
                      std::function<void(bool read)> done);

  pg_batcher& writes_;
  room_directory& rooms_;
};

}  // namespace chatterbox
