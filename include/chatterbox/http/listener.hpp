#pragma once

#include "chatterbox/http/http_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>

namespace chatterbox {

struct accept_limits {
  // Sessions started but still waiting for their first request (handshake_gate).
  std::size_t pending_handshakes = 128;
  std::chrono::milliseconds handshake_hold{250};
  // Connections accepted but not started yet. Accepting stays eager: a full kernel accept queue
  // drops SYNs, and a client retries only after a second.
  std::size_t max_waiting = 16384;
  // Taken from the kernel per readiness of the listening socket, so one turn of the loop never
  // does more than this many accept calls.
  std::size_t accepts_per_turn = 64;
};

// Accepts TCP connections and starts an http_session for each, but only as many at a time as
// the handshake gate lets through; the others wait, accepted, in order.
//
// A waiting connection is a bare file descriptor, not yet registered with the reactor: its
// request arriving must not put it in epoll's ready list, where (first come, first served, 128
// per turn) it would sit ahead of the timers and of everybody already connected.
class listener : public std::enable_shared_from_this<listener> {
 public:
  // Throws when the address cannot be bound: the server must not start half-working.
  listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
           http_session_services services, accept_limits limits = {});
  ~listener();

  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void run() { wait_for_connections(); }
  void stop();

 private:
  void wait_for_connections();
  void accept_some();
  void start_waiting();
  void close_waiting();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp protocol_;
  boost::asio::steady_timer retry_;
  http_session_services services_;
  accept_limits limits_;
  handshake_gate gate_;
  std::deque<int> waiting_;  // accepted descriptors, oldest first; owned (closed on stop)
  bool accepting_ = false;   // a wait on the listening socket is outstanding
  bool gate_waiter_ = false;
};

}  // namespace chatterbox
