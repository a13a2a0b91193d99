#pragma once

// How a message row is read, shared by the repositories whose queries yield messages
// (message_repository, search_repository).

#include "chatterbox/chat/message.hpp"

#include <SQLiteCpp/Statement.h>

#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// The columns read_message reads, in its order (columns 0–19), from `messages m` and its author
// `users u` joined with message_joins.
inline constexpr std::string_view message_columns =
    "m.id, m.room_id, m.seq, u.username, m.text, m.ts, m.edited, m.deleted, m.mention_names, "
    "m.reply_to, m.reply_count, ou.username, o.text, o.deleted, "
    "f.id, f.name, f.size, f.type, f.width, f.height";
inline constexpr int message_column_count = 20;
// A reply's quote comes from its original (o) and the original's author (ou); the file, from
// files (f). A deleted message loses its file (docs/protocol.md, "The message object").
inline constexpr std::string_view message_joins =
    "LEFT JOIN messages o ON o.id = m.reply_to LEFT JOIN users ou ON ou.id = o.user_id "
    "LEFT JOIN files f ON f.message_id = m.id AND m.deleted = 0 ";

message read_message(SQLite::Statement& row);

}  // namespace chatterbox
