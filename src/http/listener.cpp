#include "chatterbox/http/listener.hpp"

#include <spdlog/spdlog.h>

namespace chatterbox {

namespace beast = boost::beast;

listener::listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                   http_session_services services)
    : io_(io), acceptor_(io), retry_(io), services_(services) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(boost::asio::socket_base::max_listen_connections);
}

void listener::stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void listener::do_accept() {
  acceptor_.async_accept(io_, beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors, say: pause briefly instead of spinning, then keep accepting.
    spdlog::error("accept: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  std::make_shared<http_session>(std::move(socket), services_)->run();
  do_accept();
}

}  // namespace chatterbox
