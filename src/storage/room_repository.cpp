#include "chatterbox/storage/room_repository.hpp"

#include "chatterbox/storage/like_pattern.hpp"

#include "statement_scope.hpp"

namespace chatterbox {
namespace {

membership_record read_membership(SQLite::Statement& row) {
  return membership_record{row.getColumn(0).getInt64(), row.getColumn(1).getInt64(),
                           row.getColumn(2).getInt64(), row.getColumn(3).getString()};
}

std::vector<membership_record> read_memberships(statement_scope& s) {
  std::vector<membership_record> out;
  while (s->executeStep()) out.push_back(read_membership(*s));
  return out;
}

}  // namespace

room_repository::room_repository(SQLite::Database& db)
    : all_rooms_(db,
                 "SELECT id, kind, coalesce(name, ''), coalesce(dm_key, ''), "
                 "coalesce(creator_id, 0), archived, seq FROM rooms"),
      closed_members_(db,
                      "SELECT m.room_id, m.user_id, m.marker, coalesce(m.notify, '') "
                      "FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE r.kind <> 'open'"),
      markers_(db,
               "SELECT room_id, user_id, marker, coalesce(notify, '') FROM room_members "
               "WHERE marker > 0"),
      max_seq_(db,
               "SELECT max(coalesce((SELECT max(seq) FROM rooms), 0), "
               "coalesce((SELECT max(seq) FROM room_departures), 0))"),
      memberships_of_(db,
                      "SELECT room_id, user_id, marker, coalesce(notify, '') FROM room_members "
                      "WHERE user_id = ?"),
      // DO NOTHING on any uniqueness conflict: a taken name (or DM key) yields no row.
      create_(db,
              "INSERT INTO rooms (kind, name, dm_key, creator_id, created_at, seq) "
              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"),
      add_every_user_(db,
                      "INSERT OR IGNORE INTO room_members (room_id, user_id) "
                      "SELECT ?, id FROM users"),
      add_member_(db,
                  "INSERT INTO room_members (room_id, user_id, marker) VALUES (?, ?, ?) "
                  "ON CONFLICT DO NOTHING"),
      forget_departure_(db, "DELETE FROM room_departures WHERE room_id = ? AND user_id = ?"),
      remove_member_(db, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?"),
      record_departure_(db,
                        "INSERT INTO room_departures (room_id, user_id, seq) VALUES (?, ?, ?) "
                        "ON CONFLICT DO UPDATE SET seq = excluded.seq"),
      member_count_(db, "SELECT count(*) FROM room_members WHERE room_id = ?"),
      furthest_markers_(db,
                        "SELECT room_id, user_id, marker, coalesce(notify, '') FROM room_members "
                        "WHERE room_id = ? AND marker > 0 ORDER BY marker DESC LIMIT 2"),
      // OR IGNORE: a name taken by another room changes nothing instead of throwing.
      rename_(db, "UPDATE OR IGNORE rooms SET name = ?, seq = ? WHERE id = ?"),
      set_archived_(db, "UPDATE rooms SET archived = ?, seq = ? WHERE id = ?"),
      set_seq_(db, "UPDATE rooms SET seq = ? WHERE id = ?"),
      // The WHERE makes "never backwards" a property of the statement itself.
      advance_marker_(db,
                      "UPDATE room_members SET marker = ? "
                      "WHERE room_id = ? AND user_id = ? AND marker < ?"),
      set_notify_(db, "UPDATE room_members SET notify = ? WHERE room_id = ? AND user_id = ?"),
      departures_(db,
                  "SELECT room_id FROM room_departures WHERE user_id = ? AND seq > ? AND seq <= ?"),
      seen_by_(db,
               "SELECT u.username FROM room_members m JOIN users u ON u.id = m.user_id "
               "WHERE m.room_id = ? AND m.marker >= ? AND m.user_id <> ? "
               "ORDER BY u.username LIMIT ?"),
      members_(db,
               "SELECT u.id, u.username FROM room_members m JOIN users u ON u.id = m.user_id "
               "WHERE m.room_id = ? AND u.username LIKE ? ESCAPE '\\' "
               "ORDER BY u.username LIMIT ?"),
      open_members_(db,
                    "SELECT id, username FROM users WHERE username LIKE ? ESCAPE '\\' "
                    "ORDER BY username LIMIT ?") {}

std::vector<room_record> room_repository::all_rooms() {
  statement_scope s(all_rooms_);
  std::vector<room_record> out;
  while (s->executeStep()) {
    out.push_back(room_record{s->getColumn(0).getInt64(), s->getColumn(1).getString(),
                              s->getColumn(2).getString(), s->getColumn(3).getString(),
                              s->getColumn(4).getInt64(), s->getColumn(5).getInt() != 0,
                              s->getColumn(6).getInt64()});
  }
  return out;
}

std::vector<membership_record> room_repository::members_of_closed_rooms() {
  statement_scope s(closed_members_);
  return read_memberships(s);
}

std::vector<membership_record> room_repository::nonzero_markers() {
  statement_scope s(markers_);
  return read_memberships(s);
}

std::int64_t room_repository::max_seq() {
  statement_scope s(max_seq_);
  s->executeStep();
  return s->getColumn(0).getInt64();
}

std::vector<membership_record> room_repository::memberships_of(std::int64_t user_id) {
  statement_scope s(memberships_of_);
  s.bind(1, user_id);
  return read_memberships(s);
}

std::optional<std::int64_t> room_repository::create(const room_record& room, std::int64_t now_ms) {
  statement_scope s(create_);
  s.bind(1, room.kind);
  if (room.kind == "dm") {
    s->bind(2);  // NULL: DMs have no name
    s.bind(3, room.dm_key);
  } else {
    s.bind(2, room.name);
    s->bind(3);
  }
  if (room.creator_id != 0) {
    s.bind(4, room.creator_id);
  } else {
    s->bind(4);
  }
  s.bind(5, now_ms);
  s.bind(6, room.seq);
  if (!s->executeStep()) return std::nullopt;
  return s->getColumn(0).getInt64();
}

void room_repository::add_every_user(std::int64_t room_id) {
  statement_scope s(add_every_user_);
  s.bind(1, room_id);
  s->exec();
}

void room_repository::add_member(std::int64_t room_id, std::int64_t user_id, std::int64_t marker) {
  {
    statement_scope s(add_member_);
    s.bind(1, room_id);
    s.bind(2, user_id);
    s.bind(3, marker);
    s->exec();
  }
  statement_scope s(forget_departure_);
  s.bind(1, room_id);
  s.bind(2, user_id);
  s->exec();
}

bool room_repository::remove_member(std::int64_t room_id, std::int64_t user_id, std::int64_t seq) {
  {
    statement_scope s(remove_member_);
    s.bind(1, room_id);
    s.bind(2, user_id);
    if (s->exec() == 0) return false;
  }
  statement_scope s(record_departure_);
  s.bind(1, room_id);
  s.bind(2, user_id);
  s.bind(3, seq);
  s->exec();
  return true;
}

std::int64_t room_repository::member_count(std::int64_t room_id) {
  statement_scope s(member_count_);
  s.bind(1, room_id);
  s->executeStep();
  return s->getColumn(0).getInt64();
}

std::vector<membership_record> room_repository::furthest_markers(std::int64_t room_id) {
  statement_scope s(furthest_markers_);
  s.bind(1, room_id);
  return read_memberships(s);
}

bool room_repository::rename(std::int64_t room_id, std::string_view name, std::int64_t seq) {
  statement_scope s(rename_);
  s.bind(1, name);
  s.bind(2, seq);
  s.bind(3, room_id);
  return s->exec() > 0;
}

void room_repository::set_archived(std::int64_t room_id, bool archived, std::int64_t seq) {
  statement_scope s(set_archived_);
  s.bind(1, archived ? 1 : 0);
  s.bind(2, seq);
  s.bind(3, room_id);
  s->exec();
}

void room_repository::set_seq(std::int64_t room_id, std::int64_t seq) {
  statement_scope s(set_seq_);
  s.bind(1, seq);
  s.bind(2, room_id);
  s->exec();
}

bool room_repository::advance_marker(std::int64_t room_id, std::int64_t user_id,
                                     std::int64_t message_id) {
  statement_scope s(advance_marker_);
  s.bind(1, message_id);
  s.bind(2, room_id);
  s.bind(3, user_id);
  s.bind(4, message_id);
  return s->exec() > 0;
}

void room_repository::set_notify(std::int64_t room_id, std::int64_t user_id,
                                 std::string_view level) {
  statement_scope s(set_notify_);
  s.bind(1, level);
  s.bind(2, room_id);
  s.bind(3, user_id);
  s->exec();
}

std::vector<std::int64_t> room_repository::departures(std::int64_t user_id, std::int64_t since,
                                                      std::int64_t until) {
  statement_scope s(departures_);
  s.bind(1, user_id);
  s.bind(2, since);
  s.bind(3, until);
  std::vector<std::int64_t> out;
  while (s->executeStep()) out.push_back(s->getColumn(0).getInt64());
  return out;
}

std::vector<std::string> room_repository::seen_by(std::int64_t room_id, std::int64_t message_id,
                                                  std::int64_t except, int limit) {
  statement_scope s(seen_by_);
  s.bind(1, room_id);
  s.bind(2, message_id);
  s.bind(3, except);
  s.bind(4, limit);
  std::vector<std::string> out;
  while (s->executeStep()) out.push_back(s->getColumn(0).getString());
  return out;
}

std::vector<std::pair<std::int64_t, std::string>> room_repository::members(
    std::int64_t room_id, bool open, std::string_view prefix, int limit) {
  statement_scope s(open ? open_members_ : members_);
  int index = 1;
  if (!open) s.bind(index++, room_id);
  s.bind(index++, starts_with_pattern(prefix));
  s.bind(index, limit);
  std::vector<std::pair<std::int64_t, std::string>> out;
  while (s->executeStep()) out.emplace_back(s->getColumn(0).getInt64(), s->getColumn(1).getString());
  return out;
}

}  // namespace chatterbox
