#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

struct room_record {
  std::int64_t id = 0;
  std::string kind;  // "open", "private" or "dm"
  std::string name;  // empty for DMs
  std::string dm_key;
  std::int64_t creator_id = 0;  // 0: nobody (general)
  bool archived = false;
  std::int64_t seq = 0;
};

struct membership_record {
  std::int64_t room_id = 0;
  std::int64_t user_id = 0;
  std::int64_t marker = 0;
  std::string notify;  // empty: the room kind's default
};

// Rooms, their members with each member's read marker and notification level, and who left
// which room when. Writers run inside write_batcher's transaction.
class room_repository {
 public:
  explicit room_repository(SQLite::Database& db);

  // Startup: everything the in-memory room directory needs.
  std::vector<room_record> all_rooms();
  std::vector<membership_record> members_of_closed_rooms();  // private rooms and DMs
  std::vector<membership_record> nonzero_markers();          // every room, marker > 0
  std::int64_t max_seq();  // of room changes and departures

  std::vector<membership_record> memberships_of(std::int64_t user_id);

  // nullopt when an open or private room already has that name (regardless of case).
  std::optional<std::int64_t> create(const room_record& room, std::int64_t now_ms);
  // Open rooms: every user, with their marker at the room's start.
  void add_every_user(std::int64_t room_id);
  // Adds (or keeps) a member; a former member's departure is forgotten.
  void add_member(std::int64_t room_id, std::int64_t user_id, std::int64_t marker);
  // false when the user was not a member (nothing recorded).
  bool remove_member(std::int64_t room_id, std::int64_t user_id, std::int64_t seq);
  // Members of a private room or DM as the transaction sees them (changes not yet committed
  // included).
  std::int64_t member_count(std::int64_t room_id);
  // The two furthest read markers of the room's members (marker > 0), furthest first.
  std::vector<membership_record> furthest_markers(std::int64_t room_id);
  // false when another open or private room has that name.
  bool rename(std::int64_t room_id, std::string_view name, std::int64_t seq);
  void set_archived(std::int64_t room_id, bool archived, std::int64_t seq);
  void set_seq(std::int64_t room_id, std::int64_t seq);
  // true when the marker moved forward (never backwards).
  bool advance_marker(std::int64_t room_id, std::int64_t user_id, std::int64_t message_id);
  void set_notify(std::int64_t room_id, std::int64_t user_id, std::string_view level);

  // Rooms the user left or was removed from with since < seq <= until.
  std::vector<std::int64_t> departures(std::int64_t user_id, std::int64_t since,
                                       std::int64_t until);
  // Members other than `except` whose marker is at or past `message_id`, by name.
  std::vector<std::string> seen_by(std::int64_t room_id, std::int64_t message_id,
                                   std::int64_t except, int limit);
  // Members (every user for an open room) whose name starts with prefix, by name.
  std::vector<std::pair<std::int64_t, std::string>> members(std::int64_t room_id, bool open,
                                                            std::string_view prefix, int limit);

 private:
  SQLite::Statement all_rooms_;
  SQLite::Statement closed_members_;
  SQLite::Statement markers_;
  SQLite::Statement max_seq_;
  SQLite::Statement memberships_of_;
  SQLite::Statement create_;
  SQLite::Statement add_every_user_;
  SQLite::Statement add_member_;
  SQLite::Statement forget_departure_;
  SQLite::Statement remove_member_;
  SQLite::Statement record_departure_;
  SQLite::Statement member_count_;
  SQLite::Statement furthest_markers_;
  SQLite::Statement rename_;
  SQLite::Statement set_archived_;
  SQLite::Statement set_seq_;
  SQLite::Statement advance_marker_;
  SQLite::Statement set_notify_;
  SQLite::Statement departures_;
  SQLite::Statement seen_by_;
  SQLite::Statement members_;
  SQLite::Statement open_members_;
};

}  // namespace chatterbox
