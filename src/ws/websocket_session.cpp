#include "chatterbox/ws/websocket_session.hpp"

#include "chatterbox/clock.hpp"
#include "chatterbox/observability/metrics.hpp"
#include "chatterbox/ws/handshake.hpp"
#include "chatterbox/ws/keepalive.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
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

// Frames handled from one connection per turn of the loop: a client that pipelines hundreds
// of requests gets them answered a few at a time, between everyone else's.
constexpr std::size_t frames_per_turn = 32;

// The control frames a session can have pending at once: the 101 response, one pong, one ping
// and one close frame (each small), so they are bounded without a queue.
constexpr std::size_t max_control_frame = 2 + 125;

bool expected_end(const boost::system::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::bad_descriptor || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

websocket_session::websocket_session(session_stream stream, peer_identity identity,
                                     chat_service& chat, websocket_limits limits,
                                     websocket_keepalive& keepalive)
    : stream_(std::move(stream)),
      reader_(limits.max_frame_bytes),
      identity_(std::move(identity)),
      chat_(chat),
      keepalive_(keepalive),
      queue_(limits.queue_frames, limits.queue_bytes),
      budget_(limits.inbound_frames_per_second,
              std::max<double>(limits.inbound_bytes_per_second, read_chunk), clock::now()),
      last_heard_(clock::now()),
      idle_timeout_(limits.idle_timeout),
      write_timeout_(limits.write_timeout) {}

websocket_session::~websocket_session() {
  keepalive_.remove(*this);
  leave_chat();
}

void websocket_session::run(std::string_view client_key, std::string early_bytes) {
  error_code ec;
  stream_.socket().non_blocking(true, ec);  // on_readable reads until the socket would block
  handshake_ = ws::upgrade_response(client_key);
  spdlog::info("connected: user={}", identity_.username);
  in_chat_ = true;
  keepalive_.add(*this);
  chat_.connect(shared_from_this());
  if (!writing_) do_write();
  if (!early_bytes.empty()) {
    keep_rest(early_bytes.data(), early_bytes.size(), consume(early_bytes.data(), early_bytes.size()));
  }
  continue_reading();
}

void websocket_session::wait_readable() {
  if (stream_.input_buffered()) {
    asio::post(stream_.socket().get_executor(), [self = shared_from_this()] { self->on_readable({}); });
    return;
  }
  stream_.socket().async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) { self->on_readable(ec); });
}

void websocket_session::on_readable(error_code ec) {
  if (finished_) return;
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("read: user={} {}", identity_.username, ec.message());
    return finish();
  }
  char* const buffer = shared_read_buffer();
  const auto size = stream_.read_some(asio::buffer(buffer, read_chunk), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_readable();
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("read: user={} {}", identity_.username, ec.message());
    return finish();  // EOF included: after our close frame this is the normal end
  }
  const auto now = clock::now();
  last_heard_ = now;
  pinged_ = false;
  budget_.spend(0, size, now);
  // After our close frame only the peer's FIN matters; whatever else it sends is dropped.
  if (!close_written_) keep_rest(buffer, size, consume(buffer, size));
  continue_reading();
}

std::size_t websocket_session::consume(char* data, std::size_t size) {
  if (close_received_ || reader_.failed()) return size;  // nothing more is handled
  std::size_t consumed = 0;
  std::size_t events = 0;
  const auto error = reader_.feed_some(
      data, size, frames_per_turn,
      [this, &events](const ws::event& event) {
        ++events;
        return on_event(event);
      },
      consumed);
  budget_.spend(events, 0, clock::now());
  if (error.code != 0) begin_close(error.code, error.reason, true);
  return consumed;
}

// The rest of a read waits for a later turn. `data` may be the shared read buffer, so it is
// copied, once; later turns take from it in place.
void websocket_session::keep_rest(const char* data, std::size_t size, std::size_t used) {
  if (used >= size || finished_) return;
  backlog_.assign(data + used, size - used);
  backlog_used_ = 0;
}

void websocket_session::resume_backlog() {
  if (finished_) return;
  backlog_used_ += consume(backlog_.data() + backlog_used_, backlog_.size() - backlog_used_);
  if (backlog_used_ >= backlog_.size()) {
    // Emptied but kept while the client keeps sending this much (no allocation per read);
    // the keep-alive sweep frees it once the connection is quiet.
    backlog_.clear();
    backlog_used_ = 0;
  }
  continue_reading();
}

// Exactly one of these is pending for a live session: the rest of a read waiting for its turn,
// a pause while over the inbound budget, or a wait for the socket to become readable.
void websocket_session::continue_reading() {
  if (finished_) return;
  if (const auto wait = budget_.wait(clock::now()); wait.count() > 0) {
    if (!read_pause_) read_pause_ = std::make_unique<asio::steady_timer>(stream_.socket().get_executor());
    read_pause_->expires_after(wait);
    read_pause_->async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->continue_reading();
    });
    return;
  }
  if (!backlog_.empty()) {
    asio::post(stream_.socket().get_executor(), [self = shared_from_this()] { self->resume_backlog(); });
    return;
  }
  wait_readable();
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
      if (!close_queued_ && !finished_) {
        if (!pong_) pong_ = std::make_unique<pong_payload>();
        // Replaces an unsent one. The reader refuses control payloads over 125 bytes.
        pong_->size = static_cast<std::uint8_t>(std::min(event.payload.size(), pong_->bytes.size()));
        std::copy_n(event.payload.data(), pong_->size, pong_->bytes.data());
        if (!writing_) do_write();
      }
      return true;
    case ws::opcode::pong:
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

