#include "chatterbox/chat/connection_manager.hpp"

#include <algorithm>

namespace chatterbox {

bool connection_manager::add(chat_peer& peer) {
  peers_.push_back(&peer);
  auto& user = users_[peer.identity().user_id];
  user.name = peer.identity().username;
  return ++user.connections == 1;
}

bool connection_manager::remove(chat_peer& peer) {
  const auto it = std::find(peers_.begin(), peers_.end(), &peer);
  if (it == peers_.end()) return false;
  if (delivering_ > 0) {
    *it = nullptr;  // a broadcast is walking the vector: nothing may move under it
    ++holes_;
  } else {
    *it = peers_.back();
    peers_.pop_back();
  }
  const auto user = users_.find(peer.identity().user_id);
  if (--user->second.connections > 0) return false;
  users_.erase(user);
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

std::size_t connection_manager::connections_of(std::int64_t user_id) const {
  const auto it = users_.find(user_id);
  return it == users_.end() ? 0 : it->second.connections;
}

std::vector<std::string> connection_manager::online_users() const {
  std::vector<std::string> names;
  names.reserve(users_.size());
  for (const auto& [id, user] : users_) names.push_back(user.name);
  std::sort(names.begin(), names.end());
  return names;
}

void connection_manager::close_token(std::string_view token_digest, std::uint16_t code,
                                     std::string_view reason) {
  for_each_peer([&](chat_peer& peer) {
    if (peer.identity().token_digest == token_digest) peer.close(code, reason);
  });
}

void connection_manager::close_all(std::uint16_t code, std::string_view reason) {
  for_each_peer([&](chat_peer& peer) { peer.close(code, reason); });
}

}  // namespace chatterbox
