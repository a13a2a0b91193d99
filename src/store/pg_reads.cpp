// pg_chat_store: reads, answered after a round trip (or two: a page, then its reactions).

#include "chatterbox/store/pg_chat_store.hpp"

#include "pg_answers.hpp"

#include "chatterbox/postgres/pg_message_reads.hpp"
#include "chatterbox/postgres/pg_values.hpp"
#include "chatterbox/storage/like_pattern.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <memory>

namespace chatterbox {

namespace {

using pg_answers::answer_rows;
using pg_values::integer;

// The same rules as SQLite's (message_repository, mention_repository, room_repository).
const std::string marks_sql =
    "SELECT rm.room_id, rm.marker, coalesce(rm.notify, ''), "
    "(SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.room_id = rm.room_id "
    "AND m.id > rm.marker AND m.user_id <> $1 AND NOT m.deleted LIMIT $2) u), "
    "(SELECT count(*) FROM (SELECT 1 FROM mentions mn WHERE mn.user_id = $1 "
    "AND mn.room_id = rm.room_id AND mn.message_id > rm.marker LIMIT $2) x) "
    "FROM room_members rm WHERE rm.user_id = $1";
const std::string unread_sql =
    "SELECT (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.room_id = $1 AND m.id > $3 "
    "AND m.user_id <> $2 AND NOT m.deleted LIMIT $4) u), "
    "(SELECT count(*) FROM (SELECT 1 FROM mentions mn WHERE mn.user_id = $2 AND mn.room_id = $1 "
    "AND mn.message_id > $3 LIMIT $4) x)";
const std::string departures_sql =
    "SELECT room_id FROM room_departures WHERE user_id = $1 AND seq > $2 AND seq <= $3";
// Names ignore ASCII case, as SQLite's NOCASE column does.
const std::string members_sql =
    "SELECT u.id, u.username FROM room_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.room_id = $1 AND lower(u.username) LIKE lower($2) ESCAPE '\\' "
    "ORDER BY lower(u.username) LIMIT $3";
const std::string open_members_sql =
    "SELECT id, username FROM users WHERE lower(username) LIKE lower($1) ESCAPE '\\' "
    "ORDER BY lower(username) LIMIT $2";
const std::string message_in_room_sql = "SELECT 1 FROM messages WHERE id = $1 AND room_id = $2";
const std::string seen_by_sql =
    "SELECT u.username FROM room_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.room_id = $1 AND m.marker >= $2 AND m.user_id <> $3 "
    "ORDER BY lower(u.username) LIMIT $4";

const std::string users_sql = "SELECT id, username FROM users ORDER BY id";
const std::string rooms_sql =
    "SELECT id, kind, coalesce(name, ''), coalesce(dm_key, ''), coalesce(creator_id, 0), archived, "
    "seq FROM rooms ORDER BY id";
const std::string closed_members_sql =
    "SELECT m.room_id, m.user_id, m.marker, coalesce(m.notify, '') FROM room_members m "
    "JOIN rooms r ON r.id = m.room_id WHERE r.kind <> 'open'";
const std::string markers_sql =
    "SELECT room_id, user_id, marker, coalesce(notify, '') FROM room_members WHERE marker > 0";
const std::string last_ids_sql = "SELECT room_id, max(id) FROM messages GROUP BY room_id";
const std::string last_seq_sql = "SELECT value FROM seq_counter";

// A term as a tsquery over bound parameter $n: a word, a phrase (its words in order), or a
// word's beginning (the last word of it as a prefix). The text only ever reaches PostgreSQL
// bound; the tsquery is built by PostgreSQL's own functions from it.
std::string term_query(const search_term& term, int n) {
  const auto parameter = "$" + std::to_string(n);
  if (term.phrase) return "phraseto_tsquery('simple', " + parameter + ")";
  if (!term.prefix) return "plainto_tsquery('simple', " + parameter + ")";
  const auto words = "plainto_tsquery('simple', " + parameter + ")";
  return "(CASE WHEN numnode(" + words + ") = 0 THEN " + words + " ELSE (" + words +
         "::text || ':*')::tsquery END)";
}

std::optional<std::string> id_array(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return std::nullopt;
  return pg_values::bigint_array(ids);
}

std::vector<membership_record> read_memberships(const pg_result& rows) {
  std::vector<membership_record> out;
  for (const auto& row : rows.rows) {
    out.push_back(membership_record{integer(row.at(0)), integer(row.at(1)), integer(row.at(2)),
                                    row.at(3).value_or("")});
  }
  return out;
}

}  // namespace

void pg_chat_store::with_reactions(std::vector<message*> messages, std::int64_t viewer,
                                   std::function<void(bool read)> done) {
  auto ids = pg_reads::reaction_ids(messages);
  if (ids == "{}") return done(true);
  writes_.submit(
      std::string(pg_reads::reactions_of), {std::move(ids)},
      [messages = std::move(messages), viewer, done = std::move(done)](const pg_result* rows) {
        if (rows == nullptr) return done(false);
        try {
          pg_reads::attach_reactions(messages, *rows, viewer);
        } catch (const std::exception& e) {
          spdlog::error("reactions: unexpected answer from PostgreSQL: {}", e.what());
          return done(false);
        }
        done(true);
      });
}

void pg_chat_store::read_messages(const std::string& sql, pg_connection::parameters params,
                                  std::int64_t viewer, answer<std::vector<message>> then) {
  writes_.submit(sql, std::move(params),
                 [this, viewer, then = std::move(then)](const pg_result* rows) {
                   auto page = std::make_shared<std::vector<message>>();
                   if (rows == nullptr) return then(false, *page);
                   try {
                     *page = pg_reads::read_messages(*rows);
                   } catch (const std::exception& e) {
                     spdlog::error("messages: unexpected answer from PostgreSQL: {}", e.what());
                     return then(false, *page);
                   }
                   std::vector<message*> pointers;
                   for (auto& m : *page) pointers.push_back(&m);
                   with_reactions(std::move(pointers), viewer, [page, then](bool read) {
                     if (!read) page->clear();
                     then(read, *page);
                   });
                 });
}

void pg_chat_store::marks_of(std::int64_t user_id, answer<std::vector<room_marks>> then) {
  writes_.submit(
      marks_sql, {std::to_string(user_id), std::to_string(unread_cap)},
      answer_rows<std::vector<room_marks>>(
          "marks", std::move(then), [](auto& out, const pg_result& r) {
            for (const auto& row : r.rows) {
              out.push_back(room_marks{integer(row.at(0)), integer(row.at(1)),
                                       row.at(2).value_or(""), static_cast<int>(integer(row.at(3))),
                                       static_cast<int>(integer(row.at(4)))});
            }
          }));
}

void pg_chat_store::unread_after(std::int64_t room_id, std::int64_t user_id, std::int64_t marker,
                                 answer<room_marks> then) {
  writes_.submit(unread_sql,
                 {std::to_string(room_id), std::to_string(user_id), std::to_string(marker),
                  std::to_string(unread_cap)},
                 answer_rows<room_marks>(
                     "unread", std::move(then), [room_id, marker](auto& out, const pg_result& r) {
                       out =
                           room_marks{room_id, marker, "", static_cast<int>(integer(r.value(0, 0))),
                                      static_cast<int>(integer(r.value(0, 1)))};
                     }));
}

void pg_chat_store::page_before(std::int64_t room_id, std::optional<std::int64_t> before, int limit,
                                std::int64_t viewer, answer<std::vector<message>> then) {
  read_messages(
      pg_reads::messages_before,
      {std::to_string(room_id), pg_values::optional_integer(before), std::to_string(limit)}, viewer,
      [then = std::move(then)](bool read, std::vector<message>& page) {
        std::reverse(page.begin(), page.end());  // read newest first
        then(read, page);
      });
}

void pg_chat_store::page_after(std::int64_t room_id, std::int64_t after, int limit,
                               std::int64_t viewer, answer<std::vector<message>> then) {
  read_messages(pg_reads::messages_after,
                {std::to_string(room_id), std::to_string(after), std::to_string(limit)}, viewer,
                std::move(then));
}

void pg_chat_store::page_around(std::int64_t room_id, std::int64_t id, int older_limit,
                                int newer_limit, std::int64_t viewer, answer<around_page> then) {
  // Both sides at once (each answers after its reactions, in either order). The message itself
  // is the first of the newer side: without it there, there is no such message in the room.
  struct joined {
    around_page page;
    int waiting = 2;
    bool failed = false;
    answer<around_page> then;
  };
  auto join = std::make_shared<joined>();
  join->then = std::move(then);
  const auto arrived = [join, id](bool read, std::vector<message>& side, bool newer) {
    join->failed = join->failed || !read;
    (newer ? join->page.newer : join->page.older) = std::move(side);
    if (--join->waiting > 0) return;
    auto& page = join->page;
    page.found = !page.newer.empty() && page.newer.front().id == id;
    if (!page.found) page = around_page{};
    join->then(!join->failed, page);
  };
  page_before(room_id, id, older_limit + 1, viewer,
              [arrived](bool read, std::vector<message>& older) { arrived(read, older, false); });
  page_after(room_id, id - 1, newer_limit + 2, viewer,
             [arrived](bool read, std::vector<message>& newer) { arrived(read, newer, true); });
}

void pg_chat_store::changes_since(std::int64_t since, std::int64_t viewer, room_filter visible,
                                  std::size_t max_messages, std::size_t, answer<change_page> then) {
  // The store keeps to the user's rooms (the query joins room_members), so every change it
  // returns counts towards the page; the node's directory has the last word.
  const auto limit = max_messages + 1;
  read_messages(pg_reads::messages_changed_since_for,
                {std::to_string(since), std::to_string(viewer), std::to_string(limit)}, viewer,
                [since, limit, visible = std::move(visible), then = std::move(then)](
                    bool read, std::vector<message>& changes) {
                  change_page page;
                  if (!read) return then(false, page);
                  page.cursor = changes.empty() ? since : changes.back().seq;
                  page.exhausted = changes.size() < limit;
                  for (auto& m : changes) {
                    if (visible(m.room)) page.messages.push_back(std::move(m));
                  }
                  then(true, page);
                });
}

void pg_chat_store::departures(std::int64_t user_id, std::int64_t since, std::int64_t until,
                               answer<std::vector<std::int64_t>> then) {
  writes_.submit(departures_sql,
                 {std::to_string(user_id), std::to_string(since), std::to_string(until)},
                 answer_rows<std::vector<std::int64_t>>("departures", std::move(then),
                                                        [](auto& out, const pg_result& r) {
                                                          for (const auto& row : r.rows)
                                                            out.push_back(integer(row.at(0)));
                                                        }));
}

void pg_chat_store::members(std::int64_t room_id, bool open, std::string prefix, int limit,
                            answer<std::vector<std::pair<std::int64_t, std::string>>> then) {
  pg_connection::parameters params;
  if (!open) params.push_back(std::to_string(room_id));
  params.push_back(starts_with_pattern(prefix));
  params.push_back(std::to_string(limit));
  using rows_t = std::vector<std::pair<std::int64_t, std::string>>;
  writes_.submit(open ? open_members_sql : members_sql, std::move(params),
                 answer_rows<rows_t>("members", std::move(then), [](auto& out, const pg_result& r) {
                   for (const auto& row : r.rows) {
                     out.emplace_back(integer(row.at(0)), row.at(1).value_or(""));
                   }
                 }));
}

void pg_chat_store::seen_by(std::int64_t room_id, std::int64_t message_id, std::int64_t except,
                            int limit, answer<std::optional<std::vector<std::string>>> then) {
  auto exists = std::make_shared<std::optional<bool>>();
  writes_.submit(message_in_room_sql, {std::to_string(message_id), std::to_string(room_id)},
                 [exists](const pg_result* rows) {
                   if (rows != nullptr) *exists = !rows->rows.empty();
                 });
  using users_t = std::optional<std::vector<std::string>>;
  auto answer =
      answer_rows<users_t>("seen_by", std::move(then), [exists](auto& out, const pg_result& r) {
        if (!**exists) return;
        out.emplace();
        for (const auto& row : r.rows) {
          out->push_back(row.at(0).value_or(""));
        }
      });
  writes_.submit(seen_by_sql,
                 {std::to_string(room_id), std::to_string(message_id), std::to_string(except),
                  std::to_string(limit)},
                 [exists, answer = std::move(answer)](const pg_result* rows) {
                   // A failed first statement failed its batch: this one is not answered either.
                   answer(exists->has_value() ? rows : nullptr);
                 });
}

void pg_chat_store::load(answer<chat_snapshot> then) {
  // Six statements in one batch, answered in order: the last one answers for all.
  auto snapshot = std::make_shared<chat_snapshot>();
  auto failed = std::make_shared<bool>(false);
  const auto reading = [failed](const char* what, auto read) {
    return [failed, what, read](const pg_result* rows) {
      if (rows == nullptr) {
        *failed = true;
        return;
      }
      try {
        read(*rows);
      } catch (const std::exception& e) {
        spdlog::error("load {}: unexpected answer from PostgreSQL: {}", what, e.what());
        *failed = true;
      }
    };
  };
  writes_.submit(users_sql, {}, reading("users", [snapshot](const pg_result& r) {
                   for (const auto& row : r.rows)
                     snapshot->users.emplace_back(integer(row.at(0)), row.at(1).value_or(""));
                 }));
  writes_.submit(rooms_sql, {}, reading("rooms", [snapshot](const pg_result& r) {
                   for (const auto& row : r.rows) {
                     snapshot->rooms.push_back(room_record{
                         integer(row.at(0)), row.at(1).value_or(""), row.at(2).value_or(""),
                         row.at(3).value_or(""), integer(row.at(4)), pg_values::boolean(row.at(5)),
                         integer(row.at(6))});
                   }
                 }));
  writes_.submit(closed_members_sql, {}, reading("members", [snapshot](const pg_result& r) {
                   snapshot->closed_members = read_memberships(r);
                 }));
  writes_.submit(markers_sql, {}, reading("markers", [snapshot](const pg_result& r) {
                   snapshot->markers = read_memberships(r);
                 }));
  writes_.submit(last_ids_sql, {}, reading("last ids", [snapshot](const pg_result& r) {
                   for (const auto& row : r.rows)
                     snapshot->last_ids.emplace_back(integer(row.at(0)), integer(row.at(1)));
                 }));
  writes_.submit(last_seq_sql, {},
                 [snapshot, failed, then = std::move(then)](const pg_result* rows) {
                   try {
                     if (rows == nullptr || rows->rows.empty())
                       throw std::runtime_error("no seq counter");
                     snapshot->last_seq = integer(rows->value(0, 0));
                   } catch (const std::exception& e) {
                     spdlog::error("load: {}", e.what());
                     *failed = true;
                   }
                   then(!*failed, *snapshot);
                 });
}

void pg_chat_store::search(search_request request, std::vector<search_term> terms,
                           answer<search_page> then) {
  pg_connection::parameters params{
      std::to_string(request.user_id),
      id_array(request.authors),
      id_array(request.rooms),
      std::to_string(request.since_ms.value_or(std::numeric_limits<std::int64_t>::min())),
      std::to_string(request.until_ms.value_or(std::numeric_limits<std::int64_t>::max())),
      std::to_string(request.before.value_or(std::numeric_limits<std::int64_t>::max())),
      std::to_string(request.limit)};
  std::string tsquery;
  for (const auto& term : terms) {
    params.push_back(term.text);
    if (!tsquery.empty()) tsquery += " && ";
    tsquery += term_query(term, static_cast<int>(params.size()));
  }
  if (!tsquery.empty()) tsquery = "(" + tsquery + ")";
  writes_.submit(pg_reads::messages_matching(tsquery), std::move(params),
                 [this, viewer = request.user_id, then = std::move(then)](const pg_result* rows) {
                   search_page page;
                   if (rows == nullptr) return then(false, page);
                   std::vector<message> found;
                   try {
                     found = pg_reads::read_messages(*rows);
                     for (std::size_t i = 0; i < found.size(); ++i) {
                       page.hits.push_back(search_hit{
                           std::move(found[i]),
                           rows->rows[i].at(pg_reads::search_snippet_column).value_or("")});
                     }
                   } catch (const std::exception& e) {
                     spdlog::error("search: unexpected answer from PostgreSQL: {}", e.what());
                     page = search_page{};
                     return then(false, page);
                   }
                   auto shared = std::make_shared<search_page>(std::move(page));
                   std::vector<message*> messages;
                   for (auto& hit : shared->hits) messages.push_back(&hit.found);
                   with_reactions(std::move(messages), viewer, [shared, then](bool read) {
                     if (!read) *shared = search_page{};
                     then(read, *shared);
                   });
                 });
}

}  // namespace chatterbox
