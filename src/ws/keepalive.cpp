#include "chatterbox/ws/keepalive.hpp"

#include "chatterbox/ws/websocket_session.hpp"

#include <algorithm>
#include <memory>
#include <vector>

namespace chatterbox {

websocket_keepalive::websocket_keepalive(boost::asio::io_context& io,
                                         std::chrono::milliseconds idle_timeout,
                                         std::chrono::milliseconds write_timeout)
    : timer_(io),
      period_(std::max<std::chrono::milliseconds>(std::min(idle_timeout, write_timeout) / 2,
                                                  std::chrono::milliseconds(50))) {}

void websocket_keepalive::add(websocket_session& session) {
  sessions_.insert(&session);
  if (!armed_) arm();
}

void websocket_keepalive::remove(websocket_session& session) { sessions_.erase(&session); }

void websocket_keepalive::stop() {
  stopped_ = true;
  timer_.cancel();
}

void websocket_keepalive::arm() {
  if (stopped_) return;
  armed_ = true;
  timer_.expires_after(period_);
  timer_.async_wait([this](boost::system::error_code ec) {
    armed_ = false;
    if (ec || stopped_) return;
    sweep();
    // An empty server keeps no timer: the loop must be able to run out of work.
    if (!sessions_.empty()) arm();
  });
}

void websocket_keepalive::sweep() {
  // A session that closes during its check removes itself from sessions_; walk a copy.
  std::vector<std::shared_ptr<websocket_session>> current;
  current.reserve(sessions_.size());
  for (auto* session : sessions_) current.push_back(session->shared_from_this());
  const auto now = std::chrono::steady_clock::now();
  for (const auto& session : current) session->keepalive_check(now);
}

}  // namespace chatterbox
