#include "chatterbox/chat/presence_tracker.hpp"

#include <algorithm>

namespace chatterbox {

presence_tracker::presence_tracker(boost::asio::io_context& io, std::chrono::milliseconds grace,
                                   announce_fn announce)
    : grace_(grace), announce_(std::move(announce)), timer_(io) {}

void presence_tracker::connected(const present_user& user) {
  if (stopped_) return;
  auto [it, inserted] = users_.try_emplace(user.id);
  auto& entry = it->second;
  entry.name = user.name;
  entry.connected = true;
  entry.away_generation = 0;  // a queued deadline for an earlier absence no longer matches
  if (inserted) announce_(user, true);
}

void presence_tracker::disconnected(const present_user& user) {
  if (stopped_) return;
  const auto it = users_.find(user.id);
  if (it == users_.end() || !it->second.connected) return;
  start_grace(user.id, it->second);
}

void presence_tracker::assume_online(const std::vector<present_user>& users) {
  for (const auto& user : users) {
    auto [it, inserted] = users_.try_emplace(user.id);
    if (!inserted) continue;
    it->second.name = user.name;
    start_grace(user.id, it->second);
  }
}

void presence_tracker::start_grace(std::int64_t user_id, entry& user) {
  user.connected = false;
  user.away_generation = ++generations_;
  deadlines_.push_back({clock::now() + grace_, user_id, user.away_generation});
  if (!armed_) arm();
}

void presence_tracker::arm() {
  if (stopped_ || deadlines_.empty()) return;
  armed_ = true;
  timer_.expires_at(deadlines_.front().at);
  timer_.async_wait([this](boost::system::error_code ec) {
    // Cancelled: re-armed (a newer wait is pending), stopped or destroyed; touch nothing.
    if (ec == boost::asio::error::operation_aborted) return;
    armed_ = false;
    if (ec || stopped_) return;
    expire();
    if (!armed_) arm();  // an announcement may already have armed it
  });
}

void presence_tracker::expire() {
  const auto now = clock::now();
  while (!deadlines_.empty() && deadlines_.front().at <= now) {
    const auto due = deadlines_.front();
    deadlines_.pop_front();
    const auto it = users_.find(due.user_id);
    // Back in the meantime (or away again since, with a later deadline of its own).
    if (it == users_.end() || it->second.connected ||
        it->second.away_generation != due.generation) {
      continue;
    }
    const present_user gone{due.user_id, std::move(it->second.name)};
    users_.erase(it);
    announce_(gone, false);
  }
}

std::vector<std::string> presence_tracker::online_names() const {
  std::vector<std::string> names;
  names.reserve(users_.size());
  for (const auto& [id, user] : users_) names.push_back(user.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<present_user> presence_tracker::online_users() const {
  std::vector<present_user> users;
  users.reserve(users_.size());
  for (const auto& [id, user] : users_) users.push_back({id, user.name});
  return users;
}

void presence_tracker::stop() {
  stopped_ = true;
  deadlines_.clear();
  timer_.cancel();
}

}  // namespace chatterbox
