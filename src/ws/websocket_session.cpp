#include "chatterbox/ws/websocket_session.hpp"

#include "chatterbox/observability/metrics.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace chatterbox {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// How long a closing peer gets to take its last frames and answer the close frame before the
// TCP connection is cut: a client that stopped reading must not hold resources forever.
constexpr auto close_grace = std::chrono::seconds(3);

// Upper bound for one coalesced write; large enough to carry a burst, small enough that one
// slow client's batch is not a big allocation.
constexpr std::size_t max_batch_bytes = 256 * 1024;

bool expected_end(const beast::error_code& ec) {
  return ec == websocket::error::closed || ec == boost::asio::error::operation_aborted ||
         ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == beast::error::timeout || ec == boost::asio::error::broken_pipe;
}

}  // namespace

websocket_session::websocket_session(beast::tcp_stream&& stream, peer_identity identity,
                                     chat_service& chat, websocket_limits limits)
    : ws_(std::move(stream)),
      identity_(std::move(identity)),
      chat_(chat),
      queue_(limits.queue_frames, limits.queue_bytes),
      close_deadline_(ws_.get_executor()),
      idle_timeout_(limits.idle_timeout) {
  ws_.read_message_max(limits.max_frame_bytes);
}

websocket_session::~websocket_session() { leave_chat(); }

void websocket_session::run(http_request request) {
  // The websocket stream keeps its own timers; the TCP layer's would cut healthy idle clients.
  beast::get_lowest_layer(ws_).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = idle_timeout_;
  timeouts.keep_alive_pings = true;  // finds half-open peers that would otherwise look online
  ws_.set_option(timeouts);
  ws_.set_option(websocket::permessage_deflate{});  // off: compression costs CPU per client
  // One frame per message: with fragmentation on, Beast splits a large batch into 4 KiB frames
  // and writes each separately, undoing the point of batching.
  ws_.auto_fragment(false);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "chatterbox"); }));
  ws_.async_accept(request, beast::bind_front_handler(&websocket_session::on_accept,
                                                      shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket accept failed: user={} {}", identity_.username, ec.message());
    return;
  }
  spdlog::info("connected: user={}", identity_.username);
  in_chat_ = true;
  chat_.connect(shared_from_this());
  do_read();
}

void websocket_session::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read,
                                                    shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("read: user={} {}", identity_.username, ec.message());
    finish();
    return;
  }
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    begin_close({websocket::close_code::unknown_data, "binary frames are not supported"}, true);
    do_read();  // keeps reading until the peer answers the close
    return;
  }
  if (!closing_) {
    ++metrics().frames_in;
    const auto data = buffer_.cdata();
    chat_.receive(shared_from_this(),
                  std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  buffer_.consume(buffer_.size());
  do_read();
}

void websocket_session::deliver(const frame_ptr& frame) {
  if (closing_ || finished_) return;
  if (!queue_.push(frame)) {
    spdlog::warn("closing slow client: user={} queued={} bytes={}", identity_.username,
                 queue_.size(), queue_.bytes());
    ++metrics().slow_client_disconnects;
    begin_close({websocket::close_code::policy_error, "too slow"}, true);
    return;
  }
  auto& m = metrics();
  ++m.frames_out;
  m.queue_high_water = std::max<std::uint64_t>(m.queue_high_water, queue_.size());
  if (in_flight_ || write_scheduled_) return;
  // Wait for the end of this event-loop turn, so that everything delivered in it (a whole
  // group commit's messages, say) leaves in one write instead of one system call per frame.
  write_scheduled_ = true;
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->write_scheduled_ = false;
    if (!self->in_flight_ && !self->queue_.empty() && !self->finished_) self->do_write();
  });
}

void websocket_session::do_write() {
  in_flight_ = queue_.take_batch(max_batch_bytes);
  ++metrics().writes_out;
  metrics().bytes_out += in_flight_->size();
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*in_flight_),
                  beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  in_flight_.reset();
  if (ec) {
    if (!expected_end(ec)) spdlog::warn("write: user={} {}", identity_.username, ec.message());
    finish();
    return;
  }
  if (!queue_.empty()) return do_write();
  if (close_after_queue_) do_close();
}

void websocket_session::close(std::uint16_t code, std::string_view reason) {
  websocket::close_reason why;
  why.code = code;
  why.reason.assign(reason.data(), std::min<std::size_t>(reason.size(), why.reason.max_size()));
  begin_close(std::move(why), false);
}

void websocket_session::begin_close(websocket::close_reason reason, bool discard_queue) {
  if (closing_ || finished_) return;
  closing_ = true;
  leave_chat();
  if (discard_queue) queue_.clear();
  close_after_queue_ = std::move(reason);
  close_deadline_.expires_after(close_grace);
  close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->finish();
  });
  if (!in_flight_ && queue_.empty()) do_close();
}

void websocket_session::do_close() {
  const auto reason = *close_after_queue_;
  close_after_queue_.reset();
  ws_.async_close(reason, beast::bind_front_handler(&websocket_session::on_close,
                                                    shared_from_this()));
}

void websocket_session::on_close(beast::error_code ec) {
  if (ec && !expected_end(ec)) spdlog::debug("close: user={} {}", identity_.username, ec.message());
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
  queue_.clear();
  close_deadline_.cancel();
  // Cancels whatever is still pending; their handlers release the last references.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

}  // namespace chatterbox
