#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/http/responses.hpp"
#include "chatterbox/ws/send_queue.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace chatterbox {

struct websocket_limits {
  std::size_t max_frame_bytes;
  std::size_t queue_frames;
  std::size_t queue_bytes;
  std::chrono::seconds idle_timeout;
};

// Owns one WebSocket. Reads frames into the chat service; writes queued frames one
// async_write at a time. Lives as long as an async operation holds it.
class websocket_session : public chat_peer,
                          public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(boost::beast::tcp_stream&& stream, peer_identity identity, chat_service& chat,
                    websocket_limits limits);
  ~websocket_session() override;

  void run(http_request request);

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override;
  void close(std::uint16_t code, std::string_view reason) override;

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_close(boost::beast::error_code ec);
  void begin_close(boost::beast::websocket::close_reason reason, bool discard_queue);
  void leave_chat();
  void finish();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  peer_identity identity_;
  chat_service& chat_;
  send_queue queue_;
  frame_ptr in_flight_;  // the frame async_write is sending; keeps its buffer alive
  std::optional<boost::beast::websocket::close_reason> close_after_queue_;
  boost::asio::steady_timer close_deadline_;
  std::chrono::seconds idle_timeout_;
  bool in_chat_ = false;
  bool write_scheduled_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace chatterbox
