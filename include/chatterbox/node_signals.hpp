#pragma once

#include "chatterbox/bus/presence_board.hpp"
#include "chatterbox/bus/redis_bus.hpp"
#include "chatterbox/chat/chat_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace chatterbox {

// Typing, read receipts, a user's frames for their other tabs and presence between nodes
// (docs/scale-out.md, "Signals between nodes"), on the bus's Redis connections:
// - every signal this node's chat makes is PUBLISHed on `chatterbox:signals`, and every other
//   node's is handed to this node's chat;
// - this node's online users are a key of its own in Redis, written every third of `expiry`
//   and expiring after it, so a node that crashes takes its users offline within `expiry`;
//   every node reads all nodes' keys as often, into the presence board its chat asks;
// - a session ended here (logout, a new password, a deactivated account) closes its
//   connections on every node.
class node_signals {
 public:
  struct options {
    std::chrono::milliseconds expiry{30000};
    std::string key_prefix = "chatterbox:presence:";
    std::string nodes_key = "chatterbox:nodes";
  };

  // Before the bus starts: it takes the bus's signals and connection events.
  node_signals(boost::asio::io_context& io, redis_bus& bus, chat_service& chat,
               connection_manager& connections, std::string origin, options opts);
  ~node_signals();
  node_signals(const node_signals&) = delete;
  node_signals& operator=(const node_signals&) = delete;

  void start();
  void stop();

  const presence_board& board() const { return board_; }

 private:
  void send(const chat_signal& signal);
  void receive(std::string_view payload);
  void write_presence();
  void read_presence();
  void read_snapshots(std::vector<std::string> nodes, std::uint64_t read);
  void forget_all_if_stale();
  void schedule();

  redis_bus& bus_;
  chat_service& chat_;
  connection_manager& connections_;
  std::string origin_;
  options options_;
  presence_board board_;
  std::uint64_t version_ = 0;  // this node's presence changes, numbered
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_read_;
  bool stopped_ = false;
  // Redis's answers may come after this is gone: they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace chatterbox
