#pragma once

#include "chatterbox/chat/message.hpp"
#include "chatterbox/postgres/pg_connection.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// How the PostgreSQL store reads messages back: the statements, and their rows as the `message`
// the protocol code sends — the same columns and rules as SQLite's (storage/message_rows.hpp):
// a reply carries its original's quote, a deleted message has no text, mentions or file.
namespace chatterbox::pg_reads {

// Changed after a seq, oldest change first (sync, and a node filling a gap in the bus):
// $1 seq, $2 limit.
extern const std::string messages_changed_since;
// A room's page before a message, newest first (the caller turns it around): $1 room,
// $2 id (NULL: from the latest), $3 limit.
extern const std::string messages_before;
// A room's page after a message, oldest first: $1 room, $2 id, $3 limit.
extern const std::string messages_after;
// Changed after a seq in the rooms a user is a member of, oldest change first (sync): $1 seq,
// $2 user, $3 limit.
extern const std::string messages_changed_since_for;
// $1 id.
extern const std::string message_by_id;
// The messages search finds (docs/protocol.md, "search"), newest first, each with a snippet
// (column `search_snippet_column`): matched words between \x01 and \x02. `tsquery` is an SQL
// expression of bound parameters from $8 on, empty for a filters-only search. $1 user (only
// the rooms they are in), $2 authors (bigint[] or NULL), $3 rooms (bigint[] or NULL), $4 since
// ms, $5 until ms, $6 before id, $7 limit.
std::string messages_matching(const std::string& tsquery);
inline constexpr std::size_t search_snippet_column = 20;
// The reactions on the messages whose ids are in $1 (a bigint[]), in the order people reacted.
extern const std::string_view reactions_of;

std::vector<message> read_messages(const pg_result& rows);
// The ids of the messages that can carry reactions (not deleted) as reactions_of's $1: "{3,5,8}".
std::string reaction_ids(const std::vector<message*>& messages);
std::string reaction_ids(std::vector<message>& messages);
// Fills in each message's reactions from reactions_of's rows, as seen by `viewer`.
void attach_reactions(const std::vector<message*>& messages, const pg_result& rows,
                      std::int64_t viewer);
void attach_reactions(std::vector<message>& messages, const pg_result& rows, std::int64_t viewer);

}  // namespace chatterbox::pg_reads
