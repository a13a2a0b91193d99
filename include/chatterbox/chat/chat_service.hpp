#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/chat/typing_tracker.hpp"
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
               std::chrono::milliseconds typing_timeout);

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

  chat_storage storage_;
  connection_manager& connections_;
  typing_tracker typing_;
  std::int64_t seq_;  // last seq handed out; only the event-loop thread writes
};

}  // namespace chatterbox
