#include "chatterbox/http/http_session.hpp"

#include "chatterbox/http/trusted_proxies.hpp"
#include "chatterbox/tls/tls_connection.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <variant>

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
                           handshake_gate::slot first_request,
                           std::shared_ptr<boost::asio::ssl::context> tls)
    : stream_(tls ? beast::tcp_stream(socket.get_executor()) : beast::tcp_stream(std::move(socket))),
      is_tls_(tls != nullptr),
      services_(services),
      first_request_(std::move(first_request)) {
  if (tls) tls_ = std::make_unique<tls_connection>(std::move(tls), std::move(socket));
  beast::error_code ec;
  // We coalesce frames ourselves; Nagle would only hold small writes back behind delayed ACKs.
  tcp().socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
  const auto remote = tcp().socket().remote_endpoint(ec);
  if (!ec) peer_ = normalize_address(remote.address());
  peer_text_ = peer_ ? peer_->to_string() : "unknown";
  services_.registry.add(this);
}

http_session::~http_session() {
  // A connection gone mid-upload leaves nothing behind (the upload removes its temporary file).
  if (upload_) upload_->abort();
  services_.registry.remove(this);
}

beast::tcp_stream& http_session::tcp() { return tls_ ? tls_->stream.next_layer() : stream_; }

template <class F>
void http_session::with_stream(F&& f) {
  if (tls_) return f(tls_->stream);
  f(stream_);
}

void http_session::shutdown() {
  shutting_down_ = true;
  // Only an idle connection is cut; one busy with a request finishes it and then closes.
  if (reading_) tcp().cancel();
}

void http_session::do_read() {
  if (shutting_down_) return do_close();
  header_parser_.emplace();
  header_parser_->header_limit(static_cast<std::uint32_t>(services_.limits.max_header_bytes));
  // The body's size is judged once the header is read: uploads have a limit of their own.
  header_parser_->body_limit(boost::none);
  // One deadline for the whole request, so a client dribbling bytes cannot hold the slot.
  tcp().expires_after(services_.limits.request_timeout);
  reading_ = true;
  with_stream([this](auto& stream) {
    http::async_read_header(stream, buffer_, *header_parser_,
                            beast::bind_front_handler(&http_session::on_header, shared_from_this()));
  });
}

void http_session::on_header(beast::error_code ec, std::size_t) {
  reading_ = false;
  first_request_.release();
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
      ec == boost::asio::ssl::error::stream_truncated) {
    return do_close();
  }
  if (ec == beast::error::timeout) {
    spdlog::debug("http: request timed out from {}", peer_text_);
    return do_close();
  }
  if (ec == http::error::header_limit) {
    return send(bare_json_error(http::status::request_header_fields_too_large,
                                "header_too_large", "request header is larger than the limit"));
  }
  if (ec) {
    spdlog::debug("http: bad request from {}: {}", peer_text_, ec.message());
    return send(bare_json_error(http::status::bad_request, "bad_request", "malformed HTTP request"));
  }
  try {
    if (request_handler::is_upload(header_parser_->get())) return start_upload();
    const auto length = header_parser_->content_length();
    if (length && *length > services_.limits.max_body_bytes) {
      return send(bare_json_error(http::status::payload_too_large, "payload_too_large",
                                  "request body is larger than the limit"));
    }
    parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    // Still needed for chunked bodies, whose size the header does not say.
    parser_->body_limit(services_.limits.max_body_bytes);
  } catch (const std::exception& e) {
    spdlog::error("http: request from {} failed: {}", peer_text_, e.what());
    auto response = bare_json_error(http::status::service_unavailable, "busy",
                                    "the server could not complete the request; retry shortly");
    response.set(http::field::retry_after, "1");
    return send(std::move(response));
  }
  if (parser_->is_done()) return on_read({}, 0);
  reading_ = true;
  with_stream([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  });
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
      ec == boost::asio::ssl::error::stream_truncated) {
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
  if (ec) {
    spdlog::debug("http: bad request from {}: {}", peer_text_, ec.message());
    return send(bare_json_error(http::status::bad_request, "bad_request", "malformed HTTP request"));
  }
  auto request = parser_->release();
  parser_.reset();
  dispatch(std::move(request));
}

