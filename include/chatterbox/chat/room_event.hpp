#pragma once

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/protocol/server_frames.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

// A room as another node must learn it after a change of it (its directory decides who may see
// what): everything but what each node keeps for itself (read markers, newest message).
struct room_snapshot {
  std::int64_t id = 0;
  room_kind kind = room_kind::open;
  std::string name;
  std::string dm_key;
  std::int64_t creator_id = 0;
  bool archived = false;
  std::vector<std::int64_t> members;  // private rooms and DMs
};

room_snapshot snapshot_of(const room_state& room);

// A committed change with a seq, as every node tells its own clients (docs/scale-out.md,
// "Events between nodes"): on one node at once, after the commit; on several, each node in seq
// order, whichever node committed it. Clients take the highest seq they were sent as where a
// later `sync` starts, so no seq may reach a client before a smaller one.
struct room_event {
  std::int64_t seq = 0;
  std::int64_t room = 0;
  frame_ptr frame{};  // for the room's members
  // The user whose command it was gets `reply` (with its `ref`) instead of `frame`, on the
  // node that committed it; elsewhere their connections get `frame` like everyone's.
  std::int64_t actor = 0;
  frame_ptr reply{};
  std::int64_t message_id = 0;  // a new message: the room's newest now
  // A change of the room itself (created, renamed, members, archived): the room as it is now,
  // and who was removed from it (told `room_removed`).
  std::optional<room_snapshot> changed_room{};
  std::int64_t removed = 0;
  // A new account (room 0, no frame): every node's chat resolves its name from now on.
  std::int64_t new_user_id = 0;
  std::string new_user_name{};
};

}  // namespace chatterbox
