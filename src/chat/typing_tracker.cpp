#include "chatterbox/chat/typing_tracker.hpp"

#include <limits>
#include <vector>

namespace chatterbox {

typing_tracker::typing_tracker(boost::asio::io_context& io, std::chrono::milliseconds timeout,
                               on_change notify)
    : io_(io), timeout_(timeout), notify_(std::move(notify)) {}

void typing_tracker::set(std::int64_t room, std::int64_t user_id, const std::string& username,
                         const void* source, bool active) {
  const key k{user_id, room};
  if (!active) {
    end(k);
    return;
  }
  auto& entry = typing_[k];
  entry.username = username;
  entry.source = source;
  if (!entry.expiry) entry.expiry = std::make_unique<boost::asio::steady_timer>(io_);
  entry.expiry->expires_after(timeout_);
  // The generation, not the error code alone, decides: a wait that already fired may still be
  // queued when a refresh re-arms the timer.
  const auto generation = entry.generation = ++generations_;
  entry.expiry->async_wait([this, k, generation](boost::system::error_code ec) {
    const auto it = typing_.find(k);
    if (ec || it == typing_.end() || it->second.generation != generation) return;
    end(k);
  });
  // Every refresh is forwarded: clients drop an indicator that is not refreshed for a while.
  notify_(room, user_id, username, true);
}

void typing_tracker::stop(std::int64_t room, std::int64_t user_id) { end({user_id, room}); }

void typing_tracker::source_closed(std::int64_t user_id, const void* source) {
  std::vector<key> ended;
  for (auto it = typing_.lower_bound({user_id, std::numeric_limits<std::int64_t>::min()});
       it != typing_.end() && it->first.first == user_id; ++it) {
    if (it->second.source == source) ended.push_back(it->first);
  }
  for (const auto& k : ended) end(k);
}

void typing_tracker::clear() {
  for (auto& [k, entry] : typing_) entry.expiry->cancel();
  typing_.clear();
}

void typing_tracker::end(const key& k) {
  const auto it = typing_.find(k);
  if (it == typing_.end()) return;
  const std::string username = std::move(it->second.username);
  it->second.expiry->cancel();
  typing_.erase(it);
  notify_(k.second, k.first, username, false);
}

}  // namespace chatterbox