std::size_t websocket_session::control_bytes() const {
  return handshake_.size() + (pong_ ? max_control_frame : 0) +
         (ping_wanted_ ? 2 : 0) + close_out_.size() + control_in_flight_.size();
}

void websocket_session::deliver(const frame_ptr& frame) {
  if (closing_ || finished_) return;
  if (!queue_.push(frame, control_bytes())) {
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
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    self->write_scheduled_ = false;
    if (!self->writing_ && !self->finished_) self->do_write();
  });
}

bool websocket_session::control_pending() const {
  return !handshake_.empty() || pong_ || ping_wanted_ || !close_out_.empty();
}

void websocket_session::do_write() {
  if (finished_) return;
  if (control_pending()) return write_control();
  if (queue_.empty()) return;
  in_flight_ = queue_.take_batch(max_batch_bytes);
  const auto header = ws::encode_header(header_.data(), ws::opcode::text, in_flight_->size());
  writing_ = true;
  write_started_ = clock::now();
  auto& m = metrics();
  ++m.writes_out;
  m.bytes_out += in_flight_->size();
  // The header and the (possibly shared) payload leave in one system call, without a copy.
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(header_.data(), header),
                                                  asio::buffer(*in_flight_)};
  stream_.async_write(buffers,
                      [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
}

void websocket_session::write_control() {
  // In this order: the 101 before any frame, and the close frame after every other frame.
  control_in_flight_ = std::exchange(handshake_, {});
  if (pong_) control_in_flight_ += ws::control_frame(ws::opcode::pong, pong_->view());
  if (ping_wanted_) control_in_flight_ += ws::control_frame(ws::opcode::ping, {});
  control_in_flight_ += close_out_;
  pong_.reset();
  ping_wanted_ = false;
  close_out_.clear();
  writing_ = true;
  write_started_ = clock::now();
  stream_.async_write(asio::buffer(control_in_flight_),
                      [self = shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
}

void websocket_session::on_write(error_code ec) {
  writing_ = false;
  in_flight_.reset();
  // Freed, not just emptied: after the 101 every idle connection would keep its capacity.
  std::string{}.swap(control_in_flight_);
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("write: user={} {}", identity_.username, ec.message());
    return finish();
  }
  if (finished_) return;
  if (control_pending() || !queue_.empty()) return do_write();
  if (pending_close_) return queue_close_frame();
  if (close_queued_ && !close_written_) {
    // Our close frame is out: say so with a FIN too, then wait for the peer's FIN (or the
    // deadline) so that unread input does not turn our close into a reset the peer might see
    // before the close frame.
    close_written_ = true;
    error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    if (close_received_) return finish();
  }
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
  close_deadline_ = std::make_unique<asio::steady_timer>(stream_.socket().get_executor(), close_grace);
  close_deadline_->async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->finish();
  });
  if (!writing_ && queue_.empty()) queue_close_frame();
}

void websocket_session::queue_close_frame() {
  if (!pending_close_) return;
  close_out_ = std::move(*pending_close_);
  pending_close_.reset();
  close_queued_ = true;
  if (!writing_) do_write();
}

void websocket_session::keepalive_check(clock::time_point now) {
  if (closing_ || finished_) return;
  // A token that expires while its connection is open ends the connection too, the same way
  // a logout does (checked at this sweep's granularity).
  if (identity_.token_expires_at_ms > 0 && epoch_ms() >= identity_.token_expires_at_ms) {
    spdlog::info("closing connection whose token expired: user={}", identity_.username);
    return close(4001, "session expired");
  }
  // A write that does not complete means the client takes nothing: its TCP window is shut.
  // No close frame could get through either, so the connection is cut.
  if (writing_ && now - write_started_ >= write_timeout_) {
    spdlog::warn("closing client that stopped reading: user={} (write pending for {} ms)",
                 identity_.username,
                 std::chrono::duration_cast<std::chrono::milliseconds>(now - write_started_).count());
    ++metrics().write_timeouts;
    return finish();
  }
  // Silent for half the idle timeout: pinged (any frame back counts). Still silent at a later
  // sweep once the whole idle timeout has passed: gone.
  if (backlog_.empty() && backlog_.capacity() > 0) std::string{}.swap(backlog_);
  const auto silent = now - last_heard_;
  if (pinged_ && silent >= idle_timeout_) {
    spdlog::info("closing unresponsive peer: user={}", identity_.username);
    return finish();
  }
  if (silent >= idle_timeout_ / 2 && !pinged_) {
    pinged_ = true;
    ping_wanted_ = true;
    if (!writing_) do_write();
  }
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
  std::string{}.swap(backlog_);
  if (close_deadline_) close_deadline_->cancel();
  if (read_pause_) read_pause_->cancel();
  // Cancels whatever is still pending; their handlers release the last references.
  error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace chatterbox
