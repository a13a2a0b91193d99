#include "chatterbox/chat/chat_service.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chat_internals.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace chatterbox {

using namespace chat_detail;

chat_service::sqlite_parts chat_service::make_sqlite_parts(const chat_storage& storage) {
  auto rooms = std::make_unique<room_directory>();
  auto store = std::make_unique<sqlite_chat_store>(storage, *rooms);
  return {std::move(rooms), std::move(store)};
}

chat_service::chat_service(boost::asio::io_context& io, chat_storage storage,
                           connection_manager& connections, chat_limits limits)
    : chat_service(io, make_sqlite_parts(storage), nullptr, nullptr, storage, storage.release_blob,
                   connections, limits) {
  chat_snapshot snapshot;
  store_.load([&](bool, chat_snapshot& loaded) { snapshot = std::move(loaded); });  // at once
  start_from(snapshot);
}

chat_service::chat_service(boost::asio::io_context& io, chat_store& store, room_directory& rooms,
                           chat_snapshot snapshot, connection_manager& connections,
                           chat_limits limits, std::function<void(std::string sha256)> release_blob)
    : chat_service(io, {}, &rooms, &store, std::nullopt, std::move(release_blob), connections,
                   limits) {
  start_from(snapshot);
}

chat_service::chat_service(boost::asio::io_context& io, sqlite_parts parts, room_directory* rooms,
                           chat_store* store, std::optional<chat_storage> sqlite,
                           std::function<void(std::string sha256)> release_blob,
                           connection_manager& connections, chat_limits limits)
    : sqlite_(std::move(sqlite)),
      release_blob_(std::move(release_blob)),
      connections_(connections),
      own_rooms_(std::move(parts.rooms)),
      rooms_(own_rooms_ ? *own_rooms_ : *rooms),
      own_store_(std::move(parts.store)),
      store_(own_store_ ? *own_store_ : *store),
      typing_(io, limits.typing_timeout,
              [this](std::int64_t room, std::int64_t user_id, const std::string& username,
                     bool active) {
                if (const auto* r = rooms_.find(room)) {
                  to_room(*r, frames::typing(room, username, active), user_id);
                  signal({chat_signal::kind::typing, room, user_id, username, active});
                }
              }),
      watch_(io, limits.presence_batch, [this](std::int64_t user_id) { return online(user_id); }),
      presence_(io, limits.presence_grace,
                [this](const present_user& user, bool is_online) {
                  watch_.changed(user.id);
                  signal({chat_signal::kind::presence, 0, user.id, user.name, is_online});
                }),
      message_limiter_(limits.message_rate, limits.message_burst),
      signal_limiter_(limits.signal_rate, limits.signal_burst),
      query_limiter_(limits.query_rate, limits.query_burst),
      reply_bytes_(limits.reply_bytes) {}

void chat_service::start_from(chat_snapshot& snapshot) {
  for (auto& [id, name] : snapshot.users) users_.add(id, std::move(name));
  rooms_.load(snapshot.rooms, snapshot.closed_members, snapshot.markers);
  for (const auto& [room_id, last_id] : snapshot.last_ids) {
    if (auto* room = rooms_.find(room_id)) room->last_id = last_id;
  }
  committed_seq_ = snapshot.last_seq;
}

bool chat_service::admit_change(chat_peer& peer, const nlohmann::json& ref) {
  const auto decision = message_limiter_.take(std::to_string(peer.identity().user_id));
  if (decision.allowed) return true;
  ++metrics().rate_limited;
  peer.deliver(frames::rate_limited(ref, decision.retry_after.count()));
  return false;
}

bool chat_service::admit_signal(const chat_peer& peer) {
  if (signal_limiter_.take(std::to_string(peer.identity().user_id)).allowed) return true;
  ++metrics().rate_limited;
  return false;
}

bool chat_service::admit_query(chat_peer& peer) {
  const auto decision = query_limiter_.take(std::to_string(peer.identity().user_id));
  if (decision.allowed) return true;
  ++metrics().rate_limited;
  peer.deliver(frames::rate_limited(nullptr, decision.retry_after.count()));
  return false;
}

