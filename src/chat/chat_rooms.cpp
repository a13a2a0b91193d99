// chat_service: room commands — create, open a DM, rename, add and remove members, leave,
// archive, notification level.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/text/ascii.hpp"

#include <algorithm>

namespace chatterbox {

using namespace chat_detail;

namespace {

nlohmann::json ref_of(const std::optional<std::string>& client_id) {
  return client_id ? nlohmann::json(*client_id) : nlohmann::json(nullptr);
}

}  // namespace

void chat_service::change_room(const std::shared_ptr<chat_peer>& peer, std::int64_t room_id,
                               room_write write, room_then then) {
  change_room(room_id, std::move(write), std::move(then),
              [weak = std::weak_ptr(peer), room_id](bool stored,
                                                     const std::optional<protocol_error>& refused) {
                if (!stored) return deliver_if_connected(weak, error_frame(store_failed(room_id)));
                if (refused) deliver_if_connected(weak, error_frame(*refused));
              });
}

void chat_service::change_room(std::int64_t room_id, room_write write, room_then then,
                               change_done done) {
  write([this, room_id, then = std::move(then), done = std::move(done)](bool stored,
                                                                         room_change& result) {
    if (!stored || result.refused) return done(stored, result.refused);
    if (auto* room = rooms_.find(room_id)) {
      room->seq = result.seq;
      then(*room, result);
    }
    done(true, std::nullopt);
  });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, create_room_command& command) {
  const auto ref = ref_of(command.client_id);
  if (!admit_change(*peer, ref)) return;
  const auto user_id = peer->identity().user_id;
  const bool open = command.kind == "open";
  std::vector<std::int64_t> members{user_id};
  if (!open) {
    const auto others = resolve_users(*peer, command.users, ref);
    if (!others) return;
    members.insert(members.end(), others->begin(), others->end());
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
  }
  if (rooms_.find_by_name(command.name) != nullptr) {
    return peer->deliver(frames::error("name_taken", "a room with that name exists", ref));
  }
  new_room request{user_id, command.kind, command.name, "",
                   open ? std::vector<std::int64_t>{} : members, ref};
  store_.create_room(
      std::move(request),
      [this, weak = std::weak_ptr(peer), command, open, members, user_id, ref](
          bool stored, room_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(ref)));
        if (result.refused) return deliver_if_connected(weak, error_frame(*result.refused));
        room_state state;
        state.id = result.room_id;
        state.kind = open ? room_kind::open : room_kind::private_room;
        state.name = command.name;
        state.creator_id = user_id;
        state.seq = result.seq;
        if (!open) state.members = members;
        announce_new_room(rooms_.add(std::move(state)), user_id, ref);
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, open_dm_command& command) {
  const auto ref = ref_of(command.client_id);
  if (!admit_change(*peer, ref)) return;
  const auto user_id = peer->identity().user_id;
  auto members = resolve_users(*peer, command.users, ref);
  if (!members) return;
  members->push_back(user_id);
  const auto key = dm_key(*members);
  std::sort(members->begin(), members->end());
  members->erase(std::unique(members->begin(), members->end()), members->end());
  if (const auto* existing = rooms_.find_dm(key)) {
    return peer->deliver(frames::room(view_of(*existing), ref));
  }
  store_.create_room(
      new_room{user_id, "dm", "", key, *members, ref},
      [this, weak = std::weak_ptr(peer), key, members = *members, user_id, ref](
          bool stored, room_change& result) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(ref)));
        if (result.seq == 0) {
          // Opened by someone else meanwhile: theirs is ours.
          if (const auto* existing = rooms_.find_dm(key)) {
            deliver_if_connected(weak, frames::room(view_of(*existing), ref));
          }
          return;
        }
        room_state state;
        state.id = result.room_id;
        state.kind = room_kind::dm;
        state.dm_key = key;
        state.creator_id = user_id;
        state.seq = result.seq;
        state.members = members;
        announce_new_room(rooms_.add(std::move(state)), user_id, ref);
      });
}

void chat_service::announce_new_room(const room_state& room, std::int64_t creator,
                                     const nlohmann::json& ref) {
  // One view for both frames: everyone's, and the creator's with its `ref`.
  const auto view = view_of(room);
  room_event event{room.seq, room.id, frames::room(view, nullptr)};
  event.changed_room = snapshot_of(room);
  event.actor = creator;
  event.reply = frames::room(view, ref);
  publish(std::move(event));
}

room_event chat_service::room_changed(const room_state& room, std::int64_t seq) {
  room_event event{seq, room.id, frames::room(view_of(room), nullptr)};
  event.changed_room = snapshot_of(room);
  return event;
}