void http_session::dispatch(http_request&& request) {
  // Answered at most once, even if a handler throws after answering.
  auto answered = std::make_shared<bool>(false);
  try {
    if (beast::websocket::is_upgrade(request)) {
      std::string_view target = request.target();
      if (target.substr(0, target.find('?')) == "/ws") return upgrade(std::move(request));
    }
    if (request_handler::is_download(request)) {
      return services_.handler.download(
          request, [self = shared_from_this(), answered](request_handler::download_answer answer) {
            *answered = true;
            if (auto* file = std::get_if<file_response>(&answer)) {
              return self->send_file(std::move(*file));
            }
            self->send(std::move(std::get<http_response>(answer)));
          });
    }
    // Per request: behind a proxy, one connection carries many clients' requests.
    auto client = services_.handler.resolve_client(request, peer_);
    if (is_tls_) client.https = true;  // cookies become Secure (__Host-)
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

void http_session::start_upload() {
  const auto& header = header_parser_->get();
  http_request header_only(static_cast<const http::request_header<>&>(header));
  std::optional<std::uint64_t> length;
  if (!header_parser_->chunked() && header_parser_->content_length()) {
    length = *header_parser_->content_length();
  }
  services_.handler.begin_upload(
      std::move(header_only), length,
      [self = shared_from_this()](request_handler::upload_decision decision) {
        self->on_upload_decided(decision);
      });
}

void http_session::on_upload_decided(request_handler::upload_decision& decision) {
  if (auto* refusal = std::get_if<http_response>(&decision)) {
    // The body is never read: the connection closes after the answer (begin_upload says so),
    // lingering so that a client still sending can read it.
    body_unread_ = true;
    return send(std::move(*refusal));
  }
  upload_ = std::move(std::get<std::shared_ptr<upload_in_progress>>(decision));
  upload_deadline_ = std::chrono::steady_clock::now() + services_.limits.request_timeout +
                     std::chrono::seconds(upload_->expected_size() / upload_min_bytes_per_second);
  upload_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  upload_parser_->body_limit(upload_->expected_size());
  upload_chunk_.resize(static_cast<std::size_t>(
      std::clamp<std::uint64_t>(upload_->expected_size(), 1, upload_chunk_bytes)));
  if (upload_parser_->is_done()) {
    return upload_->finish([self = shared_from_this()](http_response response) {
      self->end_upload(std::move(response));
    });
  }
  read_upload_chunk();
}

void http_session::read_upload_chunk() {
  if (shutting_down_) {
    upload_->abort();
    upload_.reset();
    return do_close();
  }
  auto& body = upload_parser_->get().body();
  body.data = upload_chunk_.data();
  body.size = upload_chunk_.size();
  body.more = true;
  // A deadline per chunk rather than per request: a large file on a slow link may take longer
  // than one request timeout, but an upload that stalls is still cut, and one that crawls is
  // cut at its overall deadline.
  tcp().expires_at(
      std::min(std::chrono::steady_clock::now() + services_.limits.request_timeout, upload_deadline_));
  reading_ = true;
  with_stream([this](auto& stream) {
    http::async_read(stream, buffer_, *upload_parser_,
                     beast::bind_front_handler(&http_session::on_upload_chunk, shared_from_this()));
  });
}

void http_session::on_upload_chunk(beast::error_code ec, std::size_t) {
  reading_ = false;
  if (ec == http::error::need_buffer) ec = {};  // the chunk is full, not an error
  if (ec) {
    // The connection ended, stalled or was shut down before the whole body came: nothing of it
    // is stored.
    spdlog::debug("http: upload from {} ended early: {}", peer_text_, ec.message());
    upload_->abort();
    upload_.reset();
    upload_parser_.reset();
    upload_chunk_ = {};
    return do_close();
  }
  const auto filled = upload_chunk_.size() - upload_parser_->get().body().size;
  const bool complete = upload_parser_->is_done();
  const auto next = [self = shared_from_this(), complete] {
    if (!complete) return self->read_upload_chunk();
    self->upload_->finish([self](http_response response) { self->end_upload(std::move(response)); });
  };
  if (filled == 0) return next();
  upload_->write(upload_chunk_.data(), filled, [self = shared_from_this(), next](bool ok) {
    if (ok) return next();
    self->upload_->abort();
    auto response = bare_json_error(http::status::internal_server_error, "internal",
                                    "the file could not be stored");
    self->end_upload(std::move(response));
  });
}

void http_session::end_upload(http_response response) {
  upload_.reset();
  upload_parser_.reset();
  upload_chunk_ = {};
  send(std::move(response));
}

void http_session::upgrade(http_request&& request) {
  auto held = std::make_shared<const http_request>(std::move(request));
  services_.handler.authorize_websocket(
      *held, peer_, [self = shared_from_this(), held](request_handler::upgrade_decision decision) {
        self->on_upgrade_decided(*held, decision);
      });
}

void http_session::on_upgrade_decided(const http_request& request,
                                      request_handler::upgrade_decision& decision) {
  if (auto* refusal = std::get_if<http_response>(&decision)) {
    spdlog::info("websocket refused from {}: {}",
                 services_.handler.resolve_client(request, peer_).address,
                 static_cast<unsigned>(refusal->result_int()));
    refusal->keep_alive(false);
    return send(std::move(*refusal));
  }
  if (shutting_down_) return do_close();
  tcp().expires_never();
  // Bytes a client sent right behind its request (frames it did not wait to send) belong to
  // the WebSocket.
  const auto early = buffer_.cdata();
  std::string early_bytes(static_cast<const char*>(early.data()), early.size());
  buffer_.consume(buffer_.size());
  session_stream connection = tls_ ? session_stream(std::move(tls_))
                                  : session_stream(stream_.release_socket());
  std::make_shared<websocket_session>(std::move(connection),
                                      std::move(std::get<peer_identity>(decision)),
                                      services_.chat, services_.ws_limits, services_.keepalive)
      ->run(request[http::field::sec_websocket_key], std::move(early_bytes));
}

void http_session::send(http_response response) {
  const bool keep_alive = response.keep_alive() && !shutting_down_;
  response.keep_alive(keep_alive);
  if (is_tls_) response.set(http::field::strict_transport_security, hsts_value);
  auto held = std::make_shared<http_response>(std::move(response));
  response_ = held;
  tcp().expires_after(services_.limits.request_timeout);
  with_stream([this, &held, keep_alive](auto& stream) {
    http::async_write(stream, *held,
                      beast::bind_front_handler(&http_session::on_write, shared_from_this(),
                                                keep_alive));
  });
}

namespace {

// A file response and its serializer, written a part at a time.
struct file_write {
  explicit file_write(file_response&& r) : response(std::move(r)), serializer(response) {}
  file_response response;
  http::response_serializer<http::basic_file_body<file_slice>> serializer;
};

}  // namespace

void http_session::send_file(file_response response) {
  const bool keep_alive = response.keep_alive() && !shutting_down_;
  response.keep_alive(keep_alive);
  if (is_tls_) response.set(http::field::strict_transport_security, hsts_value);
  auto held = std::make_shared<file_write>(std::move(response));
  response_ = held;
  write_file_part(keep_alive);
}

void http_session::write_file_part(bool keep_alive) {
  auto* held = static_cast<file_write*>(response_.get());
  // A deadline per part: a large file to a slow reader takes long, a reader that stops is cut.
  tcp().expires_after(services_.limits.request_timeout);
  with_stream([this, held, keep_alive](auto& stream) {
    http::async_write_some(
        stream, held->serializer,
        [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t bytes) {
          auto* held = static_cast<file_write*>(self->response_.get());
          if (ec || held->serializer.is_done()) return self->on_write(keep_alive, ec, bytes);
          self->write_file_part(keep_alive);
        });
  });
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
  // Under TLS too, without a close_notify: every response is length-delimited, so a client
  // can tell a complete answer from a cut one, and waiting for the peer's close_notify would
  // hold the connection for nothing.
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  if (body_unread_ && !shutting_down_) {
    body_unread_ = false;
    tcp().expires_after(linger_timeout);  // for the whole linger, not per read
    upload_chunk_.resize(upload_chunk_bytes);
    return linger(0);
  }
  tcp().close();
}

void http_session::linger(std::uint64_t discarded) {
  if (shutting_down_ || discarded > linger_max_bytes) return tcp().close();
  reading_ = true;
  // Under TLS the raw bytes are discarded undecrypted: only their end matters.
  tcp().async_read_some(
      boost::asio::buffer(upload_chunk_),
      [self = shared_from_this(), discarded](beast::error_code ec, std::size_t bytes) {
        self->reading_ = false;
        // The client's end (EOF), the deadline or an error: done either way.
        if (ec) return self->tcp().close();
        self->linger(discarded + bytes);
      });
}

}  // namespace chatterbox
