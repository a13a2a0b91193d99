// pg_chat_store: what the bus between nodes reads back when it missed events (node_bus).

#include "chatterbox/store/pg_chat_store.hpp"

#include "pg_answers.hpp"

#include "chatterbox/postgres/pg_message_reads.hpp"
#include "chatterbox/postgres/pg_values.hpp"

#include <algorithm>
#include <memory>

namespace chatterbox {
namespace {

using pg_answers::answer_rows;
using pg_values::integer;

// Rows per read: a node far behind catches up a page at a time.
constexpr std::size_t bus_page = 500;

const std::string accounts_since_sql =
    "SELECT u.id, u.username, u.created_seq FROM users u "
    "WHERE u.created_seq > $1 ORDER BY u.created_seq LIMIT $2";
// A room's members now (private rooms and DMs; everyone is in an open one).
const std::string rooms_since_sql =
    "SELECT r.id, r.kind, coalesce(r.name, ''), coalesce(r.dm_key, ''), "
    "coalesce(r.creator_id, 0), r.archived, r.seq, "
    "CASE WHEN r.kind = 'open' THEN '{}'::bigint[] ELSE ARRAY(SELECT rm.user_id FROM room_members "
    "rm WHERE rm.room_id = r.id ORDER BY rm.user_id) END "
    "FROM rooms r WHERE r.seq > $1 ORDER BY r.seq LIMIT $2";

std::vector<std::int64_t> bigints(const std::optional<std::string>& array) {
  std::vector<std::int64_t> out;
  const auto& text = array.value();  // "{3,5,8}"
  std::size_t at = 1;
  while (at + 1 < text.size()) {
    const auto comma = std::min(text.find(',', at), text.size() - 1);
    out.push_back(integer(text.substr(at, comma - at)));
    at = comma + 1;
  }
  return out;
}

}  // namespace

void pg_chat_store::latest_seq(answer<std::int64_t> then) {
  writes_.submit("SELECT value FROM seq_counter", {},
                 answer_rows<std::int64_t>("latest seq", std::move(then),
                                           [](std::int64_t& latest, const pg_result& r) {
                                             latest = integer(r.rows.at(0).at(0));
                                           }));
}

// Four reads in one turn (one batch): the latest seq first, so that what the others return is
// complete up to it (commit order is seq order), unless a page was cut short.
void pg_chat_store::changes_for_bus(std::int64_t since, answer<changes_for_nodes> then) {
  struct reading {
    changes_for_nodes changes;
    std::int64_t latest = 0;
    bool failed = false;
    int waiting = 4;
    std::vector<message> messages;
    answer<changes_for_nodes> then;
  };
  auto r = std::make_shared<reading>();
  r->then = std::move(then);
  const auto one_done = [r] {
    if (--r->waiting > 0) return;
    if (r->failed) {
      changes_for_nodes none;
      return r->then(false, none);
    }
    auto& c = r->changes;
    c.messages = std::move(r->messages);
    c.complete_to = r->latest;
    // A page cut short is complete only to its last row.
    const auto cut = [&](auto& rows, auto seq_of) {
      if (rows.size() <= bus_page) return;
      rows.resize(bus_page);
      c.complete_to = std::min(c.complete_to, seq_of(rows.back()));
    };
    cut(c.messages, [](const message& m) { return m.seq; });
    cut(c.accounts, [](const changes_for_nodes::account& a) { return a.seq; });
    cut(c.rooms, [](const changes_for_nodes::room& room) { return room.seq; });
    std::erase_if(c.messages, [&](const message& m) { return m.seq > c.complete_to; });
    std::erase_if(c.accounts, [&](const auto& a) { return a.seq > c.complete_to; });
    std::erase_if(c.rooms, [&](const auto& room) { return room.seq > c.complete_to; });
    r->then(true, c);
  };
  const auto rows_read = [r, one_done](auto read) {
    return [r, one_done, read](bool ok, auto& result) {
      if (!ok)
        r->failed = true;
      else
        read(result);
      one_done();
    };
  };
  latest_seq(rows_read([r](std::int64_t& latest) { r->latest = latest; }));
  const auto limit = std::to_string(bus_page + 1);
  read_messages(
      pg_reads::messages_changed_since, {std::to_string(since), limit}, 0,
      rows_read([r](std::vector<message>& messages) { r->messages = std::move(messages); }));
  writes_.submit(accounts_since_sql, {std::to_string(since), limit},
                 answer_rows<bool>(
                     "accounts since", rows_read([](bool&) {}), [r](bool&, const pg_result& rows) {
                       for (const auto& row : rows.rows) {
                         r->changes.accounts.push_back(
                             {integer(row.at(0)), row.at(1).value(), integer(row.at(2))});
                       }
                     }));
  writes_.submit(
      rooms_since_sql, {std::to_string(since), limit},
      answer_rows<bool>("rooms since", rows_read([](bool&) {}), [r](bool&, const pg_result& rows) {
        for (const auto& row : rows.rows) {
          room_snapshot now{integer(row.at(0)),
                            room_kind_from(row.at(1).value()).value_or(room_kind::private_room),
                            row.at(2).value(),
                            row.at(3).value(),
                            integer(row.at(4)),
                            pg_values::boolean(row.at(5)),
                            bigints(row.at(7))};
          r->changes.rooms.push_back({std::move(now), integer(row.at(6))});
        }
      }));
}

}  // namespace chatterbox
