#include "chatterbox/chat/presence_watch.hpp"

#include "chatterbox/protocol/server_frames.hpp"

#include <algorithm>

namespace chatterbox {

presence_watch::presence_watch(boost::asio::io_context& io, std::chrono::milliseconds batch,
                               online_fn online)
    : timer_(io), batch_(batch), online_(std::move(online)) {}

void presence_watch::watch(chat_peer& peer, const std::vector<watched_user>& users) {
  forget(peer);
  auto& sub = peers_[&peer];
  std::vector<std::string> online;
  std::vector<std::string> offline;
  for (const auto& user : users) {
    const bool is_online = user.id != 0 && online_(user.id);
    (is_online ? online : offline).push_back(user.name);
    if (user.id == 0 || sub.users.contains(user.id)) continue;
    sub.users.emplace(user.id, subscription::state{user.name, is_online});
    watchers_[user.id].push_back(&peer);
  }
  peer.deliver(frames::presence(online, offline));
}

void presence_watch::forget(chat_peer& peer) {
  const auto it = peers_.find(&peer);
  if (it == peers_.end()) return;
  for (const auto& [user_id, state] : it->second.users) {
    const auto w = watchers_.find(user_id);
    if (w == watchers_.end()) continue;
    std::erase(w->second, &peer);
    if (w->second.empty()) watchers_.erase(w);
  }
  peers_.erase(it);
  std::erase(dirty_, &peer);
}

void presence_watch::changed(std::int64_t user_id) {
  if (stopped_) return;
  const auto w = watchers_.find(user_id);
  if (w == watchers_.end()) return;
  for (auto* peer : w->second) {
    auto& sub = peers_[peer];
    if (sub.pending.empty()) dirty_.push_back(peer);
    sub.pending.insert(user_id);
  }
  if (armed_ || dirty_.empty()) return;
  armed_ = true;
  timer_.expires_after(batch_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;  // cancelled: stop() or the destructor
    armed_ = false;
    flush();
  });
}

void presence_watch::flush() {
  // Delivering may close a slow peer, which forgets it: work from a copy of the list and look
  // every peer up again.
  const auto dirty = std::move(dirty_);
  dirty_.clear();
  for (auto* peer : dirty) {
    const auto it = peers_.find(peer);
    if (it == peers_.end()) continue;
    auto& sub = it->second;
    std::vector<std::string> online;
    std::vector<std::string> offline;
    for (const auto user_id : sub.pending) {
      auto& state = sub.users[user_id];
      const bool now = online_(user_id);
      if (now == state.online) continue;  // went and came back within the batch
      state.online = now;
      (now ? online : offline).push_back(state.name);
    }
    sub.pending.clear();
    if (online.empty() && offline.empty()) continue;
    std::sort(online.begin(), online.end());
    std::sort(offline.begin(), offline.end());
    peer->deliver(frames::presence(online, offline));
  }
}

void presence_watch::stop() {
  stopped_ = true;
  timer_.cancel();
}

std::size_t presence_watch::watchers_of(std::int64_t user_id) const {
  const auto it = watchers_.find(user_id);
  return it == watchers_.end() ? 0 : it->second.size();
}

}  // namespace chatterbox
