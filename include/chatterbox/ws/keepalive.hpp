#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <unordered_set>

namespace chatterbox {

class websocket_session;

// Finds dead and stuck peers for every WebSocket with one timer instead of one per connection
// (a timer and its pending wait would cost more than the rest of an idle connection). Every
// `period` it asks each session to check itself: one silent for half the idle timeout is
// pinged, one silent for the whole of it is closed, and one whose write has not completed
// within the write timeout is cut.
class websocket_keepalive {
 public:
  // Sweeps at half the shorter of the two timeouts, so each is enforced within 1.5 times itself.
  websocket_keepalive(boost::asio::io_context& io, std::chrono::milliseconds idle_timeout,
                      std::chrono::milliseconds write_timeout);

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
