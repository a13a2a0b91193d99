#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace chatterbox {

// Who is typing in which room. A user's state in a room turns off when they say so, send a
// message there, leave it, the connection that was typing closes, or nothing refreshed it for
// `timeout` — so a crashed tab never leaves "alice is typing…" up forever.
class typing_tracker {
 public:
  // Called on every "typing true" refresh and once when a user's typing in a room ends.
  using on_change = std::function<void(std::int64_t room, std::int64_t user_id,
                                       const std::string& username, bool active)>;

  typing_tracker(boost::asio::io_context& io, std::chrono::milliseconds timeout, on_change notify);

  void set(std::int64_t room, std::int64_t user_id, const std::string& username,
           const void* source, bool active);
  void stop(std::int64_t room, std::int64_t user_id);  // sent a message there, or left it
  // A connection closed: whatever it was typing ends.
  void source_closed(std::int64_t user_id, const void* source);
  void clear();  // shutdown: cancel every timer

 private:
  using key = std::pair<std::int64_t, std::int64_t>;  // user, room: a user's rooms side by side
  struct state {
    std::string username;
    const void* source = nullptr;  // the connection that last said "typing"
    std::unique_ptr<boost::asio::steady_timer> expiry;
    std::uint64_t generation = 0;
  };

  void end(const key& k);

  boost::asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  on_change notify_;
  std::map<key, state> typing_;
  std::uint64_t generations_ = 0;  // global, so a recreated entry never matches a stale wait
};

}  // namespace chatterbox
