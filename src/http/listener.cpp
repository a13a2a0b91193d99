#include "chatterbox/http/listener.hpp"

#include "chatterbox/tls/tls_context_store.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace chatterbox {

namespace beast = boost::beast;

listener::listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                   http_session_services services, accept_limits limits)
    : io_(io),
      acceptor_(io),
      protocol_(endpoint.protocol()),
      retry_(io),
      services_(services),
      limits_(limits),
      gate_(io, limits.pending_handshakes, limits.handshake_hold) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  // accept4 below must return EAGAIN, not block, when the queue is empty.
  acceptor_.native_non_blocking(true);
}

listener::~listener() { close_waiting(); }

void listener::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
  gate_.stop();
  close_waiting();
}

void listener::close_waiting() {
  for (const int fd : waiting_) ::close(fd);
  waiting_.clear();
}

void listener::wait_for_connections() {
  if (accepting_ || !acceptor_.is_open() || waiting_.size() >= limits_.max_waiting) return;
  accepting_ = true;
  acceptor_.async_wait(boost::asio::ip::tcp::acceptor::wait_read,
                       [self = shared_from_this()](beast::error_code ec) {
                         self->accepting_ = false;
                         if (ec || !self->acceptor_.is_open()) return;
                         self->accept_some();
                       });
}

void listener::accept_some() {
  for (std::size_t i = 0; i < limits_.accepts_per_turn && waiting_.size() < limits_.max_waiting;
       ++i) {
    const int fd = ::accept4(acceptor_.native_handle(), nullptr, nullptr,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      waiting_.push_back(fd);
      continue;
    }
    const int error = errno;
    if (error == EAGAIN || error == EWOULDBLOCK) break;
    if (error == EINTR || error == ECONNABORTED || error == EPROTO) continue;
    // Out of file descriptors, say: pause briefly instead of spinning, then keep accepting.
    spdlog::error("accept: {}", std::error_code(error, std::system_category()).message());
    start_waiting();
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->wait_for_connections();
    });
    return;
  }
  start_waiting();
  wait_for_connections();
}

void listener::start_waiting() {
  while (!waiting_.empty() && gate_.has_room()) {
    const int fd = waiting_.front();
    waiting_.pop_front();
    boost::asio::ip::tcp::socket socket(io_);
    beast::error_code ec;
    socket.assign(protocol_, fd, ec);
    if (ec) {
      spdlog::error("accept: cannot register a connection: {}", ec.message());
      ::close(fd);
      continue;
    }
    // Under TLS each connection takes the context current when it starts (a reload since
    // then is for the next ones).
    auto context = services_.tls ? services_.tls->current() : nullptr;
    std::make_shared<http_session>(std::move(socket), services_, gate_.take(), std::move(context))
        ->run();
  }
  if (!waiting_.empty() && !gate_waiter_) {
    gate_waiter_ = true;
    gate_.when_room([self = shared_from_this()] {
      self->gate_waiter_ = false;
      if (!self->acceptor_.is_open()) return;
      self->start_waiting();
      self->wait_for_connections();  // if the waiting list was full, accepting had paused
    });
  }
}

}  // namespace chatterbox
