// chat_service: committed changes on their way to clients, this node's and (through the bus)
// every other node's (docs/scale-out.md, "Events between nodes").

#include "chatterbox/chat/chat_service.hpp"

#include "chatterbox/bus/presence_board.hpp"

#include <algorithm>

namespace chatterbox {

room_snapshot snapshot_of(const room_state& room) {
  return room_snapshot{room.id,         room.kind,     room.name,   room.dm_key,
                       room.creator_id, room.archived, room.members};
}

void chat_service::add_user(std::int64_t id, std::string name, std::int64_t seq) {
  if (seq == 0) return users_.add(id, std::move(name));
  room_event event{seq, 0};
  event.new_user_id = id;
  event.new_user_name = std::move(name);
  publish(std::move(event));
}

void chat_service::publish(room_event event) {
  if (publish_) return publish_(std::move(event));
  deliver(event, true);
}

void chat_service::deliver(const room_event& event, bool own) {
  committed(event.seq);
  if (event.new_user_id != 0) users_.add(event.new_user_id, event.new_user_name);
  // This node's own changes are in its directory since their commit (its clients' next
  // commands rely on them at once).
  std::vector<std::int64_t> removed;
  if (!own && event.changed_room) removed = apply_room(*event.changed_room, event.seq);
  auto* room = rooms_.find(event.room);
  if (room == nullptr) return;
  if (event.message_id != 0) room->last_id = std::max(room->last_id, event.message_id);
  if (event.removed != 0 &&
      std::find(removed.begin(), removed.end(), event.removed) == removed.end()) {
    removed.push_back(event.removed);
  }
  for (const auto user_id : removed) {
    typing_.stop(room->id, user_id);
    connections_.deliver_to_user(user_id, frames::room_removed(room->id));
  }
  // A room change read back from the store comes without its frame: it is the room as it is.
  const auto frame = event.frame ? event.frame : frames::room(view_of(*room), nullptr);
  if (own && event.reply) {
    connections_.deliver_to_user(event.actor, event.reply);
    return to_room(*room, frame, event.actor);
  }
  to_room(*room, frame);
}

std::vector<std::int64_t> chat_service::apply_room(const room_snapshot& changed, std::int64_t seq) {
  auto* room = rooms_.find(changed.id);
  if (room == nullptr) {
    room_state state;
    state.id = changed.id;
    state.kind = changed.kind;
    state.name = changed.name;
    state.dm_key = changed.dm_key;
    state.creator_id = changed.creator_id;
    state.archived = changed.archived;
    state.seq = seq;
    state.last_activity = seq;
    state.members = changed.members;
    rooms_.add(std::move(state));
    return {};
  }
  if (room->seq >= seq) return {};  // a later change is known already
  room->seq = seq;
  room->archived = changed.archived;
  if (room->kind != room_kind::dm && room->name != changed.name) rooms_.rename(*room, changed.name);
  if (room->is_open()) return {};
  std::vector<std::int64_t> removed;
  const auto before = room->members;
  for (const auto id : before) {
    if (!std::binary_search(changed.members.begin(), changed.members.end(), id)) {
      rooms_.remove_member(*room, id);
      removed.push_back(id);
    }
  }
  for (const auto id : changed.members) rooms_.add_member(*room, id);
  return removed;
}

void chat_service::receive_signal(const chat_signal& signal) {
  // Each checked against this node's directory: a signal never reaches whom the room's
  // membership here does not allow.
  switch (signal.what) {
    case chat_signal::kind::typing:
      if (const auto* room = rooms_.visible(signal.room, signal.user_id)) {
        if (signal.active && room->archived) return;
        to_room(*room, frames::typing(room->id, signal.username, signal.active), signal.user_id);
      }
      return;
    case chat_signal::kind::receipt:
      if (auto* room = rooms_.visible(signal.room, signal.user_id)) {
        if (room_directory::note_marker(*room, signal.user_id, signal.message_id)) {
          to_room(*room, frames::receipt(room->id, signal.username, signal.message_id));
        }
      }
      return;
    case chat_signal::kind::to_user:
      if (signal.frame) connections_.deliver_to_user(signal.user_id, signal.frame);
      return;
    case chat_signal::kind::presence:
      return;
  }
}

void chat_service::presence_changed(const std::vector<std::int64_t>& user_ids) {
  for (const auto id : user_ids) watch_.changed(id);
}

bool chat_service::online(std::int64_t user_id) const {
  return presence_.is_online(user_id) || (elsewhere_ != nullptr && elsewhere_->is_online(user_id));
}

std::vector<std::int64_t> chat_service::online_ids() const {
  std::vector<std::int64_t> ids;
  for (const auto& user : presence_.online_users()) ids.push_back(user.id);
  if (elsewhere_ != nullptr) {
    for (const auto& user : elsewhere_->online_users()) {
      if (!presence_.is_online(user.id)) ids.push_back(user.id);
    }
  }
  return ids;
}

}  // namespace chatterbox
