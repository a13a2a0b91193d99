#include "ws_connection.hpp"

#include "tls_client.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

namespace chatterbox::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

}  // namespace

namespace {

std::variant<ws_connection::plain_ws, ws_connection::tls_ws> make_ws(asio::io_context& io) {
  if (tls_enabled()) {
    return std::variant<ws_connection::plain_ws, ws_connection::tls_ws>(
        std::in_place_index<1>, io, client_tls_context());
  }
  return std::variant<ws_connection::plain_ws, ws_connection::tls_ws>(std::in_place_index<0>, io);
}

}  // namespace

ws_connection::ws_connection(asio::io_context& io, connection_observer& observer, std::size_t index)
    : ws_(make_ws(io)), observer_(observer), index_(index) {}

beast::tcp_stream& ws_connection::tcp() {
  return with_ws([](auto& ws) -> beast::tcp_stream& { return beast::get_lowest_layer(ws); });
}

void ws_connection::start(const connection_target& target) {
  target_ = target;
  auto& stream = tcp();
  const asio::ip::tcp::endpoint server(asio::ip::make_address(target_.host), target_.port);
  beast::error_code ec;
  stream.socket().open(server.protocol(), ec);
  if (!ec && target_.source) {
    // Let the kernel pick the port per (source, destination) at connect time, so each source
    // address really adds a full ephemeral port range.
    const int one = 1;
    ::setsockopt(stream.socket().native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
                 sizeof one);
    stream.socket().bind(asio::ip::tcp::endpoint(*target_.source, 0), ec);
  }
  if (ec) {
    // Report asynchronously so the observer never re-enters from inside start().
    asio::post(stream.get_executor(),
               [self = shared_from_this(), ec] { self->finish("socket: " + ec.message()); });
    return;
  }
  stream.expires_after(target_.setup_timeout);
  stream.async_connect(server,
                       beast::bind_front_handler(&ws_connection::on_connect, shared_from_this()));
}

void ws_connection::on_connect(beast::error_code ec) {
  if (ec) return finish("connect: " + ec.message());
  tcp().socket().set_option(asio::ip::tcp::no_delay(true), ec);
  with_ws([this](auto& ws) {
    ws.set_option(
        websocket::stream_base::decorator([token = target_.token](websocket::request_type& request) {
          request.set(beast::http::field::authorization, "Bearer " + token);
          request.set(beast::http::field::user_agent, "chatterbox-bench");
        }));
  });
  auto upgrade = [self = shared_from_this()] {
    self->with_ws([&self](auto& ws) {
      ws.async_handshake(self->target_.host + ":" + std::to_string(self->target_.port), "/ws",
                         beast::bind_front_handler(&ws_connection::on_handshake, self));
    });
  };
  if (auto* tls = std::get_if<tls_ws>(&ws_)) {
    tls->next_layer().async_handshake(asio::ssl::stream_base::client,
                                      [upgrade, self = shared_from_this()](beast::error_code ec) {
                                        if (ec) return self->finish("tls: " + ec.message());
                                        upgrade();
                                      });
    return;
  }
  upgrade();
}

void ws_connection::on_handshake(beast::error_code ec) {
  if (ec) return finish("upgrade: " + ec.message());
  tcp().expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = target_.setup_timeout;
  // ping_idle 0: no pings of our own (the server's keep-alive pings are still answered).
  if (target_.ping_idle.count() > 0) {
    timeouts.idle_timeout = target_.ping_idle;
    timeouts.keep_alive_pings = true;
  } else {
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
  }
  with_ws([&timeouts](auto& ws) { ws.set_option(timeouts); });
  open_ = true;
  observer_.on_open(*this);
  do_read();
}

void ws_connection::do_read() {
  with_ws([this](auto& ws) {
    ws.async_read(buffer_, beast::bind_front_handler(&ws_connection::on_read, shared_from_this()));
  });
}

void ws_connection::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::closed) {
      const auto reason = with_ws([](auto& ws) { return ws.reason(); });
      return finish("closed " + std::to_string(reason.code) + " " +
                    std::string(reason.reason.data(), reason.reason.size()));
    }
    return finish("read: " + ec.message());
  }
  const auto data = buffer_.cdata();
  observer_.on_frame(*this, std::string_view(static_cast<const char*>(data.data()), data.size()));
  buffer_.consume(buffer_.size());
  if (!finished_) do_read();
}

void ws_connection::send(std::string text) {
  if (!open_ || closing_ || finished_) return;
  outbox_.push_back(std::move(text));
  if (!writing_) do_write();
}

void ws_connection::do_write() {
  writing_ = true;
  with_ws([this](auto& ws) {
    ws.text(true);
    ws.async_write(asio::buffer(outbox_.front()),
                   beast::bind_front_handler(&ws_connection::on_write, shared_from_this()));
  });
}

void ws_connection::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return;  // the read loop reports the failure
  outbox_.pop_front();
  if (!outbox_.empty() && !closing_) do_write();
}

void ws_connection::close() {
  if (closing_ || finished_) return;
  closing_ = true;
  if (!open_) {
    beast::error_code ignored;
    tcp().socket().close(ignored);
    return;
  }
  with_ws([this](auto& ws) {
    ws.async_close(websocket::close_code::normal,
                   beast::bind_front_handler(&ws_connection::on_close, shared_from_this()));
  });
}

void ws_connection::on_close(beast::error_code ec) {
  // The pending read completes with `closed` (or an error) and reports through finish().
  if (ec) {
    beast::error_code ignored;
    tcp().socket().close(ignored);
  }
}

void ws_connection::finish(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  const bool was_open = open_;
  open_ = false;
  outbox_.clear();
  beast::error_code ignored;
  tcp().socket().close(ignored);
  observer_.on_closed(*this, why, closing_, was_open);
}

}  // namespace chatterbox::bench