void chat_service::connect(const std::shared_ptr<chat_peer>& peer) {
  const auto& who = peer->identity();
  if (users_.name_of(who.user_id) == nullptr) users_.add(who.user_id, who.username);
  // The peer joins the fan-out once its hello is read (at once on SQLite): from then on it gets
  // every event after the hello's seq. A peer that goes before that never joins.
  connecting_.insert(peer.get());
  connections_.connecting(who.user_id);
  const auto unavailable = [this](chat_peer& peer, const char* why) {
    stop_connecting(peer);
    // Without its rooms a client cannot show anything: let it come back shortly.
    spdlog::error("connect: user={} cannot read the database: {}", peer.identity().username, why);
    peer.close(1013, "try again later");
  };
  try {
    store_.marks_of(who.user_id, [this, weak = std::weak_ptr(peer), unavailable](
                                     bool read, std::vector<room_marks>& marks) {
      const auto peer = weak.lock();
      if (!peer || !connecting_.contains(peer.get())) return;  // gone meanwhile
      if (!read) return unavailable(*peer, "the store did not answer");
      const auto& who = peer->identity();
      const auto hello = hello_frame(who, marks);
      stop_connecting(*peer);
      const bool first_connection = connections_.add(*peer);
      peer->deliver(hello);
      if (first_connection) presence_.connected({who.user_id, who.username});
    });
  } catch (const std::exception& e) {
    unavailable(*peer, e.what());
  }
}

void chat_service::stop_connecting(const chat_peer& peer) {
  if (connecting_.erase(&peer) > 0) connections_.connecting_ended(peer.identity().user_id);
}

void chat_service::disconnect(chat_peer& peer) {
  const auto& who = peer.identity();
  stop_connecting(peer);
  typing_.source_closed(who.user_id, &peer);
  watch_.forget(peer);
  if (connections_.remove(peer)) presence_.disconnected({who.user_id, who.username});
}

std::vector<present_user> chat_service::stop() {
  typing_.clear();
  watch_.stop();
  presence_.stop();
  return presence_.online_users();
}

void chat_service::receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame) {
  try {
    dispatch(peer, frame);
  } catch (const std::exception& e) {
    // A read the database refused (history, sync) or a bug: this request fails, everyone else
    // carries on.
    spdlog::error("request from user={} failed: {}", peer->identity().username, e.what());
    peer->deliver(error_frame(store_failed(nullptr)));
  }
}

void chat_service::dispatch(const std::shared_ptr<chat_peer>& peer, std::string_view frame) {
  auto parsed = parse_client_frame(frame);
  if (auto* error = std::get_if<protocol_error>(&parsed)) {
    peer->deliver(error_frame(*error));
    return;
  }
  std::visit([&](auto& command) { handle(peer, command); }, std::get<client_command>(parsed));
}

room_state* chat_service::member_room(chat_peer& peer, std::int64_t room_id) {
  if (auto* room = rooms_.visible(room_id, peer.identity().user_id)) return room;
  peer.deliver(frames::error("not_found", "no such room", room_id));
  return nullptr;
}

void chat_service::to_room(const room_state& room, const frame_ptr& frame, std::int64_t except) {
  if (room.is_open()) {
    // Every user is a member of an open room: the flat broadcast, no lookup per member.
    if (except == 0) {
      connections_.broadcast(frame);
    } else {
      connections_.broadcast_except_user(except, frame);
    }
    return;
  }
  connections_.deliver_to_users(room.members, frame, except);
}

std::optional<std::int64_t> chat_service::find_user(std::string_view name) {
  if (auto id = users_.id_of(name)) return id;
  // An account created since startup that has not connected yet.
  if (!sqlite_) return std::nullopt;
  if (auto user = sqlite_->users.find_by_name(name)) {
    users_.add(user->id, user->username);
    return user->id;
  }
  return std::nullopt;
}

std::optional<std::vector<std::int64_t>> chat_service::resolve_users(
    chat_peer& peer, const std::vector<std::string>& names, const nlohmann::json& ref) {
  std::vector<std::int64_t> ids;
  for (const auto& name : names) {
    const auto id = find_user(name);
    if (!id) {
      peer.deliver(frames::error("not_found", "no such user: " + name, ref));
      return std::nullopt;
    }
    ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace chatterbox
