#include "chatterbox/bus/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/ip/address.hpp>

#include <utility>

namespace chatterbox {

namespace asio = boost::asio;

// hiredis asks, through its `ev` hooks, to be told when its socket can be read or written; this
// waits for that on the event loop and calls back into hiredis. The context may be freed by
// hiredis inside any call into it (a lost connection): `cleanup` detaches the watcher then, and
// waits still outstanding end without touching the context.
struct redis_connection::watcher : std::enable_shared_from_this<watcher> {
  watcher(asio::io_context& io, redisAsyncContext* c) : descriptor(io, c->c.fd), context(c) {}

  void arm() {
    if (context == nullptr) return;
    if (want_read) arm_one(asio::posix::descriptor_base::wait_read, read_armed, want_read,
                           &redisAsyncHandleRead);
    if (want_write) arm_one(asio::posix::descriptor_base::wait_write, write_armed, want_write,
                            &redisAsyncHandleWrite);
  }

  // One wait per direction at a time; when it fires and hiredis still wants it, hiredis handles
  // the socket and the waits are armed again for whatever it wants next.
  void arm_one(asio::posix::descriptor_base::wait_type direction, bool& armed, const bool& wanted,
               void (*handle)(redisAsyncContext*)) {
    if (armed) return;
    armed = true;
    descriptor.async_wait(direction, [self = shared_from_this(), &armed, &wanted,
                                      handle](const boost::system::error_code& ec) {
      armed = false;
      if (ec || self->context == nullptr || !wanted) return;
      handle(self->context);
      self->arm();
    });
  }

  // hiredis closes the descriptor itself: give it back without closing (this cancels the waits).
  void detach() {
    context = nullptr;
    want_read = want_write = false;
    if (descriptor.is_open()) descriptor.release();
  }

  static void add_read(void* self) {
    auto* w = static_cast<watcher*>(self);
    w->want_read = true;
    w->arm();
  }
  static void del_read(void* self) { static_cast<watcher*>(self)->want_read = false; }
  static void add_write(void* self) {
    auto* w = static_cast<watcher*>(self);
    w->want_write = true;
    w->arm();
  }
  static void del_write(void* self) { static_cast<watcher*>(self)->want_write = false; }
  static void cleanup(void* self) { static_cast<watcher*>(self)->detach(); }

  asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context;
  bool want_read = false;
  bool want_write = false;
  bool read_armed = false;
  bool write_armed = false;
};

redis_reply copy_reply(const redisReply& reply) {
  redis_reply out;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      out.type = redis_reply::kind::string;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = redis_reply::kind::status;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = redis_reply::kind::error;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = redis_reply::kind::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        out.elements.push_back(copy_reply(*reply.element[i]));
      }
      break;
    default:
      out.type = redis_reply::kind::nil;
  }
  return out;
}

std::shared_ptr<redis_connection> redis_connection::create(asio::io_context& io,
                                                           redis_endpoint endpoint,
                                                           options opts, handlers on) {
  return std::shared_ptr<redis_connection>(
      new redis_connection(io, std::move(endpoint), opts, std::move(on)));
}

redis_connection::redis_connection(asio::io_context& io, redis_endpoint endpoint, options opts,
                                   handlers on)
    : io_(io),
      endpoint_(std::move(endpoint)),
      options_(opts),
      handlers_(std::move(on)),
      resolver_(io),
      connect_timer_(io) {}

redis_connection::~redis_connection() { close(); }

void redis_connection::start() {
  if (state_ != state::idle) return;
  state_ = state::resolving;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->state_ == state::ready || self->state_ == state::finished) return;
    self->fail("no connection within " + std::to_string(self->options_.connect_timeout.count()) +
               " ms");
  });
  resolver_.async_resolve(
      endpoint_.host, std::to_string(endpoint_.port),
      [weak = weak_from_this()](const boost::system::error_code& ec,
                                asio::ip::tcp::resolver::results_type results) {
        auto self = weak.lock();
        if (!self || self->state_ != state::resolving) return;
        if (ec || results.empty()) {
          self->fail("cannot resolve " + self->endpoint_.host + ": " + ec.message());
          return;
        }
        self->connect_to(results.begin()->endpoint());
      });
}

