#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>

namespace chatterbox {

// Bounds how many started sessions may be waiting for their first request at once.
//
// A connection costs the loop almost nothing until its request arrives; then parsing it,
// authorising it and building the `hello` cost tens of microseconds. When 10,000 clients connect
// at once (a restart), thousands of requests become readable together, and epoll hands them out
// first-come first-served, 128 per loop turn: everything else that becomes ready (a message
// from a connected user, a timer) waits behind all of them — we measured 130–260 ms. Starting
// sessions only while fewer than `capacity` are fresh keeps the others waiting as accepted
// descriptors outside epoll (listener), where they cost the loop nothing, so a turn never has
// more than about `capacity` handshakes ahead of everyone else.
//
// A fresh connection holds its place until its first request has been read (or it closes), but
// at most `max_hold`: a client that connects and says nothing (slow, or hostile) must not keep
// others out; it still has the whole request timeout to send its request.
class handshake_gate {
 public:
  class slot {
   public:
    slot() = default;
    slot(slot&&) noexcept = default;
    slot& operator=(slot&& other) noexcept;
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { release(); }
    void release();

   private:
    friend class handshake_gate;
    struct state;
    explicit slot(std::shared_ptr<state> s) : state_(std::move(s)) {}
    std::shared_ptr<state> state_;
  };

  handshake_gate(boost::asio::io_context& io, std::size_t capacity,
                 std::chrono::milliseconds max_hold);
  ~handshake_gate();

  // Whether another session may start now.
  bool has_room();
  slot take();
  // Calls `resume` once, when has_room() becomes true (a slot is released or times out).
  void when_room(std::function<void()> resume);
  void stop();

  std::size_t held() const { return held_; }

 private:
  struct entry {
    std::shared_ptr<slot::state> state;
    std::chrono::steady_clock::time_point taken;
  };

  void expire_old(std::chrono::steady_clock::time_point now);
  void freed();
  void arm_timer();

  boost::asio::steady_timer timer_;
  std::size_t capacity_;
  std::chrono::milliseconds max_hold_;
  std::size_t held_ = 0;
  std::deque<entry> order_;  // oldest first; entries of released slots are dropped lazily
  std::function<void()> resume_;
  bool timer_armed_ = false;
  // Slots outlive the gate's owner only in odd teardown orders; they must not call into a gate
  // that is gone.
  std::shared_ptr<handshake_gate*> self_;
};

}  // namespace chatterbox
