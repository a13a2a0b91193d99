#pragma once

#include "chatterbox/chat/chat_peer.hpp"
#include "chatterbox/chat/chat_service.hpp"
#include "chatterbox/ws/frame_codec.hpp"
#include "chatterbox/ws/inbound_budget.hpp"
#include "chatterbox/ws/send_queue.hpp"
#include "chatterbox/ws/session_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
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
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{30000};
  double inbound_frames_per_second = 200;
  double inbound_bytes_per_second = 1024 * 1024;
};

// Owns one WebSocket after the HTTP upgrade: decodes client frames into the chat service and
// writes queued frames one async_write at a time. Written on the bare socket (ws/frame_codec)
// rather than Beast's websocket::stream so that an idle connection holds no buffers at all:
// it waits for readability, reads into a buffer shared by every session, and keeps bytes only
// for a frame cut in the middle. Lives as long as an async operation holds it.
//
// Everything a client can make it hold is bounded: queued events by the send queue's frame and
// byte limits, control frames by construction (the 101, the latest pong only, one ping, one
// close frame — counted against the queue's byte limit too), unread input by the reader's
// frame limit. A client that stops reading is cut when its write makes no progress for the
// write timeout; one that sends too much is read more slowly (inbound_budget), and one turn of
// the loop handles at most a few of its frames before other connections get theirs.
class websocket_session : public chat_peer,
                          public std::enable_shared_from_this<websocket_session> {
 public:
  using clock = std::chrono::steady_clock;

  // `stream`: the connection, plain or TLS (ws/session_stream).
  websocket_session(session_stream stream, peer_identity identity,
                    chat_service& chat, websocket_limits limits, websocket_keepalive& keepalive);
  ~websocket_session() override;

  // Joins the chat at once (so the connection counts against the caps, and a logout closes it,
  // from the moment it was authorised), then writes the 101 response for `client_key` ahead
  // of everything else. `early_bytes` are frames the client sent right behind its upgrade
  // request, already read by the HTTP layer.
  void run(std::string_view client_key, std::string early_bytes);

  const peer_identity& identity() const override { return identity_; }
  void deliver(const frame_ptr& frame) override;
  void close(std::uint16_t code, std::string_view reason) override;

  // Called by websocket_keepalive on every sweep.
  void keepalive_check(clock::time_point now);

 private:
  using error_code = boost::system::error_code;

  void wait_readable();
  void on_readable(error_code ec);
  // Handles what was read, up to this turn's frame budget; returns how many bytes it took.
  std::size_t consume(char* data, std::size_t size);
  void keep_rest(const char* data, std::size_t size, std::size_t used);
  void resume_backlog();
  void continue_reading();
  bool on_event(const ws::event& event);
  void schedule_write();
  void do_write();
  void write_control();
  void on_write(error_code ec);
  bool control_pending() const;
  std::size_t control_bytes() const;
  void begin_close(std::uint16_t code, std::string_view reason, bool discard_queue);
  void queue_close_frame();
  void leave_chat();
  void finish();

  session_stream stream_;
  ws::message_reader reader_;
  peer_identity identity_;
  chat_service& chat_;
  websocket_keepalive& keepalive_;
  send_queue queue_;
  ws::inbound_budget budget_;
  // What async_write is sending; both stay alive until it completes.
  frame_ptr in_flight_;
  std::string control_in_flight_;
  // Control frames, written before queued data: the 101 response (once, first), the pong for
  // the latest ping only (RFC 6455 5.5.3 allows skipping earlier ones), and the close frame.
  std::string handshake_;
  // The payload of the latest ping, until its pong is written. A flood of pings while writes
  // are stuck only overwrites it: no allocation per ping.
  struct pong_payload {
    std::array<char, 125> bytes;
    std::uint8_t size;
    std::string_view view() const { return {bytes.data(), size}; }
  };
  std::unique_ptr<pong_payload> pong_;
  std::string close_out_;
  std::string backlog_;  // input read but not yet handled: this turn's frame budget ran out
  std::uint32_t backlog_used_ = 0;  // how much of backlog_ has been handled
  std::array<std::uint8_t, ws::max_header_bytes> header_{};
  std::unique_ptr<boost::asio::steady_timer> close_deadline_;  // only while closing
  std::unique_ptr<boost::asio::steady_timer> read_pause_;  // only once over the inbound budget
  std::unique_ptr<std::string> pending_close_;  // close frame to send once the queue drains
  clock::time_point last_heard_;
  clock::time_point write_started_;
  std::chrono::milliseconds idle_timeout_;
  std::chrono::milliseconds write_timeout_;
  bool writing_ = false;  // an async_write is in flight
  bool in_chat_ = false;
  bool write_scheduled_ = false;
  bool ping_wanted_ = false;
  bool pinged_ = false;
  bool closing_ = false;
  bool close_queued_ = false;   // nothing may be written after the close frame
  bool close_written_ = false;  // from here on input is only drained until the peer's FIN
  bool close_received_ = false;
  bool finished_ = false;
};

}  // namespace chatterbox
