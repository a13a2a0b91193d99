#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/connection_manager.hpp"
#include "chatterbox/chat/presence_tracker.hpp"
#include "chatterbox/chat/typing_tracker.hpp"
#include "chatterbox/limits/rate_limiter.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/storage/message_repository.hpp"
#include "chatterbox/storage/read_marker_repository.hpp"
#include "chatterbox/storage/write_batcher.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
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
  unsigned query_rate = 1000000;  // history/sync per second per user
  unsigned query_burst = 1000000;
  // No single reply (a history page, a sync page, each frame sent on connect) is larger than
  // this, so a reply always fits the send queue of a client that reads (a quarter of it).
  std::size_t reply_bytes = 1024 * 1024;
  std::chrono::milliseconds presence_grace{0};
};

struct chat_storage {
  message_repository& messages;
  read_marker_repository& markers;
  write_batcher& writes;
};

// Protocol v1 behaviour (docs/protocol.md): turns each client frame into storage changes and
// fan-out. It never touches a socket; peers are reached through chat_peer. Nothing it does
// throws to its caller: a request the database cannot serve is answered `error internal`.
class chat_service {
 public:
  chat_service(boost::asio::io_context& io, chat_storage storage, connection_manager& connections,
               chat_limits limits);

  // Sends hello, history, presence and receipts, and tells others when the user came online.
  void connect(const std::shared_ptr<chat_peer>& peer);
  void receive(const std::shared_ptr<chat_peer>& peer, std::string_view frame);
  // Idempotent; the peer must call it before it is destroyed.
  void disconnect(chat_peer& peer);
  // Users the previous run of the server had online (see presence_tracker::assume_online).
  void assume_online(const std::vector<present_user>& users) { presence_.assume_online(users); }
  // Shutdown: no typing or presence timers may keep the event loop alive, and nobody is
  // announced as gone (the server is going, not its users). Returns who was online.
  std::vector<present_user> stop();

  // The highest seq of a committed change: everything up to it has been broadcast.
  std::int64_t current_seq() const { return committed_seq_; }

 private:
  void dispatch(const std::shared_ptr<chat_peer>& peer, std::string_view frame);
  void handle(const std::shared_ptr<chat_peer>& peer, send_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, edit_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, delete_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, typing_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, seen_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, history_command& command);
  void handle(const std::shared_ptr<chat_peer>& peer, sync_command& command);

  frame_ptr history_page(std::optional<std::int64_t> before, int limit);
  frame_ptr receipts_frame();
  frame_ptr presence_frame();
  // false (and the client told when to retry) when the user is over the message rate.
  bool admit_change(chat_peer& peer, const nlohmann::json& ref);
  // false when the user is over the typing/seen rate; such events are dropped silently.
  bool admit_signal(const chat_peer& peer);
  // false (and the client told when to retry) when the user is over the history/sync rate.
  bool admit_query(chat_peer& peer);
  void committed(std::int64_t seq) { committed_seq_ = std::max(committed_seq_, seq); }

  chat_storage storage_;
  connection_manager& connections_;
  typing_tracker typing_;
  presence_tracker presence_;
  rate_limiter message_limiter_;
  rate_limiter signal_limiter_;
  rate_limiter query_limiter_;
  std::size_t reply_bytes_;
  // Seqs are handed out inside the write transaction (last_seq_), but only reported once their
  // change is committed (committed_seq_): a batch that is rolled back leaves a gap, never a seq
  // that a client was told about and that the database then reuses after a restart.
  std::int64_t last_seq_;
  std::int64_t committed_seq_;
};

}  // namespace chatterbox
