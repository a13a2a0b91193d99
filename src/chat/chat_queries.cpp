// chat_service: what a client reads — hello, history, sync, members, seen_by and presence.

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include <algorithm>
#include <unordered_map>

namespace chatterbox {

using namespace chat_detail;

namespace {

// Private rooms list their members in the room object up to this many; larger ones are listed
// with `members`.
constexpr std::size_t listed_members = 50;
// sync looks at no more than this many changes per reply, however few of them the user may see.
constexpr std::size_t max_sync_scan = 20000;
constexpr int sync_chunk = 1000;

}  // namespace

room_view chat_service::view_of(const room_state& room) const {
  room_view view;
  view.id = room.id;
  view.kind = to_string(room.kind);
  view.name = room.name;
  view.archived = room.archived;
  view.seq = room.seq;
  if (const auto* creator = users_.name_of(room.creator_id)) view.creator = *creator;
  view.member_count = room.is_open() ? users_.size() : room.members.size();
  if (room.kind == room_kind::dm ||
      (room.kind == room_kind::private_room && room.members.size() <= listed_members)) {
    std::vector<std::string> names;
    for (const auto id : room.members) {
      if (const auto* name = users_.name_of(id)) names.push_back(*name);
    }
    std::sort(names.begin(), names.end());
    view.members = std::move(names);
  }
  return view;
}

void chat_service::read_refused(chat_peer& peer) { peer.deliver(error_frame(read_failed())); }

frame_ptr chat_service::hello_frame(const peer_identity& who, std::vector<room_marks>& marks) {
  std::unordered_map<std::int64_t, room_marks*> mine;
  for (auto& m : marks) mine.emplace(m.room_id, &m);
  auto rooms = rooms_.rooms_of(who.user_id);
  // The most recently active first: those are the ones kept when not all of them fit.
  std::sort(rooms.begin(), rooms.end(), [](const room_state* a, const room_state* b) {
    return std::tie(a->last_id, a->seq) > std::tie(b->last_id, b->seq);
  });
  std::vector<std::string> list;
  std::size_t used = frames::page_overhead;
  bool truncated = false;
  for (const auto* room : rooms) {
    const auto it = mine.find(room->id);
    const auto* m = it == mine.end() ? nullptr : it->second;
    room_state_view state;
    state.last_id = room->last_id;
    state.marker = m ? m->marker : 0;
    if (m && room->last_id > state.marker) {
      state.unread = m->unread;
      state.mentions = m->mentions;
    }
    state.others_read = room_directory::others_read(*room, who.user_id);
    state.notify = m && !m->notify.empty() ? std::string_view(m->notify)
                                           : default_notify(room->kind == room_kind::dm);
    auto entry = frames::room_with_state(view_of(*room), state);
    used += entry.size() + 1;
    if (used > reply_bytes_) {
      truncated = true;
      break;
    }
    list.push_back(std::move(entry));
  }
  return frames::hello(who.username, committed_seq_, list, truncated);
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, history_command& command) {
  if (!admit_query(*peer)) return;
  const auto* room = member_room(*peer, command.room);
  if (room == nullptr) return;
  if (command.after) return history_after(peer, command);
  if (command.around) return history_around(peer, command);
  store_.page_before(
      room->id, command.before, command.limit + 1, peer->identity().user_id,
      answering_peer<std::vector<message>>(
          peer, command.room, [this, command](chat_peer& peer, std::vector<message>& page) {
            bool has_more = page.size() > static_cast<std::size_t>(command.limit);
            if (has_more) page.erase(page.begin());
            // The newest messages of the page are kept; a page cut short says has_more, and the
            // client asks for what is before its oldest message as usual.
            const auto fit = fitting(page.rbegin(), page.rend(), reply_bytes_);
            if (fit < page.size()) {
              page.erase(page.begin(), page.end() - static_cast<std::ptrdiff_t>(fit));
              has_more = true;
            }
            peer.deliver(frames::history(command.room, command.before, page, has_more));
          }));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, sync_command& command) {
  if (!admit_query(*peer)) return;
  const auto user_id = peer->identity().user_id;
  // Changes of every room in seq order, keeping those of the user's rooms, until a page is
  // full or max_sync_scan changes were looked at.
  store_.changes_since(
      command.since, user_id,
      [this, user_id](std::int64_t room) { return rooms_.visible(room, user_id) != nullptr; },
      max_sync_batch, max_sync_scan,
      answering_peer<change_page>(peer, 0, [this, command, weak = std::weak_ptr(peer)](
                                                chat_peer& peer, change_page& page) {
        sync_reply(peer, weak, command, page);
      }));
}

void chat_service::sync_reply(chat_peer& peer, const std::weak_ptr<chat_peer>& weak,
                              const sync_command& command, change_page& page) {
  const auto user_id = peer.identity().user_id;
  auto& visible = page.messages;
  // Membership may have changed while the store read (never with SQLite, which answers at once):
  // nothing of a room the user is no longer in goes out.
  std::erase_if(visible, [&](const message& m) { return rooms_.visible(m.room, user_id) == nullptr; });
  auto cursor = page.cursor;
  bool has_more = !page.exhausted;
  if (visible.size() > static_cast<std::size_t>(max_sync_batch)) {
    visible.resize(max_sync_batch);
    cursor = visible.back().seq;
    has_more = true;
  }
  const auto fit = fitting(visible.begin(), visible.end(), reply_bytes_ / 2);
  if (fit < visible.size()) {
    visible.resize(fit);
    has_more = true;
    cursor = visible.back().seq;
  }
  // Without more to come the client is current up to the committed seq, even past the last
  // change (gaps are left by rolled-back writes, and room changes have seqs too).
  std::int64_t seq = has_more ? cursor : committed_seq_;
  // The rooms changed in the page's range, in seq order, get the other half of the reply: when
  // they do not all fit, the page ends before the first that does not (and the messages after
  // it wait for the next page with it). The first always goes, so the page moves forward.
  std::vector<const room_state*> changed;
  for (const auto* room : rooms_.rooms_of(user_id)) {
    if (room->seq > command.since && room->seq <= seq) changed.push_back(room);
  }
  std::sort(changed.begin(), changed.end(),
            [](const room_state* a, const room_state* b) { return a->seq < b->seq; });
  auto rooms = nlohmann::json::array();
  std::size_t rooms_bytes = 0;
  for (const auto* room : changed) {
    auto object = room_json(*room);
    rooms_bytes += frames::dumped_size(object) + 1;
    if (rooms_bytes > reply_bytes_ / 2 && !rooms.empty()) {
      seq = room->seq - 1;
      has_more = true;
      std::erase_if(visible, [seq](const message& m) { return m.seq > seq; });
      break;
    }
    rooms.push_back(std::move(object));
  }
  store_.departures(
      user_id, command.since, seq,
      [weak, visible = std::move(visible),
       rooms = std::move(rooms), seq, has_more](bool read, std::vector<std::int64_t>& removed) {
        const auto peer = weak.lock();
        if (!peer) return;
        if (!read) return peer->deliver(error_frame(read_failed()));
        peer->deliver(frames::sync(visible, rooms, removed, seq, has_more));
      });
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, members_command& command) {
  if (!admit_query(*peer)) return;
  const auto* room = member_room(*peer, command.room);
  if (room == nullptr) return;
  using rows_t = std::vector<std::pair<std::int64_t, std::string>>;
  store_.members(room->id, room->is_open(), command.prefix, command.limit + 1,
                 answering_peer<rows_t>(peer, command.room, [this, command](chat_peer& peer, rows_t& rows) {
                   const bool has_more = rows.size() > static_cast<std::size_t>(command.limit);
                   if (has_more) rows.pop_back();
                   std::vector<std::pair<std::string, bool>> users;
                   for (auto& [id, name] : rows) users.emplace_back(std::move(name), online(id));
                   peer.deliver(frames::members(command.room, command.prefix, users, has_more));
                 }));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, seen_by_command& command) {
  if (!admit_query(*peer)) return;
  // Not member_room: like `seen`, an error about seen_by refers to the message id.
  const auto* room = rooms_.visible(command.room, peer->identity().user_id);
  if (room == nullptr) {
    return peer->deliver(frames::error("not_found", "no such room", command.id));
  }
  constexpr int limit = 100;
  using users_t = std::optional<std::vector<std::string>>;
  store_.seen_by(room->id, command.id, peer->identity().user_id, limit + 1,
                 answering_peer<users_t>(peer, command.room, [command](chat_peer& peer, users_t& users) {
                   if (!users) {
                     return peer.deliver(frames::error("not_found", "no such message", command.id));
                   }
                   const bool has_more = users->size() > static_cast<std::size_t>(limit);
                   if (has_more) users->pop_back();
                   peer.deliver(frames::seen_by(command.room, command.id, *users, has_more));
                 }));
}

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, watch_command& command) {
  if (!admit_query(*peer)) return;
  std::vector<presence_watch::watched_user> users;
  users.reserve(command.users.size());
  for (auto& name : command.users) {
    const auto id = users_.id_of(name);
    const auto* canonical = id ? users_.name_of(*id) : nullptr;
    users.push_back({id.value_or(0), canonical ? *canonical : std::move(name)});
  }
  watch_.watch(*peer, users);
}

}  // namespace chatterbox
