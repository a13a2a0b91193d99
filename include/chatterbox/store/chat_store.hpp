#pragma once

#include "chatterbox/chat/message.hpp"
#include "chatterbox/protocol/client_command.hpp"

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
  virtual void edit(std::int64_t user_id, std::int64_t id, std::string text,
                    mentions_fn mentions, answer<message_change> then) = 0;
  // As `actor`: its author, or an administrator moderating (audited). `anywhere`: the admin
  // API's delete, in any room (archived or not, member or not).
  virtual void remove(std::int64_t actor, std::int64_t id, bool anywhere,
                      answer<message_change> then) = 0;
  virtual void react(std::int64_t user_id, std::int64_t id, std::string emoji, bool on,
                     answer<reaction_change> then) = 0;
};

}  // namespace chatterbox
