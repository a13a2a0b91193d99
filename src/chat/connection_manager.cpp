#include "chatterbox/chat/connection_manager.hpp"

#include <algorithm>

namespace chatterbox {

bool connection_manager::add(chat_peer& peer) {
  peers_.push_back(&peer);
  auto& user = users_[peer.identity().user_id];
  user.name = peer.identity().username;
  user.peers.push_back(&peer);
  if (++user.connections > 1) return false;
  ++online_;
  return true;
}

bool connection_manager::remove(chat_peer& peer) {
  const auto it = std::find(peers_.begin(), peers_.end(), &peer);
  if (it == peers_.end()) return false;
  const auto user = users_.find(peer.identity().user_id);
  auto& own = user->second.peers;
  const auto slot = std::find(own.begin(), own.end(), &peer);
  if (delivering_ > 0) {
    // A delivery is walking these vectors: nothing may move under it.
    *it = nullptr;
    *slot = nullptr;
    ++holes_;
  } else {
    *it = peers_.back();
    peers_.pop_back();
    own.erase(slot);
  }
  if (--user->second.connections > 0) return false;
  --online_;
  // Kept while a delivery may hold a reference to it; compact() drops it.
  if (delivering_ == 0) users_.erase(user);
  return true;
}

template <class Deliver>
void connection_manager::for_each_peer(Deliver&& deliver) {
  ++delivering_;
  // By index, up to the size at the start: a peer added meanwhile (push_back may reallocate)
  // did not exist when the event happened.
  const std::size_t count = peers_.size();
  for (std::size_t i = 0; i < count; ++i) {
    if (auto* peer = peers_[i]) deliver(*peer);
  }
  if (--delivering_ == 0 && holes_ > 0) compact();
}

void connection_manager::compact() {
  std::erase(peers_, nullptr);
  for (auto it = users_.begin(); it != users_.end();) {
    std::erase(it->second.peers, nullptr);
    it = it->second.connections == 0 ? users_.erase(it) : std::next(it);
  }
  holes_ = 0;
}

void connection_manager::broadcast(const frame_ptr& frame) {
  for_each_peer([&](chat_peer& peer) { peer.deliver(frame); });
}

void connection_manager::broadcast_except_user(std::int64_t user_id, const frame_ptr& frame) {
  for_each_peer([&](chat_peer& peer) {
    if (peer.identity().user_id != user_id) peer.deliver(frame);
  });
}

void connection_manager::deliver_to_users(const std::vector<std::int64_t>& user_ids,
                                          const frame_ptr& frame, std::int64_t except) {
  ++delivering_;
  for (const auto id : user_ids) {
    if (id != except) deliver_to_connections_of(id, frame);
  }
  if (--delivering_ == 0 && holes_ > 0) compact();
}

void connection_manager::deliver_to_user(std::int64_t user_id, const frame_ptr& frame) {
  ++delivering_;
  deliver_to_connections_of(user_id, frame);
  if (--delivering_ == 0 && holes_ > 0) compact();
}

void connection_manager::deliver_to_connections_of(std::int64_t user_id, const frame_ptr& frame) {
  const auto user = users_.find(user_id);
  if (user == users_.end()) return;
  // By index, as in for_each_peer: the user's vector may grow while this runs.
  auto& own = user->second.peers;
  const std::size_t count = own.size();
  for (std::size_t i = 0; i < count; ++i) {
    if (auto* peer = own[i]) peer->deliver(frame);
  }
}

std::size_t connection_manager::connections_of(std::int64_t user_id) const {
  const auto it = users_.find(user_id);
  return it == users_.end() ? 0 : it->second.connections;
}

void connection_manager::connecting_ended(std::int64_t user_id) {
  const auto it = connecting_of_.find(user_id);
  if (it == connecting_of_.end()) return;
  if (--it->second == 0) connecting_of_.erase(it);
  --connecting_total_;
}

std::size_t connection_manager::admitted_of(std::int64_t user_id) const {
  const auto it = connecting_of_.find(user_id);
  return connections_of(user_id) + (it == connecting_of_.end() ? 0 : it->second);
}

std::vector<std::string> connection_manager::online_users() const {
  std::vector<std::string> names;
  names.reserve(online_);
  for (const auto& [id, user] : users_) {
    if (user.connections > 0) names.push_back(user.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void connection_manager::close_token(std::string_view token_digest, std::uint16_t code,
                                     std::string_view reason) {
  session_end end{0, std::string(token_digest), {}, code, std::string(reason)};
  apply(end);
  if (tell_) tell_(end);
}

void connection_manager::close_user(std::int64_t user_id, std::uint16_t code,
                                    std::string_view reason, std::string_view except_token) {
  session_end end{user_id, {}, std::string(except_token), code, std::string(reason)};
  apply(end);
  if (tell_) tell_(end);
}

void connection_manager::apply(const session_end& end) {
  if (end.user_id == 0 && end.token_digest.empty()) return;  // would match nobody on purpose
  for_each_peer([&](chat_peer& peer) {
    const auto& who = peer.identity();
    const bool ends = end.user_id == 0 ? who.token_digest == end.token_digest
                                       : who.user_id == end.user_id &&
                                             (end.except_token.empty() ||
                                              who.token_digest != end.except_token);
    if (ends) peer.close(end.code, end.reason);
  });
}

std::size_t connection_manager::connections_of_token(std::int64_t user_id,
                                                     std::string_view token_digest) const {
  const auto user = users_.find(user_id);
  if (user == users_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(
      user->second.peers.begin(), user->second.peers.end(), [&](const chat_peer* peer) {
        return peer != nullptr && peer->identity().token_digest == token_digest;
      }));
}

void connection_manager::close_all(std::uint16_t code, std::string_view reason) {
  for_each_peer([&](chat_peer& peer) { peer.close(code, reason); });
}

}  // namespace chatterbox
