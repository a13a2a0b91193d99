#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/chat/typing_tracker.hpp"
#include "chatterbox/limits/rate_limiter.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/read_marker_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

namespace chatterbox {

struct chat_limits {
  std::chrono::milliseconds typing_timeout;
  unsigned message_rate;  // send/edit/delete per second per user
  unsigned message_burst;
  unsigned signal_rate;  // typing/seen per second per user
  unsigned signal_burst;
};

struct chat_storage {
  message_repository& messages;
  read_marker_repository& markers;
  write_batcher& writes;
};

// Protocol v1 behaviour (docs/protocol.md): turns each client frame into storage changes and
// fan-out. It never touches a socket; peers are reached through chat_peer.
class chat_service {
 public:
  chat_service(boost::asio::io_context& io, chat_storage storage, connection_manager& connections,
               chat_limits limits);

  // Sends hello, history, presence and receipts, and tells others when the user came online.
  void connect(const std::shared_ptr<chat_peer>& peer);
  void receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame);
  // Idempotent; the peer must call it before it is destroyed.
  void disconnect(chat_peer& peer);
  // Shutdown: no typing timers may keep the event loop alive.
  void stop();

  std::int64_t current_seq() const { return seq_; }

 private:
  void handle(const std::shared_ptr<chat_peer>& peer, send_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, edit_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, delete_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, typing_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, seen_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, history_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, sync_command& command);

  frame_ptr history_page(std::optional<std::int64_t> before, int limit);
  // false (and the client told when to retry) when the user is over the message rate.
  bool admit_change(chat_peer& peer, const nlohmann::json& ref);
  // false when the user is over the typing/seen rate; such events are dropped silently.
  bool admit_signal(const chat_peer& peer);

  chat_storage storage_;
  connection_manager& connections_;
  typing_tracker typing_;
  rate_limiter message_limiter_;
  rate_limiter signal_limiter_;
  std::int64_t seq_;  // last seq handed out; only the event-loop thread writes
};

}  // namespace chatterbox
