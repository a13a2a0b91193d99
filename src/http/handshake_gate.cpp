#include "chatterbox/http/handshake_gate.hpp"

#include <boost/asio/post.hpp>

namespace chatterbox {

struct handshake_gate::slot::state {
  std::weak_ptr<handshake_gate*> gate;
  bool held = true;
};

handshake_gate::slot& handshake_gate::slot::operator=(slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

void handshake_gate::slot::release() {
  if (!state_) return;
  auto s = std::move(state_);
  if (!s->held) return;
  s->held = false;
  if (auto gate = s->gate.lock()) (*gate)->freed();
}

handshake_gate::handshake_gate(boost::asio::io_context& io, std::size_t capacity,
                               std::chrono::milliseconds max_hold)
    : timer_(io),
      capacity_(capacity == 0 ? 1 : capacity),
      max_hold_(max_hold),
      self_(std::make_shared<handshake_gate*>(this)) {}

handshake_gate::~handshake_gate() { self_.reset(); }

bool handshake_gate::has_room() {
  if (held_ < capacity_) return true;
  expire_old(std::chrono::steady_clock::now());
  return held_ < capacity_;
}

handshake_gate::slot handshake_gate::take() {
  auto s = std::make_shared<slot::state>();
  s->gate = self_;
  ++held_;
  // Released slots at the front are dropped here, so the queue stays about `capacity` long.
  while (!order_.empty() && !order_.front().state->held) order_.pop_front();
  order_.push_back({s, std::chrono::steady_clock::now()});
  return slot(std::move(s));
}

void handshake_gate::when_room(std::function<void()> resume) {
  if (has_room()) {
    resume();
    return;
  }
  resume_ = std::move(resume);
  arm_timer();
}

void handshake_gate::stop() {
  resume_ = nullptr;
  timer_.cancel();
}

void handshake_gate::expire_old(std::chrono::steady_clock::time_point now) {
  while (!order_.empty()) {
    auto& front = order_.front();
    if (front.state->held) {
      if (now - front.taken < max_hold_) break;
      // Still silent after max_hold: it keeps its connection, but no longer its place.
      front.state->held = false;
      --held_;
    }
    order_.pop_front();
  }
}

void handshake_gate::freed() {
  --held_;
  if (resume_ && held_ < capacity_) {
    // Posted, not called: a slot is released deep inside a session's handler.
    timer_.cancel();
    timer_armed_ = false;
    auto resume = std::move(resume_);
    resume_ = nullptr;
    boost::asio::post(timer_.get_executor(), std::move(resume));
  }
}

void handshake_gate::arm_timer() {
  if (timer_armed_) return;
  expire_old(std::chrono::steady_clock::now());
  while (!order_.empty() && !order_.front().state->held) order_.pop_front();
  if (order_.empty()) return;
  timer_armed_ = true;
  timer_.expires_at(order_.front().taken + max_hold_);
  timer_.async_wait([this, alive = std::weak_ptr<handshake_gate*>(self_)](
                        const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    timer_armed_ = false;
    if (!resume_) return;
    if (has_room()) {
      auto resume = std::move(resume_);
      resume_ = nullptr;
      resume();
    } else {
      arm_timer();
    }
  });
}

}  // namespace chatterbox
