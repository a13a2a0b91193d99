#include "chatterbox/ws/websocket_session.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/ws/handshake.hpp"
#include "chatterbox/ws/keepalive.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <utility>

namespace chatterbox {
namespace {

namespace asio = boost::asio;

// How long a closing peer gets to take its last frames and answer the close frame before the
// TCP connection is cut: a client that stopped reading must not hold resources forever.
constexpr auto close_grace = std::chrono::seconds(3);

// Upper bound for one coalesced write; large enough to carry a burst, small enough that one
// slow client's batch is not a big allocation.
constexpr std::size_t max_batch_bytes = 256 * 1024;

// Every session reads into this one buffer (the server has one thread): what is read is
// handled before the next read, so an idle connection needs no buffer of its own.
constexpr std::size_t read_chunk = 16 * 1024;
char* shared_read_buffer() {
  thread_local std::array<char, read_chunk> buffer;
  return buffer.data();
}

bool expected_end(const boost::system::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::bad_descriptor;
}

}  // namespace

websocket_session::websocket_session(asio::ip::tcp::socket socket, peer_identity identity,
                                     chat_service& chat, websocket_limits limits,
                                     websocket_keepalive& keepalive)
    : socket_(std::move(socket)),
      reader_(limits.max_frame_bytes),
      identity_(std::move(identity)),
      chat_(chat),
      keepalive_(keepalive),
      queue_(limits.queue_frames, limits.queue_bytes) {}

websocket_session::~websocket_session() {
  keepalive_.remove(*this);
  leave_chat();
}

void websocket_session::run(std::string_view client_key, std::string early_bytes) {
  error_code ec;
  socket_.non_blocking(true, ec);  // on_readable reads until the socket would block
  auto response = std::make_shared<const std::string>(ws::upgrade_response(client_key));
  asio::async_write(socket_, asio::buffer(*response),
                    [self = shared_from_this(), response, early = std::move(early_bytes)](
                        error_code write_ec, std::size_t) mutable {
                      self->on_handshake_written(write_ec, early);
                    });
}

void websocket_session::on_handshake_written(error_code ec, std::string& early_bytes) {
  if (ec) {
    spdlog::debug("websocket handshake failed: user={} {}", identity_.username, ec.message());
    return finish();
  }
  spdlog::info("connected: user={}", identity_.username);
  in_chat_ = true;
  keepalive_.add(*this);
  chat_.connect(shared_from_this());
  if (!early_bytes.empty()) consume(early_bytes.data(), early_bytes.size());
  if (!finished_) wait_readable();
}

void websocket_session::wait_readable() {
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void websocket_session::on_readable(error_code ec) {
  if (finished_) return;
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("read: user={} {}", identity_.username, ec.message());
    return finish();
  }
  char* const buffer = shared_read_buffer();
  const auto size = socket_.read_some(asio::buffer(buffer, read_chunk), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("read: user={} {}", identity_.username, ec.message());
    return finish();  // EOF included: after our close frame this is the normal end
  }
  heard_ = true;
  // After our close frame only the peer's FIN matters; whatever else it sends is dropped.
  if (!close_written_) consume(buffer, size);
  if (!finished_) wait_readable();
}

void websocket_session::consume(char* data, std::size_t size) {
  if (close_received_ || reader_.failed()) return;
  const auto error =
      reader_.feed(data, size, [this](const ws::event& event) { return on_event(event); });
  if (error.code != 0) begin_close(error.code, error.reason, true);
}

bool websocket_session::on_event(const ws::event& event) {
  switch (event.op) {
    case ws::opcode::text:
      if (!closing_) {
        ++metrics().frames_in;
        chat_.receive(shared_from_this(), event.payload);
      }
      return true;
    case ws::opcode::binary:
      begin_close(1003, "binary frames are not supported", true);
      return true;  // keeps reading until the peer answers the close
    case ws::opcode::ping:
      send_control(ws::control_frame(ws::opcode::pong, event.payload));
      return true;
    case ws::opcode::pong:
      pinged_ = false;
      return true;
    case ws::opcode::close:
      close_received_ = true;
      // The peer is leaving: what is still queued for it is dropped, and its code echoed.
      begin_close(event.close_code, {}, true);
      return false;
    default:
      return true;
  }
}

void websocket_session::deliver(const frame_ptr& frame) {
  if (closing_ || finished_) return;
  if (!queue_.push(frame)) {
    spdlog::warn("closing slow client: user={} queued={} bytes={}", identity_.username,
                 queue_.size(), queue_.bytes());
    ++metrics().slow_client_disconnects;
    begin_close(1008, "too slow", true);
    return;
  }
  auto& m = metrics();
  ++m.frames_out;
  m.queue_high_water = std::max<std::uint64_t>(m.queue_high_water, queue_.size());
  schedule_write();
}

void websocket_session::schedule_write() {
  if (writing_ || write_scheduled_) return;
  // Wait for the end of this event-loop turn, so that everything delivered in it (a whole
  // group commit's messages, say) leaves in one write instead of one system call per frame.
  write_scheduled_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->write_scheduled_ = false;
    if (!self->writing_ && !self->finished_) self->do_write();
  });
}

