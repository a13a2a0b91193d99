#pragma once

#include "chatterbox/bus/redis_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace chatterbox {

// A reply from Redis, copied out of hiredis's (which is freed when the callback returns).
struct redis_reply {
  enum class kind { string, array, integer, nil, status, error };
  kind type = kind::nil;
  std::string text{};  // string, status, error
  long long integer = 0;
  std::vector<redis_reply> elements{};  // array

  bool is_error() const { return type == kind::error; }
};

// One connection to Redis driven by the event loop: hiredis's asynchronous API, with its socket
// watched through an Asio descriptor, so neither connecting, nor a command, nor a slow Redis
// ever blocks the loop. The name is resolved by Asio (hiredis would block on getaddrinfo).
//
// Replies come back in the order the commands were sent. When the connection is lost (or never
// made), every command still waiting is answered once with `nullptr`, and `lost` is called once;
// the connection is then finished, and its owner makes a new one to reconnect. The owner may
// let go of the connection in `lost` (or later), not in a reply or message callback.
//
// What a slow or unreachable Redis can make the server hold is bounded: beyond `max_pending`
// commands or `max_pending_bytes` of their arguments, command() refuses at once.
class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  using reply_fn = std::function<void(const redis_reply* reply)>;  // nullptr: connection lost
  using message_fn = std::function<void(std::string_view channel, std::string_view payload)>;

  struct options {
    std::chrono::milliseconds connect_timeout{2000};
    std::size_t max_pending = 65536;
    std::size_t max_pending_bytes = 64u << 20;
  };
  struct handlers {
    std::function<void()> connected;  // after AUTH and SELECT, ready for commands
    std::function<void(const std::string& why)> lost;
  };

  static std::shared_ptr<redis_connection> create(boost::asio::io_context& io,
                                                  redis_endpoint endpoint, options opts,
                                                  handlers on);
  ~redis_connection();
  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  void start();
  bool connected() const { return state_ == state::ready; }

  // Sends one command; false (and `on_reply` is never called) when the connection is not ready
  // or the bound is reached.
  bool command(const std::vector<std::string_view>& args, reply_fn on_reply);
  // SUBSCRIBE: `on_message` gets every message published on these channels from now on (until
  // the connection is lost). A subscribed connection takes no other commands (Redis's rule).
  bool subscribe(const std::vector<std::string>& channels, message_fn on_message,
                 std::function<void()> subscribed);

  // Closes the connection without calling `lost` or any reply callback.
  void close();

  std::size_t pending() const { return waiting_.size(); }

 private:
  enum class state { idle, resolving, connecting, authenticating, ready, finished };
  struct watcher;
  struct waiting {
    reply_fn on_reply;
    std::size_t bytes = 0;
  };

  redis_connection(boost::asio::io_context& io, redis_endpoint endpoint, options opts,
                   handlers on);
  void connect_to(const boost::asio::ip::tcp::endpoint& address);
  void on_connected(int status);
  void authenticate();
  void become_ready();
  bool send(const std::vector<std::string_view>& args, reply_fn on_reply);
  void fail(const std::string& why);
  void free_context();
  void let_hiredis_free(const redisAsyncContext* context);

  static void on_connect_callback(const redisAsyncContext* context, int status);
  static void on_disconnect_callback(const redisAsyncContext* context, int status);
  static void on_reply_callback(redisAsyncContext* context, void* reply, void* privdata);
  static void on_message_callback(redisAsyncContext* context, void* reply, void* privdata);

  boost::asio::io_context& io_;
  redis_endpoint endpoint_;
  options options_;
  handlers handlers_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  std::shared_ptr<watcher> watcher_;
  redisAsyncContext* context_ = nullptr;
  state state_ = state::idle;
  bool closing_ = false;  // close() or the destructor: no callback may reach the owner
  std::deque<waiting> waiting_;  // commands sent, in order, until their replies come
  std::size_t pending_bytes_ = 0;
  message_fn on_message_;
  std::vector<std::unique_ptr<std::function<void()>>> subscriptions_;
  std::size_t subscribed_left_ = 0;  // channels Redis has yet to confirm
};

// The reply as hiredis gave it, copied (exposed for tests of the conversion).
redis_reply copy_reply(const redisReply& reply);

}  // namespace chatterbox