void redis_connection::connect_to(const asio::ip::tcp::endpoint& address) {
  state_ = state::connecting;
  const auto ip = address.address().to_string();
  context_ = redisAsyncConnect(ip.c_str(), address.port());
  if (context_ == nullptr) {
    fail("out of memory");
    return;
  }
  if (context_->err != 0) {
    const std::string why = context_->errstr;
    redisAsyncFree(context_);
    context_ = nullptr;
    fail(why);
    return;
  }
  context_->data = this;
  watcher_ = std::make_shared<watcher>(io_, context_);
  // The hooks first: setting the connect callback already asks to watch for writability.
  context_->ev.data = watcher_.get();
  context_->ev.addRead = &watcher::add_read;
  context_->ev.delRead = &watcher::del_read;
  context_->ev.addWrite = &watcher::add_write;
  context_->ev.delWrite = &watcher::del_write;
  context_->ev.cleanup = &watcher::cleanup;
  redisAsyncSetConnectCallback(context_, &redis_connection::on_connect_callback);
  redisAsyncSetDisconnectCallback(context_, &redis_connection::on_disconnect_callback);
}

void redis_connection::on_connect_callback(const redisAsyncContext* context, int status) {
  auto* self = static_cast<redis_connection*>(context->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    const std::string why = context->errstr;
    self->let_hiredis_free(context);
    self->fail("cannot connect to " + self->endpoint_.display() + ": " + why);
    return;
  }
  self->authenticate();
}

void redis_connection::authenticate() {
  state_ = state::authenticating;
  auto select = [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->state_ != state::authenticating) return;
    if (self->endpoint_.database == 0) {
      self->become_ready();
      return;
    }
    const auto database = std::to_string(self->endpoint_.database);
    self->send({"SELECT", database}, [weak](const redis_reply* reply) {
      auto self = weak.lock();
      if (!self || reply == nullptr) return;
      if (reply->is_error()) {
        self->fail("SELECT refused: " + reply->text);
      } else {
        self->become_ready();
      }
    });
  };
  if (endpoint_.password.empty()) {
    select();
    return;
  }
  std::vector<std::string_view> auth{"AUTH"};
  if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
  auth.push_back(endpoint_.password);
  send(auth, [weak = weak_from_this(), select](const redis_reply* reply) {
    auto self = weak.lock();
    if (!self || reply == nullptr) return;
    if (reply->is_error()) {
      self->fail("AUTH refused: " + reply->text);
    } else {
      select();
    }
  });
}

void redis_connection::become_ready() {
  state_ = state::ready;
  connect_timer_.cancel();
  if (handlers_.connected) handlers_.connected();
}

bool redis_connection::command(const std::vector<std::string_view>& args, reply_fn on_reply) {
  if (state_ != state::ready) return false;
  return send(args, std::move(on_reply));
}