void websocket_session::do_write() {
  if (!control_out_.empty()) {
    control_in_flight_.swap(control_out_);
    writing_ = true;
    asio::async_write(socket_, asio::buffer(control_in_flight_),
                      [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
    return;
  }
  if (queue_.empty()) return;
  in_flight_ = queue_.take_batch(max_batch_bytes);
  const auto header = ws::encode_header(header_.data(), ws::opcode::text, in_flight_->size());
  writing_ = true;
  auto& m = metrics();
  ++m.writes_out;
  m.bytes_out += in_flight_->size();
  // The header and the (possibly shared) payload leave in one system call, without a copy.
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(header_.data(), header),
                                                  asio::buffer(*in_flight_)};
  asio::async_write(socket_, buffers,
                    [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
}

void websocket_session::on_write(error_code ec) {
  writing_ = false;
  in_flight_.reset();
  control_in_flight_.clear();
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("write: user={} {}", identity_.username, ec.message());
    return finish();
  }
  if (finished_) return;
  if (!control_out_.empty() || !queue_.empty()) return do_write();
  if (pending_close_) return queue_close_frame();
  if (close_queued_ && !close_written_) {
    // Our close frame is out: say so with a FIN too, then wait for the peer's FIN (or the
    // deadline) so that unread input does not turn our close into a reset the peer might see
    // before the close frame.
    close_written_ = true;
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    if (close_received_) return finish();
  }
}

void websocket_session::send_control(std::string frame) {
  if (finished_ || close_queued_) return;
  control_out_ += frame;
  if (!writing_) do_write();
}

void websocket_session::close(std::uint16_t code, std::string_view reason) {
  begin_close(code, reason, false);
}

void websocket_session::begin_close(std::uint16_t code, std::string_view reason,
                                    bool discard_queue) {
  if (finished_) return;
  if (discard_queue) queue_.clear();
  if (closing_) {
    if (!writing_ && queue_.empty()) queue_close_frame();
    return;
  }
  closing_ = true;
  leave_chat();
  pending_close_ = std::make_unique<std::string>(ws::close_frame(code, reason));
  close_deadline_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), close_grace);
  close_deadline_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->finish();
  });
  if (!writing_ && queue_.empty()) queue_close_frame();
}

void websocket_session::queue_close_frame() {
  if (!pending_close_) return;
  control_out_ += *pending_close_;
  pending_close_.reset();
  close_queued_ = true;
  if (!writing_) do_write();
}

void websocket_session::keepalive_check() {
  if (closing_ || finished_) return;
  // A token that expires while its connection is open ends the connection too, the same way
  // a logout does (checked at this sweep's granularity: half the idle timeout).
  if (identity_.token_expires_at_ms > 0 && epoch_ms() >= identity_.token_expires_at_ms) {
    spdlog::info("closing connection whose token expired: user={}", identity_.username);
    return close(4001, "session expired");
  }
  if (std::exchange(heard_, false)) {
    pinged_ = false;
    return;
  }
  if (!pinged_) {
    pinged_ = true;
    send_control(ws::control_frame(ws::opcode::ping, {}));
    return;
  }
  spdlog::info("closing unresponsive peer: user={}", identity_.username);
  finish();
}

void websocket_session::leave_chat() {
  if (!in_chat_) return;
  in_chat_ = false;
  chat_.disconnect(*this);
  spdlog::info("disconnected: user={}", identity_.username);
}

void websocket_session::finish() {
  leave_chat();
  if (finished_) return;
  finished_ = true;
  keepalive_.remove(*this);
  queue_.clear();
  if (close_deadline_) close_deadline_->cancel();
  // Cancels whatever is still pending; their handlers release the last references.
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace chatterbox
