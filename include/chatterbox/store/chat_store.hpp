#pragma once

#include "chatterbox/chat/message.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/protocol/search_query.hpp"
#include "chatterbox/storage/room_repository.hpp"
#include "chatterbox/storage/search_repository.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

struct room_state;

// Who a message's text mentions in its room: the names as the message carries them, and the
// users whose mention counts it raises.
struct mention_set {
  std::vector<std::string> names;
  std::vector<std::int64_t> users;
};

// What a write of a message answers once its batch has committed, or why it changed nothing.
struct message_change {
  // send: the message as stored (for a resent client_id, the one first stored: `duplicate`);
  // edit: its room, id, seq, text and mentions; delete: its room, id and seq.
  message changed;
  std::optional<protocol_error> refused;
  bool duplicate = false;
  // The message a reply answers, when its reply count changed (a reply sent or deleted): it has
  // a seq of its own.
  struct reply_count {
    std::int64_t id = 0;
    std::int64_t seq = 0;
    int count = 0;
  };
  std::optional<reply_count> original;
  // A deleted message's file whose bytes no other upload has: removed from disk once the delete
  // is committed.
  std::optional<std::string> released_blob;
};

struct reaction_change {
  std::optional<protocol_error> refused;
  bool changed = false;  // false: it already was so, nothing to tell anyone
  std::int64_t room = 0;
  std::int64_t seq = 0;
  int count = 0;  // people with that emoji on the message now
};

// What a change of a room (its row or its members) answers.
struct room_change {
  std::optional<protocol_error> refused;
  std::int64_t room_id = 0;
  std::int64_t seq = 0;  // the room's new seq; 0 for a DM that was there already
  // remove_member: the last member left, and the room is archived now.
  bool archived = false;
  // remove_member: the furthest read markers of those left (the one who left may have been one).
  std::vector<membership_record> readers;
};

// A read marker moved forward (seen).
struct marker_change {
  bool exists = false;  // the message exists, in that room
  bool moved = false;   // false: the marker was there or further already
};

struct nothing_to_say {};

struct new_room {
  std::int64_t creator = 0;
  std::string kind;  // "open", "private" or "dm"
  std::string name;  // open and private rooms
  std::string dm_key;
  std::vector<std::int64_t> members;  // private rooms and DMs (open ones have everyone)
  nlohmann::json ref;                 // for a refusal
};

// Unread and mention counts stop here ("99+").
inline constexpr int unread_cap = 100;

// A member's place in a room: how far they have read, what they want to hear of, and (when
// asked) what is unread after their marker, capped.
struct room_marks {
  std::int64_t room_id = 0;
  std::int64_t marker = 0;
  std::string notify;  // empty: the room kind's default
  int unread = 0;
  int mentions = 0;
};

// A stretch of the changes after a seq that one user may see (sync).
struct change_page {
  std::vector<message> messages;  // in seq order, with reactions
  std::int64_t cursor = 0;        // the seq of the last change looked at
  bool exhausted = false;         // nothing changed after `cursor`
};

// The messages on both sides of one (history with `around`).
struct around_page {
  bool found = false;          // the message exists, in that room
  std::vector<message> older;  // oldest first, up to older_limit + 1
  std::vector<message> newer;  // the message itself first, up to newer_limit + 2
};

// What a node loads from the store before it serves: everyone, every room and who is in it.
struct chat_snapshot {
  std::vector<std::pair<std::int64_t, std::string>> users;
  std::vector<room_record> rooms;
  std::vector<membership_record> closed_members;                // private rooms and DMs
  std::vector<membership_record> markers;                       // every room, marker > 0
  std::vector<std::pair<std::int64_t, std::int64_t>> last_ids;  // room, its newest message
  std::int64_t last_seq = 0;                                    // the newest committed change
};

struct send_request {
  std::int64_t user_id = 0;
  std::string username;
  std::int64_t room = 0;
  std::string client_id;
  std::string text;
  mention_set mentions;
  std::optional<std::int64_t> reply_to;
  std::optional<std::int64_t> file;
};

// The storage seam of the chat (docs/scale-out.md, "The storage seam"): each thing the protocol
// stores is one asynchronous call, answered once it is committed — by SQLite's group commit on
// one node (sqlite_chat_store), by PostgreSQL's on several (pg_chat_store). The store hands out
// the seqs, in commit order, and decides every refusal inside the write, so that a refusal is
// judged against everything committed before it, whichever node committed it.
//
// `then(stored, result)` runs on the event loop after the commit: `stored` false when the store
// could not take the write (nothing of it was kept; the client may resend), otherwise `result`
// says what changed or why nothing did (`refused`, with the command's `ref`).
class chat_store {
 public:
  template <class Result>
  using answer = std::function<void(bool stored, Result& result)>;
  // Who the new text mentions, once the store knows the message's room (an edit names only the
  // message).
  using mentions_fn = std::function<mention_set(const room_state& room)>;

