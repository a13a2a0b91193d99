#include "chatterbox/http/redirect_listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace chatterbox {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// One connection of the redirect port: one request header read within the deadline, one
// answer, closed. The body of a request, if any, is never read.
class redirect_session : public std::enable_shared_from_this<redirect_session> {
 public:
  redirect_session(boost::asio::ip::tcp::socket&& socket, const https_redirect_target& to,
                   const redirect_limits& limits, std::shared_ptr<std::size_t> active)
      : stream_(std::move(socket)), to_(to), limits_(limits), active_(std::move(active)) {
    ++*active_;
  }
  ~redirect_session() { --*active_; }

  void run() {
    parser_.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    stream_.expires_after(limits_.request_timeout);
    http::async_read_header(
        stream_, buffer_, parser_,
        beast::bind_front_handler(&redirect_session::on_header, shared_from_this()));
  }

 private:
  void on_header(beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == boost::asio::error::operation_aborted) {
        return close();
      }
      return answer(http::status::bad_request, {});
    }
    const auto& request = parser_.get();
    const auto location = https_location(to_, request[http::field::host], request.target());
    if (!location) return answer(http::status::bad_request, {});
    const bool safe = request.method() == http::verb::get || request.method() == http::verb::head;
    answer(safe ? http::status::moved_permanently : http::status::permanent_redirect, *location);
  }

  void answer(http::status status, const std::string& location) {
    response_.result(status);
    response_.version(11);
    if (!location.empty()) response_.set(http::field::location, location);
    response_.set(http::field::cache_control, "no-store");
    response_.keep_alive(false);
    response_.content_length(0);
    stream_.expires_after(limits_.request_timeout);
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{1024};
  http::request_parser<http::empty_body> parser_;
  http::response<http::empty_body> response_;
  https_redirect_target to_;  // a copy: small, and the session needs nothing of the listener
  redirect_limits limits_;
  std::shared_ptr<std::size_t> active_;
};

}  // namespace

redirect_listener::redirect_listener(boost::asio::io_context& io,
                                     const boost::asio::ip::tcp::endpoint& endpoint,
                                     https_redirect_target to, redirect_limits limits)
    : acceptor_(io), retry_(io), to_(std::move(to)), limits_(limits) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void redirect_listener::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void redirect_listener::do_accept() {
  acceptor_.async_accept([self = shared_from_this()](beast::error_code ec,
                                                     boost::asio::ip::tcp::socket socket) {
    if (!self->acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors, say: pause briefly instead of spinning.
      spdlog::error("redirect port: accept: {}", ec.message());
      self->retry_.expires_after(std::chrono::milliseconds(100));
      self->retry_.async_wait([self](beast::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    if (*self->active_ < self->limits_.max_connections) {
      std::make_shared<redirect_session>(std::move(socket), self->to_, self->limits_, self->active_)
          ->run();
    }
    self->do_accept();
  });
}

}  // namespace chatterbox
