#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// The message a reply answers, as a compact quote (docs/protocol.md, "The message object").
struct reply_quote {
  std::int64_t id = 0;
  std::string user;  // empty when not read (a message returned by an edit)
  std::string text;  // the original's first line, at most 100 code points
  bool deleted = false;

  bool operator==(const reply_quote&) const = default;
};

// One emoji's reactions on a message.
struct reaction {
  std::string emoji;
  int count = 0;
  std::vector<std::string> users;  // the first to react, at most max_reaction_names
  bool me = false;                 // the user a history or sync page is for reacted

  bool operator==(const reaction&) const = default;
};

// The upload a message carries (docs/protocol.md, "Files").
struct file_attachment {
  std::int64_t id = 0;
  std::string name;
  std::int64_t size = 0;
  std::string type;  // sniffed from the bytes
  std::optional<std::int64_t> width;   // images whose header could be read
  std::optional<std::int64_t> height;

  bool operator==(const file_attachment&) const = default;
};

inline constexpr std::size_t max_reaction_names = 20;
// Different emoji one message may carry.
inline constexpr int max_reaction_emoji = 20;
// A reply quotes the first line of its original up to this many code points.
inline constexpr std::size_t reply_quote_chars = 100;

// A chat message as stored and as sent on the wire (protocol 2 "message object").
struct message {
  std::int64_t id = 0;   // SQLite rowid
  std::int64_t room = 0;
  std::int64_t seq = 0;  // global change counter at its last change (reactions and replies too)
  std::string user;      // author's username
  std::string text;      // empty once deleted
  std::int64_t ts = 0;   // server time of creation, epoch milliseconds
  bool edited = false;
  bool deleted = false;
  // Usernames it mentions, and "here" for @here; empty once deleted.
  std::vector<std::string> mentions;
  std::optional<reply_quote> reply_to;
  int replies = 0;  // replies that are not deleted
  std::vector<reaction> reactions;
  std::optional<file_attachment> file;  // none once deleted

  bool operator==(const message&) const = default;
};

// The mentions as a store keeps them with the message: {"bob", "here"} <-> "bob,here".
std::string join_mention_names(const std::vector<std::string>& names);
std::vector<std::string> split_mention_names(std::string_view joined);

// Adds one person's reaction to `m`, given in the order people reacted (emoji by first use,
// names by who came first); `viewer` is the user the page is for.
void add_reaction(message& m, std::string_view emoji, std::int64_t user_id, std::string_view username,
                  std::int64_t viewer);

}  // namespace chatterbox