  virtual ~chat_store() = default;

  // Refused: not_found (room or member), forbidden (archived room, deleted original, attached
  // file), not_found (original or file).
  virtual void send(send_request request, answer<message_change> then) = 0;
  virtual void edit(std::int64_t user_id, std::int64_t id, std::string text, mentions_fn mentions,
                    answer<message_change> then) = 0;
  // As `actor`: its author, or an administrator moderating (audited). `anywhere`: the admin
  // API's delete, in any room (archived or not, member or not).
  virtual void remove(std::int64_t actor, std::int64_t id, bool anywhere,
                      answer<message_change> then) = 0;
  virtual void react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
                     answer<reaction_change> then) = 0;
  virtual void mark_seen(std::int64_t room_id, std::int64_t user_id, std::int64_t message_id,
                         answer<marker_change> then) = 0;
  virtual void set_notify(std::int64_t room_id, std::int64_t user_id, std::string level,
                          answer<nothing_to_say> then) = 0;

  // Refused: name_taken. A DM that exists already is answered with its id and seq 0.
  virtual void create_room(new_room room, answer<room_change> then) = 0;
  // Refused: name_taken (by a room created since the node looked).
  virtual void rename_room(std::int64_t room_id, std::string name, answer<room_change> then) = 0;
  // Added people start with the history up to `marker` read.
  virtual void add_members(std::int64_t room_id, std::vector<std::int64_t> users,
                           std::int64_t marker, answer<room_change> then) = 0;
  // Refused: not_found (not a member any more).
  virtual void remove_member(std::int64_t room_id, std::int64_t user_id,
                             answer<room_change> then) = 0;
  // By `actor`: its creator, or an administrator (moderation, audited); refused forbidden for
  // anyone else, as the store knows them when the write runs.
  virtual void archive_room(std::int64_t room_id, bool archived, std::int64_t actor,
                            answer<room_change> then) = 0;

  // Before the node serves.
  virtual void load(answer<chat_snapshot> then) = 0;

  // Reads. `then(read, result)`: `read` false when the store could not answer. SQLite answers
  // before the call returns (a read on the event loop, as it always was); PostgreSQL after a
  // round trip. Pages come with their reactions as `viewer` sees them.
  using room_filter = std::function<bool(std::int64_t room_id)>;

  // The user's rooms with their marks; unread and mention counts only for rooms with messages
  // after the marker.
  virtual void marks_of(std::int64_t user_id, answer<std::vector<room_marks>> then) = 0;
  // Unread and mentions in one room after `marker`.
  virtual void unread_after(std::int64_t room_id, std::int64_t user_id, std::int64_t marker,
                            answer<room_marks> then) = 0;
  // Oldest first: the `limit` messages before `before` (the newest when none).
  virtual void page_before(std::int64_t room_id, std::optional<std::int64_t> before, int limit,
                           std::int64_t viewer, answer<std::vector<message>> then) = 0;
  // Oldest first: the `limit` messages after `after`.
  virtual void page_after(std::int64_t room_id, std::int64_t after, int limit, std::int64_t viewer,
                          answer<std::vector<message>> then) = 0;
  virtual void page_around(std::int64_t room_id, std::int64_t id, int older_limit, int newer_limit,
                           std::int64_t viewer, answer<around_page> then) = 0;
  // The changes after `since` in rooms `visible` lets through, until more than `max_messages`
  // are found or `max_scan` changes were looked at.
  virtual void changes_since(std::int64_t since, std::int64_t viewer, room_filter visible,
                             std::size_t max_messages, std::size_t max_scan,
                             answer<change_page> then) = 0;
  // Rooms the user left or was removed from with since < seq <= until.
  virtual void departures(std::int64_t user_id, std::int64_t since, std::int64_t until,
                          answer<std::vector<std::int64_t>> then) = 0;
  // Members (every user for an open room) whose name starts with `prefix`, by name.
  virtual void members(std::int64_t room_id, bool open, std::string prefix, int limit,
                       answer<std::vector<std::pair<std::int64_t, std::string>>> then) = 0;
  // Members but `except` who have read `message_id`, by name; nullopt: no such message there.
  virtual void seen_by(std::int64_t room_id, std::int64_t message_id, std::int64_t except,
                       int limit, answer<std::optional<std::vector<std::string>>> then) = 0;
  // Messages of the user's rooms with all the `terms` (`request.match` is the store's to fill),
  // newest first, with their reactions as the user sees them.
  virtual void search(search_request request, std::vector<search_term> terms,
                      answer<search_page> then) = 0;
};

}  // namespace chatterbox
