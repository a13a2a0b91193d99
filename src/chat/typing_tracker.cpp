#include "chatterbox/chat/typing_tracker.hpp"

namespace chatterbox {

typing_tracker::typing_tracker(boost::asio::io_context& io, std::chrono::milliseconds timeout,
                               on_change notify)
    : io_(io), timeout_(timeout), notify_(std::move(notify)) {}

void typing_tracker::set(std::int64_t user_id, const std::string& username, const void* source,
                         bool active) {
  if (!active) {
    end(user_id);
    return;
  }
  auto& entry = typing_[user_id];
  entry.username = username;
  entry.source = source;
  if (!entry.expiry) entry.expiry = std::make_unique<boost::asio::steady_timer>(io_);
  entry.expiry->expires_after(timeout_);
  // The generation, not the error code alone, decides: a wait that already fired may still be
  // queued when a refresh re-arms the timer.
  const auto generation = entry.generation = ++generations_;
  entry.expiry->async_wait([this, user_id, generation](boost::system::error_code ec) {
    const auto it = typing_.find(user_id);
    if (ec || it == typing_.end() || it->second.generation != generation) return;
    end(user_id);
  });
  // Every refresh is forwarded: clients drop an indicator that is not refreshed for a while.
  notify_(user_id, username, true);
}

void typing_tracker::stop(std::int64_t user_id) { end(user_id); }

void typing_tracker::source_closed(std::int64_t user_id, const void* source) {
  const auto it = typing_.find(user_id);
  if (it != typing_.end() && it->second.source == source) end(user_id);
}

void typing_tracker::clear() {
  for (auto& [id, entry] : typing_) entry.expiry->cancel();
  typing_.clear();
}

void typing_tracker::end(std::int64_t user_id) {
  const auto it = typing_.find(user_id);
  if (it == typing_.end()) return;
  const std::string username = std::move(it->second.username);
  it->second.expiry->cancel();
  typing_.erase(it);
  notify_(user_id, username, false);
}

}  // namespace chatterbox
