#include "chatterbox/postgres/pg_message_reads.hpp"

#include "chatterbox/postgres/pg_values.hpp"
#include "chatterbox/protocol/text.hpp"

#include <unordered_map>

namespace chatterbox::pg_reads {
namespace {

// read_messages reads these columns in this order. A reply's quote comes from its original (o)
// and the original's author (ou); a deleted message loses its file.
const std::string message_columns =
    "SELECT m.id, m.room_id, m.seq, u.username, m.text, m.ts, m.edited, m.deleted, "
    "m.mention_names, m.reply_to, m.reply_count, ou.username, o.text, o.deleted, "
    "f.id, f.name, f.size, f.type, f.width, f.height ";
const std::string message_joins =
    "JOIN users u ON u.id = m.user_id "
    "LEFT JOIN messages o ON o.id = m.reply_to LEFT JOIN users ou ON ou.id = o.user_id "
    "LEFT JOIN files f ON f.message_id = m.id AND NOT m.deleted ";
const std::string select_messages = message_columns + "FROM messages m " + message_joins;

using pg_values::boolean;
using pg_values::integer;

}  // namespace

const std::string messages_changed_since =
    select_messages + "WHERE m.seq > $1 ORDER BY m.seq LIMIT $2";
const std::string messages_before = select_messages +
                                    "WHERE m.room_id = $1 AND ($2::bigint IS NULL OR m.id < $2) "
                                    "ORDER BY m.id DESC LIMIT $3";
const std::string messages_after =
    select_messages + "WHERE m.room_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3";
const std::string messages_changed_since_for =
    select_messages +
    "WHERE m.seq > $1 AND m.room_id IN "
    "(SELECT rm.room_id FROM room_members rm WHERE rm.user_id = $2) "
    "ORDER BY m.seq LIMIT $3";
const std::string message_by_id = select_messages + "WHERE m.id = $1";

std::string messages_matching(const std::string& tsquery) {
  std::string sql = message_columns;
  if (tsquery.empty()) {
    sql += ", '' ";
  } else {
    // One fragment of about 16 words around the matches, as SQLite's snippet(). ts_headline
    // marks each word of a phrase on its own: marks that only a space separates are joined, so
    // a phrase is one highlight, as in SQLite.
    sql += ", replace(ts_headline('simple', m.text, " + tsquery +
           ", 'MaxFragments=1, MaxWords=16, MinWords=6, ShortWord=0, StartSel=' || chr(1) || "
           "', StopSel=' || chr(2)), chr(2) || ' ' || chr(1), ' ') ";
  }
  // Membership is the user's row in room_members, as in SQLite's search.
  sql += "FROM messages m JOIN room_members r ON r.room_id = m.room_id AND r.user_id = $1 " +
         message_joins +
         "WHERE NOT m.deleted AND ($2::bigint[] IS NULL OR m.user_id = ANY ($2)) "
         "AND ($3::bigint[] IS NULL OR m.room_id = ANY ($3)) AND m.ts >= $4 AND m.ts < $5 "
         "AND m.id < $6 ";
  if (!tsquery.empty()) sql += "AND m.search @@ " + tsquery + " ";
  sql += "ORDER BY m.id DESC LIMIT $7";
  return sql;
}
const std::string_view reactions_of =
    "SELECT r.message_id, r.emoji, r.user_id, u.username FROM reactions r "
    "JOIN users u ON u.id = r.user_id WHERE r.message_id = ANY ($1::bigint[]) "
    "ORDER BY r.message_id, r.seq";

std::vector<message> read_messages(const pg_result& rows) {
  std::vector<message> out;
  out.reserve(rows.rows.size());
  for (const auto& row : rows.rows) {
    message m;
    m.id = integer(row.at(0));
    m.room = integer(row.at(1));
    m.seq = integer(row.at(2));
    m.user = row.at(3).value_or("");
    m.text = row.at(4).value_or("");
    m.ts = integer(row.at(5));
    m.edited = boolean(row.at(6));
    m.deleted = boolean(row.at(7));
    m.mentions = split_mention_names(row.at(8).value_or(""));
    if (row.at(9)) {
      reply_quote quote;
      quote.id = integer(row.at(9));
      if (row.at(11)) {
        quote.user = *row.at(11);
        quote.deleted = boolean(row.at(13));
        quote.text = first_line_excerpt(row.at(12).value_or(""), reply_quote_chars);
      }
      m.reply_to = std::move(quote);
    }
    m.replies = static_cast<int>(integer(row.at(10)));
    if (row.at(14)) {
      file_attachment f;
      f.id = integer(row.at(14));
      f.name = row.at(15).value_or("");
      f.size = integer(row.at(16));
      f.type = row.at(17).value_or("");
      if (row.at(18)) f.width = integer(row.at(18));
      if (row.at(19)) f.height = integer(row.at(19));
      m.file = std::move(f);
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string reaction_ids(const std::vector<message*>& messages) {
  std::vector<std::int64_t> ids;
  for (const auto* m : messages) {
    if (!m->deleted) ids.push_back(m->id);
  }
  return pg_values::bigint_array(ids);
}

void attach_reactions(const std::vector<message*>& messages, const pg_result& rows,
                      std::int64_t viewer) {
  std::unordered_map<std::int64_t, message*> by_id;
  for (auto* m : messages) {
    m->reactions.clear();
    if (!m->deleted) by_id.emplace(m->id, m);
  }
  for (const auto& row : rows.rows) {
    const auto it = by_id.find(integer(row.at(0)));
    if (it == by_id.end()) continue;
    add_reaction(*it->second, row.at(1).value_or(""), integer(row.at(2)), row.at(3).value_or(""),
                 viewer);
  }
}

namespace {

std::vector<message*> pointers_to(std::vector<message>& messages) {
  std::vector<message*> out;
  out.reserve(messages.size());
  for (auto& m : messages) out.push_back(&m);
  return out;
}

}  // namespace

std::string reaction_ids(std::vector<message>& messages) {
  return reaction_ids(pointers_to(messages));
}

void attach_reactions(std::vector<message>& messages, const pg_result& rows, std::int64_t viewer) {
  attach_reactions(pointers_to(messages), rows, viewer);
}

}  // namespace chatterbox::pg_reads
