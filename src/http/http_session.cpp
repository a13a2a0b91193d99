#include "chatterbox/http/http_session.hpp"

#include "chatterbox/http/trusted_proxies.hpp"

#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

namespace chatterbox {
namespace {

namespace beast = boost::beast;

}  // namespace

void http_session_registry::shutdown_all() {
  // A copy: shutting a session down may destroy it, which edits the set.
  const auto sessions = sessions_;
  for (auto* session : sessions) session->shutdown();
}

http_session::http_session(boost::asio::ip::tcp::socket&& socket, http_session_services services,
                           handshake_gate::slot first_request)
    : stream_(std::move(socket)), services_(services), first_request_(std::move(first_request)) {
  beast::error_code ec;
  // We coalesce frames ourselves; Nagle would only hold small writes back behind delayed ACKs.
  stream_.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  const auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) peer_ = normalize_address(remote.address());
  peer_text_ = peer_ ? peer_->to_string() : "unknown";
  services_.registry.add(this);
}

http_session::~http_session() { services_.registry.remove(this); }

void http_session::run() { do_read(); }

void http_session::shutdown() {
  shutting_down_ = true;
  // Only an idle connection is cut; one busy with a request finishes it and then closes.
  if (reading_) stream_.cancel();
}

void http_session::do_read() {
  if (shutting_down_) return do_close();
  parser_.emplace();
  parser_->body_limit(services_.limits.max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(services_.limits.max_header_bytes));
  // One deadline for the whole request, so a client dribbling bytes cannot hold the slot.
  stream_.expires_after(services_.limits.request_timeout);
  reading_ = true;
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  reading_ = false;
  first_request_.release();
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted) {
    return do_close();
  }
  if (ec == beast::error::timeout) {
    spdlog::debug("http: request timed out from {}", peer_text_);
    return do_close();
  }
  if (ec == http::error::body_limit) {
    return send(bare_json_error(http::status::payload_too_large, "payload_too_large",
                                "request body is larger than the limit"));
  }
  if (ec == http::error::header_limit) {
    return send(bare_json_error(http::status::request_header_fields_too_large,
                                "header_too_large", "request header is larger than the limit"));
  }
  if (ec) {
    spdlog::debug("http: bad request from {}: {}", peer_text_, ec.message());
    return send(bare_json_error(http::status::bad_request, "bad_request", "malformed HTTP request"));
  }

  auto request = parser_->release();
  // Answered at most once, even if a handler throws after answering.
  auto answered = std::make_shared<bool>(false);
  try {
    if (beast::websocket::is_upgrade(request)) {
      std::string_view target = request.target();
      if (target.substr(0, target.find('?')) == "/ws") return upgrade(std::move(request));
    }
    // Per request: behind a proxy, one connection carries many clients' requests.
    auto client = services_.handler.resolve_client(request, peer_);
    services_.handler.handle(std::move(request), std::move(client),
                             [self = shared_from_this(), answered](http_response response) {
                               *answered = true;
                               self->send(std::move(response));
                             });
  } catch (const std::exception& e) {
    // The database refused (locked by another process, full, I/O error) or a bug: this request
    // fails with a clear answer and the connection ends; everything else carries on.
    spdlog::error("http: request from {} failed: {}", peer_text_, e.what());
    if (*answered || response_) return;
    auto response = bare_json_error(http::status::service_unavailable, "busy",
                                    "the server could not complete the request; retry shortly");
    response.set(http::field::retry_after, "1");
    response.keep_alive(false);
    send(std::move(response));
  }
}

void http_session::upgrade(http_request&& request) {
  auto decision = services_.handler.authorize_websocket(request);
  if (auto* refusal = std::get_if<http_response>(&decision)) {
    spdlog::info("websocket refused from {}: {}",
                 services_.handler.resolve_client(request, peer_).address,
                 static_cast<unsigned>(refusal->result_int()));
    refusal->keep_alive(false);
    return send(std::move(*refusal));
  }
  stream_.expires_never();
  // Bytes a client sent right behind its request (frames it did not wait to send) belong to
  // the WebSocket.
  const auto early = buffer_.cdata();
  std::string early_bytes(static_cast<const char*>(early.data()), early.size());
  buffer_.consume(buffer_.size());
  std::make_shared<websocket_session>(stream_.release_socket(),
                                      std::move(std::get<peer_identity>(decision)),
                                      services_.chat, services_.ws_limits, services_.keepalive)
      ->run(request[http::field::sec_websocket_key], std::move(early_bytes));
}

void http_session::send(http_response response) {
  const bool keep_alive = response.keep_alive() && !shutting_down_;
  response.keep_alive(keep_alive);
  response_ = std::make_shared<http_response>(std::move(response));
  stream_.expires_after(services_.limits.request_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                              keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) {
    spdlog::debug("http: write to {} failed: {}", peer_text_, ec.message());
    return do_close();
  }
  if (!keep_alive) return do_close();
  do_read();
}

void http_session::do_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace chatterbox
