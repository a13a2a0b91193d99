#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/ws/frame_codec.hpp"
#include "chatterbox/ws/send_queue.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace chatterbox {

class websocket_keepalive;

struct websocket_limits {
  std::size_t max_frame_bytes;
  std::size_t queue_frames;
  std::size_t queue_bytes;
};

// Owns one WebSocket after the HTTP upgrade: decodes client frames into the chat service and
// writes queued frames one async_write at a time. Written on the bare socket (ws/frame_codec)
// rather than Beast's websocket::stream so that an idle connection holds no buffers at all:
// it waits for readability, reads into a buffer shared by every session, and keeps bytes only
// for a frame cut in the middle. Lives as long as an async operation holds it.
class websocket_session : public chat_peer,
                          public std::enable_shared_from_this<websocket_session> {
 public:
  websocket_session(boost::asio::ip::tcp::socket socket, peer_identity identity,
                    chat_service& chat, websocket_limits limits, websocket_keepalive& keepalive);
  ~websocket_session() override;

  // Writes the 101 response for `client_key`, then joins the chat. `early_bytes` are frames the
  // client sent right behind its upgrade request, already read by the HTTP layer.
  void run(std::string_view client_key, std::string early_bytes);

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override;
  void close(std::uint16_t code, std::string_view reason) override;

  // Called by websocket_keepalive every half idle timeout.
  void keepalive_check();

 private:
  using error_code = boost::system::error_code;

  void on_handshake_written(error_code ec, std::string& early_bytes);
  void wait_readable();
  void on_readable(error_code ec);
  void consume(char* data, std::size_t size);
  bool on_event(const ws::event& event);
  void schedule_write();
  void do_write();
  void on_write(error_code ec);
  void send_control(std::string frame);
  void begin_close(std::uint16_t code, std::string_view reason, bool discard_queue);
  void queue_close_frame();
  void leave_chat();
  void finish();

  boost::asio::ip::tcp::socket socket_;
  ws::message_reader reader_;
  peer_identity identity_;
  chat_service& chat_;
  websocket_keepalive& keepalive_;
  send_queue queue_;
  // What async_write is sending; both stay alive until it completes.
  frame_ptr in_flight_;
  std::string control_in_flight_;
  std::string control_out_;  // pongs, pings and the close frame, sent before queued data
  std::array<std::uint8_t, ws::max_header_bytes> header_{};
  std::unique_ptr<boost::asio::steady_timer> close_deadline_;  // only while closing
  std::unique_ptr<std::string> pending_close_;  // close frame to send once the queue drains
  bool writing_ = false;  // an async_write is in flight
  bool in_chat_ = false;
  bool write_scheduled_ = false;
  bool heard_ = true;  // anything received since the last keepalive check
  bool pinged_ = false;
  bool closing_ = false;
  bool close_queued_ = false;   // nothing may be written after the close frame
  bool close_written_ = false;  // from here on input is only drained until the peer's FIN
  bool close_received_ = false;
  bool finished_ = false;
};

}  // namespace chatterbox
