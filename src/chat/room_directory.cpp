#include "chatterbox/chat/room_directory.hpp"

#include "chatterbox/chat/user_directory.hpp"
#include "chatterbox/text/ascii.hpp"

#include <algorithm>

namespace chatterbox {

std::string_view to_string(room_kind kind) {
  switch (kind) {
    case room_kind::open: return "open";
    case room_kind::private_room: return "private";
    case room_kind::dm: return "dm";
  }
  return "open";
}

std::optional<room_kind> room_kind_from(std::string_view text) {
  if (text == "open") return room_kind::open;
  if (text == "private") return room_kind::private_room;
  if (text == "dm") return room_kind::dm;
  return std::nullopt;
}

std::string dm_key(std::vector<std::int64_t> user_ids) {
  std::sort(user_ids.begin(), user_ids.end());
  user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());
  std::string key;
  for (const auto id : user_ids) {
    if (!key.empty()) key.push_back(',');
    key += std::to_string(id);
  }
  return key;
}

void room_directory::load(const std::vector<room_record>& rooms,
                          const std::vector<membership_record>& members,
                          const std::vector<membership_record>& markers) {
  for (const auto& r : rooms) {
    room_state room;
    room.id = r.id;
    room.kind = room_kind_from(r.kind).value_or(room_kind::private_room);
    room.name = r.name;
    room.dm_key = r.dm_key;
    room.creator_id = r.creator_id;
    room.archived = r.archived;
    room.seq = r.seq;
    room.last_activity = r.seq;
    add(std::move(room));
  }
  for (const auto& m : members) {
    if (auto* room = find(m.room_id)) add_member(*room, m.user_id);
  }
  for (const auto& m : markers) {
    if (auto* room = find(m.room_id)) note_marker(*room, m.user_id, m.marker);
  }
}

room_state* room_directory::find(std::int64_t id) {
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : &it->second;
}

const room_state* room_directory::find(std::int64_t id) const {
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : &it->second;
}

bool room_directory::is_member(const room_state& room, std::int64_t user_id) {
  return room.is_open() || std::binary_search(room.members.begin(), room.members.end(), user_id);
}

room_state* room_directory::visible(std::int64_t id, std::int64_t user_id) {
  auto* room = find(id);
  return room != nullptr && is_member(*room, user_id) ? room : nullptr;
}

std::vector<room_state*> room_directory::all() {
  std::vector<room_state*> out;
  out.reserve(rooms_.size());
  for (auto& [id, room] : rooms_) out.push_back(&room);
  return out;
}

std::vector<room_state*> room_directory::rooms_of(std::int64_t user_id) {
  std::vector<room_state*> out;
  for (const auto id : open_rooms_) out.push_back(find(id));
  if (const auto it = closed_rooms_of_.find(user_id); it != closed_rooms_of_.end()) {
    for (const auto id : it->second) out.push_back(find(id));
  }
  return out;
}

const room_state* room_directory::find_by_name(std::string_view name) const {
  const auto it = by_name_.find(ascii::lowered(name));
  return it == by_name_.end() ? nullptr : find(it->second);
}

const room_state* room_directory::find_dm(const std::string& key) const {
  const auto it = dms_.find(key);
  return it == dms_.end() ? nullptr : find(it->second);
}

room_state& room_directory::add(room_state room) {
  const auto id = room.id;
  auto& stored = rooms_[id] = std::move(room);
  if (stored.kind == room_kind::dm) {
    dms_[stored.dm_key] = id;
  } else {
    by_name_[ascii::lowered(stored.name)] = id;
  }
  if (stored.is_open()) open_rooms_.push_back(id);
  auto members = std::move(stored.members);
  stored.members.clear();
  for (const auto user : members) add_member(stored, user);
  return stored;
}

void room_directory::add_member(room_state& room, std::int64_t user_id) {
  if (room.is_open()) return;
  const auto at = std::lower_bound(room.members.begin(), room.members.end(), user_id);
  if (at != room.members.end() && *at == user_id) return;
  room.members.insert(at, user_id);
  closed_rooms_of_[user_id].push_back(room.id);
}

void room_directory::remove_member(room_state& room, std::int64_t user_id) {
  std::erase(room.members, user_id);
  if (const auto it = closed_rooms_of_.find(user_id); it != closed_rooms_of_.end()) {
    std::erase(it->second, room.id);
    if (it->second.empty()) closed_rooms_of_.erase(it);
  }
  // A reader who left no longer counts for "seen by others".
  if (room.first.user_id == user_id) {
    room.first = room.second;
    room.second = {};
  } else if (room.second.user_id == user_id) {
    room.second = {};
  }
}

void room_directory::rename(room_state& room, std::string name) {
  by_name_.erase(ascii::lowered(room.name));
  room.name = std::move(name);
  by_name_[ascii::lowered(room.name)] = room.id;
}

bool room_directory::note_marker(room_state& room, std::int64_t user_id, std::int64_t marker) {
  auto& first = room.first;
  auto& second = room.second;
  if (user_id == first.user_id) {
    if (marker <= first.marker) return false;
    first.marker = marker;
    return true;
  }
  if (user_id == second.user_id) {
    if (marker <= second.marker) return false;
    second.marker = marker;
  } else {
    if (marker <= second.marker) return false;
    second = {user_id, marker};
  }
  if (second.marker > first.marker) std::swap(first, second);
  return true;
}

std::int64_t room_directory::others_read(const room_state& room, std::int64_t user_id) {
  return room.first.user_id != user_id ? room.first.marker : room.second.marker;
}

}  // namespace chatterbox
