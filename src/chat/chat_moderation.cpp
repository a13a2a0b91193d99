// chat_service: what administrators may do to other people's rooms and messages
// (docs/protocol.md, "Administration"): archive any room, from the chat or the admin API, and
// delete any message (chat_messages.cpp's remove_message). Each is audited in the same
// transaction as the change.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include "chatterbox/clock.hpp"

#include <algorithm>

namespace chatterbox {

using namespace chat_detail;

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, archive_room_command& command) {
  const auto actor = peer->identity().user_id;
  // The creator's, or any administrator's (moderation): the store decides, as the database
  // says when the write runs (a promotion or demotion counts at once).
  auto* room = room_to_change(*peer, command.room, false, false);
  if (room == nullptr) return;
  change_room(peer, room->id, archive_write(room->id, command.archived, actor),
              announce_archived(command.archived));
}

chat_service::room_write chat_service::archive_write(std::int64_t room_id, bool archived,
                                                    std::int64_t actor) {
  return [this, room_id, archived, actor](auto then) {
    store_.archive_room(room_id, archived, actor, std::move(then));
  };
}

std::string chat_service::room_file_stem(std::int64_t room_id) {
  const auto* room = rooms_.find(room_id);
  if (room == nullptr) return "";
  return room->kind == room_kind::dm ? "dm-" + std::to_string(room->id) : room->name;
}

chat_service::room_then chat_service::announce_archived(bool archived) {
  return [this, archived](room_state& changed, const room_change& result) {
    changed.archived = archived;
    publish(room_changed(changed, result.seq));
  };
}

std::vector<chat_service::room_overview> chat_service::rooms_overview() {
  std::vector<room_overview> out;
  for (const auto* room : rooms_.all()) {
    if (room->kind == room_kind::dm) continue;
    room_overview o;
    o.id = room->id;
    o.name = room->name;
    o.open = room->kind == room_kind::open;
    o.archived = room->archived;
    // Everyone is a member of an open room.
    o.members = o.open ? users_.size() : room->members.size();
    if (const auto* creator = users_.name_of(room->creator_id)) o.creator = *creator;
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void chat_service::archive_as_admin(std::int64_t room_id, bool archived, std::int64_t admin_id,
                                    change_done done) {
  const auto* room = rooms_.find(room_id);
  if (room == nullptr || room->kind == room_kind::dm) {
    return done(true, protocol_error{"not_found", "no such room", room_id});
  }
  change_room(room->id, archive_write(room->id, archived, admin_id), announce_archived(archived),
              std::move(done));
}

void chat_service::delete_as_admin(std::int64_t message_id, std::int64_t admin_id,
                                   change_done done) {
  remove_message(admin_id, message_id, true, std::move(done));
}

}  // namespace chatterbox
