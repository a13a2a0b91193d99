#pragma once

#include "chatterbox/bus/bus_event.hpp"
#include "chatterbox/bus/event_sequencer.hpp"
#include "chatterbox/bus/redis_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chatterbox {

// The bus between nodes (`--bus redis://…`, docs/scale-out.md): this node's committed events
// go to every node, and every node's events reach this node's clients in seq order, each once,
// whatever Redis does in between.
//
// - publish() (after a commit) hands the events to this node's own delivery at once, through the
//   sequencer, and PUBLISHes them; the echo that comes back from Redis is dropped there as a
//   repeat. A publish that fails (Redis down) is not retried: the store has the events, and the
//   other nodes find them (below).
// - What arrives on the channel goes through the same sequencer (event_sequencer): in order,
//   without repeats, gaps filled from the store.
// - Once a second (and whenever the subscription is made again) the store's latest seq is read:
//   events committed but never published (a node that died in between, Redis down) are found
//   that way and read from the store.
// - A lost Redis connection is made again, with backoff (100 ms doubling to 5 s); meanwhile this
//   node still delivers its own events and, through the latest-seq check, everyone else's.
class redis_bus {
 public:
  using fetched = std::optional<std::pair<std::vector<bus_event>, std::int64_t>>;
  // How the bus reads the store (the authority). Each answers once, possibly later.
  struct store_access {
    // The events after `after` in seq order (a page), and the seq that page is complete to;
    // nullopt when the store failed.
    std::function<void(std::int64_t after, std::function<void(fetched)>)> events_after;
    // The latest committed seq; nullopt when the store failed.
    std::function<void(std::function<void(std::optional<std::int64_t>)>)> latest_seq;
  };
  struct options {
    std::string channel = "chatterbox:events";
    std::string signals_channel = "chatterbox:signals";
    std::chrono::milliseconds gap_wait{100};
    std::chrono::milliseconds latest_check{1000};
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
    std::size_t max_held = 10000;
  };
  using deliver_fn = std::function<void(const bus_event&)>;
  // Signals (typing, receipts, presence: docs/scale-out.md) ride the same connections on a
  // channel of their own, best effort: nothing is kept or replayed.
  using signal_fn = std::function<void(std::string_view payload)>;

  // `delivered`: the seq this node has already delivered up to (the store's latest at startup).
  redis_bus(boost::asio::io_context& io, redis_endpoint endpoint, std::int64_t delivered,
            options opts, store_access store, deliver_fn deliver);
  ~redis_bus();
  redis_bus(const redis_bus&) = delete;
  redis_bus& operator=(const redis_bus&) = delete;

  void start();
  // The server is stopping: the connections close and no timer keeps the event loop alive.
  void stop();
  void publish(std::vector<bus_event> events);

  // Before start(): where signals from the signals channel go, and what runs each time the bus
  // is connected (again).
  void on_signal(signal_fn fn) { on_signal_ = std::move(fn); }
  void on_connected(std::function<void()> fn) { on_connected_ = std::move(fn); }
  // false when Redis is not reachable now (the signal is dropped).
  bool publish_signal(std::string_view payload);
  // A command on the publishing connection, so it runs in order with this node's PUBLISHes;
  // false (and `on_reply` never called) when Redis is not reachable now.
  bool command(const std::vector<std::string_view>& args, redis_connection::reply_fn on_reply);

  bool connected() const { return subscribed_; }
  std::int64_t delivered() const { return sequencer_.delivered(); }
  std::size_t published() const { return published_; }
  std::size_t publish_failures() const { return publish_failures_; }
  std::size_t store_reads() const { return sequencer_.fetches(); }
  std::size_t reconnects() const { return reconnects_; }

 private:
  void connect();
  void on_ready();
  void on_lost(const std::string& why);
  void on_message(std::string_view channel, std::string_view payload);
  void check_latest();
  void schedule_tick();
  void schedule_latest_check();

  boost::asio::io_context& io_;
  redis_endpoint endpoint_;
  options options_;
  store_access store_;
  signal_fn on_signal_;
  std::function<void()> on_connected_;
  event_sequencer<bus_event> sequencer_;
  std::shared_ptr<redis_connection> publisher_;
  std::shared_ptr<redis_connection> subscriber_;
  std::uint64_t attempt_ = 0;
  int ready_ = 0;  // connections of this attempt that are ready (2: both)
  bool subscribed_ = false;
  bool stopped_ = false;
  std::chrono::milliseconds backoff_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer latest_timer_;
  // Store answers may come after this bus is gone: they check this first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::size_t published_ = 0;
  std::size_t publish_failures_ = 0;
  std::size_t reconnects_ = 0;
};

}  // namespace chatterbox
