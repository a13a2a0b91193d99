#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <unordered_set>

namespace chatterbox {

class websocket_session;

// Finds dead peers for every WebSocket with one timer instead of one per connection (a timer
// and its pending wait would cost more than the rest of an idle connection). Every half idle
// timeout it asks each session to check in: a session that heard nothing since the last sweep
// sends a ping, and one still silent at the next sweep is closed.
class websocket_keepalive {
 public:
  websocket_keepalive(boost::asio::io_context& io, std::chrono::seconds idle_timeout);

  void add(websocket_session& session);
  void remove(websocket_session& session);
  // Shutdown: no more sweeps, so the event loop can run out of work.
  void stop();

 private:
  void arm();
  void sweep();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::unordered_set<websocket_session*> sessions_;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace chatterbox
