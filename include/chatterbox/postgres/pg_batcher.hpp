#pragma once

#include "chatterbox/observability/log_throttle.hpp"
#include "chatterbox/postgres/pg_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {

// Group commit on PostgreSQL (docs/scale-out.md, "The event loop and the drivers"): the writes
// submitted while the event loop is busy go out as one pipeline segment — their statements, then
// one sync — and share one commit; a write's continuation runs only once the server has
// confirmed that commit, so an `ack` still means committed.
//
// Each write is one statement (one of pg_schema's write functions) whose expected refusals are
// answers, not errors. A statement that fails is therefore unexpected, and PostgreSQL undoes its
// whole segment: every write of that batch is refused and none is half-applied, as a failed
// batch on SQLite (write_batcher).
//
// Batches are pipelined: the next is sent while earlier ones commit, up to `max_in_flight`.
// The connection is the batcher's own. When it is lost, the writes in flight are refused (their
// commit is unknown; a resend is answered by the store's duplicate check) and it reconnects with
// backoff. Writes submitted while it is down wait up to `unavailable_wait`, then are refused,
// and so is everything beyond `max_pending`: memory stays bounded while the database is away.
class pg_batcher {
 public:
  // The write's result once its batch has committed; nullptr when the write was refused.
  using then_fn = std::function<void(const pg_result* result)>;

  struct limits {
    std::size_t max_jobs = 512;  // writes in one batch
    std::size_t max_in_flight = 4;
    // A batch PostgreSQL rolled back to break a deadlock with another node's (or failed to
    // serialise) is run again whole, this many times at most.
    int max_retries = 3;
    std::chrono::milliseconds unavailable_wait{5000};
    std::size_t max_pending = 65536;
    std::size_t max_pending_bytes = 64u << 20;  // of statements and parameters
    std::chrono::milliseconds reconnect_min{100};
    std::chrono::milliseconds reconnect_max{5000};
  };
  struct handlers {
    std::function<void()> connected;                         // each time it (re)connects
    std::function<void(const std::string& why)> lost;        // each time it loses the server
  };

  pg_batcher(boost::asio::io_context& io, std::string conninfo);
  pg_batcher(boost::asio::io_context& io, std::string conninfo, limits limits, handlers on);
  ~pg_batcher();
  pg_batcher(const pg_batcher&) = delete;
  pg_batcher& operator=(const pg_batcher&) = delete;

  void start();
  // The server is stopping: what is pending and in flight still commits (or is refused as
  // usual), then the connection closes, so the event loop can end. Later writes are refused.
  void stop();
  void submit(std::string sql, pg_connection::parameters params, then_fn then);

  bool connected() const { return connection_ && connection_->connected(); }
  std::size_t batches_committed() const { return batches_; }
  std::size_t batches_retried() const { return retried_; }
  std::size_t writes_refused() const { return refused_; }
  std::size_t pending() const { return pending_.size(); }
  std::size_t in_flight() const { return in_flight_; }

 private:
  struct job {
    std::string sql;
    pg_connection::parameters params;
    then_fn then;
    std::size_t bytes = 0;
  };
  struct batch {
    std::vector<job> jobs;
    std::vector<std::optional<pg_result>> results;
    int retries = 0;
  };

  void connect();
  void on_connected();
  void on_lost(const std::string& why);
  void post_flush();
  void flush();
  void send(std::shared_ptr<batch> b);
  void finish(const std::shared_ptr<batch>& b, bool committed);
  void refuse(job& j);
  static void answer(job& j, const pg_result* result);
  void refuse_waiting();
  void log_failed_batch(const std::string& why, std::size_t writes);
  void close_when_idle();

  boost::asio::io_context& io_;
  std::string conninfo_;
  limits limits_;
  handlers handlers_;
  std::shared_ptr<pg_connection> connection_;
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer unavailable_timer_;
  std::chrono::milliseconds reconnect_delay_;
  std::optional<std::chrono::steady_clock::time_point> down_since_;
  std::deque<job> pending_;
  std::size_t pending_bytes_ = 0;
  std::size_t in_flight_ = 0;
  log_throttle failure_log_;
  bool flush_posted_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::size_t batches_ = 0;
  std::size_t retried_ = 0;
  std::size_t refused_ = 0;
};

}  // namespace chatterbox