bool redis_connection::send(const std::vector<std::string_view>& args, reply_fn on_reply) {
  std::size_t bytes = 0;
  for (const auto arg : args) bytes += arg.size();
  if (context_ == nullptr || waiting_.size() >= options_.max_pending ||
      pending_bytes_ + bytes > options_.max_pending_bytes) {
    return false;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAsyncCommandArgv(context_, &redis_connection::on_reply_callback, nullptr,
                            static_cast<int>(args.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    return false;
  }
  waiting_.push_back({std::move(on_reply), bytes});
  pending_bytes_ += bytes;
  return true;
}

// Replies come in the order the commands went, so the front of `waiting_` is the one answered.
// A null reply is hiredis ending the connection: fail() answers everything still waiting.
void redis_connection::on_reply_callback(redisAsyncContext* context, void* reply, void*) {
  auto* self = static_cast<redis_connection*>(context->data);
  if (self == nullptr || reply == nullptr || self->waiting_.empty()) return;
  auto front = std::move(self->waiting_.front());
  self->waiting_.pop_front();
  self->pending_bytes_ -= front.bytes;
  if (!front.on_reply) return;
  const auto copied = copy_reply(*static_cast<redisReply*>(reply));
  front.on_reply(&copied);
}

bool redis_connection::subscribe(const std::vector<std::string>& channels, message_fn on_message,
                                 std::function<void()> subscribed) {
  if (state_ != state::ready || channels.empty()) return false;
  on_message_ = std::move(on_message);
  std::vector<const char*> argv{"SUBSCRIBE"};
  std::vector<std::size_t> lengths{9};
  for (const auto& channel : channels) {
    argv.push_back(channel.data());
    lengths.push_back(channel.size());
  }
  // The callback stays registered for every message of these channels: its privdata is the
  // `subscribed` notification, told once, when Redis confirms the last channel.
  auto* confirm = new std::function<void()>(std::move(subscribed));
  if (redisAsyncCommandArgv(context_, &redis_connection::on_message_callback, confirm,
                            static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    delete confirm;
    return false;
  }
  subscriptions_.push_back(std::unique_ptr<std::function<void()>>(confirm));
  subscribed_left_ += channels.size();
  return true;
}

void redis_connection::on_message_callback(redisAsyncContext* context, void* reply,
                                           void* privdata) {
  auto* self = static_cast<redis_connection*>(context->data);
  if (self == nullptr || reply == nullptr) return;
  const auto& r = *static_cast<redisReply*>(reply);
  if (r.type != REDIS_REPLY_ARRAY || r.elements < 3) return;
  const std::string_view kind(r.element[0]->str, r.element[0]->len);
  if (kind == "message" && r.element[1]->type == REDIS_REPLY_STRING &&
      r.element[2]->type == REDIS_REPLY_STRING) {
    if (self->on_message_) {
      self->on_message_(std::string_view(r.element[1]->str, r.element[1]->len),
                        std::string_view(r.element[2]->str, r.element[2]->len));
    }
  } else if (kind == "subscribe" && self->subscribed_left_ > 0 && --self->subscribed_left_ == 0) {
    auto* confirm = static_cast<std::function<void()>*>(privdata);
    if (confirm != nullptr && *confirm) (*confirm)();
  }
}

void redis_connection::on_disconnect_callback(const redisAsyncContext* context, int status) {
  auto* self = static_cast<redis_connection*>(context->data);
  if (self == nullptr) return;
  const std::string why = status == REDIS_OK ? "connection closed"
                                             : std::string("connection lost: ") +
                                                   (context->errstr != nullptr ? context->errstr
                                                                               : "?");
  self->let_hiredis_free(context);
  self->fail(why);
}

// hiredis frees `context` itself once its callback returns (a failed connect, a lost
// connection); by then this connection may be gone (its owner lets go in `lost`), so nothing of
// that free may reach it or its watcher.
void redis_connection::let_hiredis_free(const redisAsyncContext* context) {
  auto* mutable_context = const_cast<redisAsyncContext*>(context);
  mutable_context->data = nullptr;
  mutable_context->ev = {};
  if (watcher_) watcher_->detach();
  context_ = nullptr;
}

void redis_connection::fail(const std::string& why) {
  if (state_ == state::finished) return;
  state_ = state::finished;
  connect_timer_.cancel();
  resolver_.cancel();
  auto unanswered = std::move(waiting_);
  waiting_.clear();
  pending_bytes_ = 0;
  free_context();
  if (closing_) return;
  // Last, from copies: the owner may let go of this connection in `lost`.
  auto lost = std::move(handlers_.lost);
  for (auto& w : unanswered) {
    if (w.on_reply) w.on_reply(nullptr);
  }
  if (lost) lost(why);
}

void redis_connection::close() {
  closing_ = true;
  handlers_ = {};
  fail("closed");
}

void redis_connection::free_context() {
  if (watcher_) watcher_->detach();
  if (context_ == nullptr) return;
  // Nothing hiredis calls while freeing (now, or after the callback it is in) may reach this
  // connection or its watcher: what was waiting is answered by fail().
  auto* context = std::exchange(context_, nullptr);
  context->data = nullptr;
  context->ev = {};
  redisAsyncFree(context);
}

}  // namespace chatterbox
