#pragma once

#include "chatterbox/storage/room_repository.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chatterbox {

enum class room_kind { open, private_room, dm };

std::string_view to_string(room_kind kind);
std::optional<room_kind> room_kind_from(std::string_view text);

// One room as the chat layer keeps it in memory: who may see it is decided from here, on every
// command and every event, without a query.
struct room_state {
  std::int64_t id = 0;
  room_kind kind = room_kind::open;
  std::string name;
  std::string dm_key;
  std::int64_t creator_id = 0;
  bool archived = false;
  std::int64_t seq = 0;
  std::int64_t last_id = 0;  // newest message, 0 when none
  std::int64_t last_activity = 0;  // seq of its newest message or change, to rank rooms
  std::vector<std::int64_t> members;  // sorted; private rooms and DMs only

  // The two furthest read markers, of two different users: for any member, the furthest marker
  // of anyone else is one of them.
  struct reader {
    std::int64_t user_id = 0;
    std::int64_t marker = 0;
  };
  reader first;
  reader second;

  bool is_open() const { return kind == room_kind::open; }
};

// The DM key of a set of users: their ids, sorted, comma-separated.
std::string dm_key(std::vector<std::int64_t> user_ids);

// Every room, its members (private rooms and DMs; every user belongs to every open room) and
// the furthest read markers. Changed only after the database committed the change.
class room_directory {
 public:
  void load(const std::vector<room_record>& rooms, const std::vector<membership_record>& members,
            const std::vector<membership_record>& markers);

  room_state* find(std::int64_t id);
  const room_state* find(std::int64_t id) const;
  // The room, when `user_id` is a member of it; nullptr for a room that does not exist and for
  // one the user may not see alike.
  room_state* visible(std::int64_t id, std::int64_t user_id);
  static bool is_member(const room_state& room, std::int64_t user_id);
  std::vector<room_state*> all();
  // Open rooms, then the user's private rooms and DMs.
  std::vector<room_state*> rooms_of(std::int64_t user_id);
  const room_state* find_by_name(std::string_view name) const;  // open and private rooms
  const room_state* find_dm(const std::string& key) const;

  room_state& add(room_state room);
  void add_member(room_state& room, std::int64_t user_id);
  void remove_member(room_state& room, std::int64_t user_id);
  void rename(room_state& room, std::string name);
  // true when the room's two furthest markers changed (a `receipt` is then due).
  static bool note_marker(room_state& room, std::int64_t user_id, std::int64_t marker);
  // The furthest marker of anyone but `user_id`.
  static std::int64_t others_read(const room_state& room, std::int64_t user_id);

 private:
  std::unordered_map<std::int64_t, room_state> rooms_;  // nodes never move: pointers stay valid
  std::vector<std::int64_t> open_rooms_;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> closed_rooms_of_;  // by user
  std::unordered_map<std::string, std::int64_t> by_name_;  // ASCII-lowercased name
  std::unordered_map<std::string, std::int64_t> dms_;
};

}  // namespace chatterbox