namespace {

// The room kinds and roles a room command is for; nullopt when the user may run it.
std::optional<protocol_error> room_command_refused(const room_state& room, std::int64_t user_id,
                                                   bool private_only, bool creator_only) {
  if (room.kind == room_kind::dm) {
    return protocol_error{"forbidden", "a direct conversation cannot be changed", room.id};
  }
  if (private_only && room.kind != room_kind::private_room) {
    return protocol_error{"forbidden", "only private rooms have members to change", room.id};
  }
  if (creator_only && room.creator_id != user_id) {
    return protocol_error{"forbidden", "only the room's creator can do that", room.id};
  }
  return std::nullopt;
}

}  // namespace

room_state* chat_service::room_to_change(chat_peer& peer, std::int64_t room_id,
                                        bool private_only, bool creator_only) {
  if (!admit_change(peer, room_id)) return nullptr;
  auto* room = member_room(peer, room_id);
  if (room == nullptr) return nullptr;
  if (auto refused = room_command_refused(*room, peer.identity().user_id, private_only, creator_only)) {
    peer.deliver(error_frame(*refused));
    return nullptr;
  }
  return room;
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, rename_room_command& command) {
  auto* room = room_to_change(*peer, command.room, false, true);
  if (room == nullptr) return;
  const auto* same = rooms_.find_by_name(command.name);
  if (same != nullptr && same->id != room->id) {
    return peer->deliver(frames::error("name_taken", "a room with that name exists", room->id));
  }
  change_room(
      peer, room->id,
      [this, room_id = room->id, name = command.name](auto then) {
        store_.rename_room(room_id, name, std::move(then));
      },
      [this, name = command.name](room_state& changed, const room_change& result) {
        rooms_.rename(changed, name);
        publish(room_changed(changed, result.seq));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, add_members_command& command) {
  auto* room = room_to_change(*peer, command.room, true, false);
  if (room == nullptr) return;
  const auto users = resolve_users(*peer, command.users, command.room);
  if (!users) return;
  std::vector<std::int64_t> added;
  for (const auto id : *users) {
    if (!room_directory::is_member(*room, id)) added.push_back(id);
  }
  if (added.empty()) return peer->deliver(frames::room(view_of(*room), nullptr));
  change_room(
      peer, room->id,
      [this, added, room_id = room->id, marker = room->last_id](auto then) {
        // Added people start with the history read: it was said before they were there.
        store_.add_members(room_id, added, marker, std::move(then));
      },
      [this, added, marker = room->last_id](room_state& changed, const room_change& result) {
        for (const auto id : added) {
          rooms_.add_member(changed, id);
          // As the stored marker says (and as the directory reads it after a restart).
          room_directory::note_marker(changed, id, marker);
        }
        publish(room_changed(changed, result.seq));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, remove_member_command& command) {
  // Names are unique regardless of ASCII case: leaving is removing oneself.
  const bool self = ascii::lowered(command.user) == ascii::lowered(peer->identity().username);
  auto* room = room_to_change(*peer, command.room, true, !self);
  if (room == nullptr) return;
  const auto target = find_user(command.user);
  if (!target || !room_directory::is_member(*room, *target)) {
    return peer->deliver(frames::error("not_found", "no such member", command.room));
  }
  change_room(
      peer, room->id,
      [this, room_id = room->id, target = *target](auto then) {
        store_.remove_member(room_id, target, std::move(then));
      },
      [this, target = *target](room_state& changed, const room_change& result) {
        rooms_.remove_member(changed, target);
        changed.first = {};
        changed.second = {};
        for (const auto& reader : result.readers) {
          room_directory::note_marker(changed, reader.user_id, reader.marker);
        }
        if (result.archived) changed.archived = true;
        auto event = room_changed(changed, result.seq);
        event.removed = target;
        publish(std::move(event));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, leave_room_command& command) {
  remove_member_command remove{command.room, peer->identity().username};
  handle(peer, remove);
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, notify_command& command) {
  if (!admit_change(*peer, command.room)) return;
  const auto user_id = peer->identity().user_id;
  const auto* room = member_room(*peer, command.room);
  if (room == nullptr) return;
  store_.set_notify(
      command.room, user_id, command.level,
      [this, weak = std::weak_ptr(peer), user_id, command](bool stored, nothing_to_say&) {
        if (!stored) return deliver_if_connected(weak, error_frame(store_failed(command.room)));
        const auto frame = frames::notify(command.room, command.level);
        connections_.deliver_to_user(user_id, frame);
        signal({chat_signal::kind::to_user, 0, user_id, {}, false, 0, frame});
      });
}

}  // namespace chatterbox
