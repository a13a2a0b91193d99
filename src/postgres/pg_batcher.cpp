#include "chatterbox/postgres/pg_batcher.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace chatterbox {

namespace asio = boost::asio;

pg_batcher::pg_batcher(asio::io_context& io, std::string conninfo)
    : pg_batcher(io, std::move(conninfo), limits{}, handlers{}) {}

pg_batcher::pg_batcher(asio::io_context& io, std::string conninfo, limits limits, handlers on)
    : io_(io),
      conninfo_(std::move(conninfo)),
      limits_(limits),
      handlers_(std::move(on)),
      reconnect_timer_(io),
      unavailable_timer_(io),
      reconnect_delay_(limits.reconnect_min) {}

// What is still waiting is dropped unanswered: the loop is ending with the batcher.
pg_batcher::~pg_batcher() {
  *alive_ = false;
  if (connection_) connection_->close();
}

void pg_batcher::start() {
  down_since_ = std::chrono::steady_clock::now();
  refuse_waiting();  // arms the timer: writes wait for the first connection as for any other
  connect();
}

void pg_batcher::stop() {
  stopping_ = true;
  close_when_idle();
}

void pg_batcher::close_when_idle() {
  if (!stopping_ || closed_ || !pending_.empty() || in_flight_ > 0) return;
  closed_ = true;
  reconnect_timer_.cancel();
  unavailable_timer_.cancel();
  if (connection_) connection_->close();
  connection_.reset();
}

void pg_batcher::connect() {
  // The batcher bounds what it holds itself (max_pending, max_in_flight batches), so the
  // connection takes every statement it is given: a segment is never cut short by its bounds.
  pg_connection::options options;
  options.max_pending = std::numeric_limits<std::size_t>::max();
  options.max_pending_bytes = std::numeric_limits<std::size_t>::max();
  connection_ = pg_connection::create(io_, conninfo_, options,
                                      {.connected = [this] { on_connected(); },
                                       .lost = [this](const std::string& why) { on_lost(why); }});
  connection_->start();
}

void pg_batcher::on_connected() {
  reconnect_delay_ = limits_.reconnect_min;
  down_since_.reset();
  unavailable_timer_.cancel();
  if (handlers_.connected) handlers_.connected();
  flush();
}

void pg_batcher::on_lost(const std::string& why) {
  if (handlers_.lost) handlers_.lost(why);
  if (!down_since_) {
    down_since_ = std::chrono::steady_clock::now();
    refuse_waiting();
  }
  reconnect_timer_.expires_after(reconnect_delay_);
  reconnect_delay_ = std::min(reconnect_delay_ * 2, limits_.reconnect_max);
  reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    connect();
  });
}

// While the server is away, waiting writes are refused once the oldest moment they could have
// been stored has passed `unavailable_wait`; this arms (or fires) that.
void pg_batcher::refuse_waiting() {
  if (!down_since_) return;
  const auto deadline = *down_since_ + limits_.unavailable_wait;
  if (std::chrono::steady_clock::now() < deadline) {
    unavailable_timer_.expires_at(deadline);
    unavailable_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      if (ec || !*alive) return;
      refuse_waiting();
    });
    return;
  }
  auto waiting = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  if (!waiting.empty()) log_failed_batch("PostgreSQL is unavailable", waiting.size());
  for (auto& j : waiting) refuse(j);
  close_when_idle();
}

void pg_batcher::submit(std::string sql, pg_connection::parameters params, then_fn then) {
  std::size_t bytes = sql.size();
  for (const auto& p : params) bytes += p ? p->size() : 0;
  const bool gave_up = down_since_ && std::chrono::steady_clock::now() >=
                                          *down_since_ + limits_.unavailable_wait;
  if (closed_ || gave_up || pending_.size() >= limits_.max_pending ||
      pending_bytes_ + bytes > limits_.max_pending_bytes) {
    ++refused_;
    // Never inside submit(): the caller's continuation runs on a later turn, as a stored one does.
    asio::post(io_, [j = job{{}, {}, std::move(then), 0}]() mutable { answer(j, nullptr); });
    return;
  }
  pending_.push_back({std::move(sql), std::move(params), std::move(then), bytes});
  pending_bytes_ += bytes;
  post_flush();
}

// The writes submitted in this turn of the loop go together: the flush runs after them.
void pg_batcher::post_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(io_, [this, alive = alive_] {
    if (!*alive) return;
    flush_posted_ = false;
    flush();
  });
}

void pg_batcher::flush() {
  while (connected() && in_flight_ < limits_.max_in_flight && !pending_.empty()) {
    auto b = std::make_shared<batch>();
    const auto n = std::min(limits_.max_jobs, pending_.size());
    b->jobs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      pending_bytes_ -= pending_.front().bytes;
      b->jobs.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    b->results.resize(n);
    send(std::move(b));
  }
}

void pg_batcher::send(std::shared_ptr<batch> b) {
  ++in_flight_;
  // Held: a lost connection answers (and may drop) everything from inside query() or sync().
  auto connection = connection_;
  bool sent = true;
  for (std::size_t i = 0; i < b->jobs.size() && sent; ++i) {
    sent = connection->query(b->jobs[i].sql, b->jobs[i].params,
                             [b, i](const pg_result* r) {
                               if (r != nullptr) b->results[i] = *r;
                             });
  }
  sent = sent && connection->sync([this, alive = alive_, b](bool reached) {
    if (*alive) finish(b, reached);
  });
  // Only a connection that has just failed refuses; nothing of this segment was committed
  // (no sync reached the server), and its waiting statements were answered with nullptr.
  if (!sent) finish(b, false);
}

namespace {

// Deadlocks between nodes' batches are expected (two batches touching the same rows, a token
// or a read marker, in different orders); PostgreSQL rolls one back whole, so it runs again.
bool may_run_again(const std::optional<pg_result>& failed) {
  return failed && (failed->sqlstate == "40P01" || failed->sqlstate == "40001");
}

}  // namespace

void pg_batcher::finish(const std::shared_ptr<batch>& shared, bool committed) {
  --in_flight_;
  auto& b = *shared;
  const auto bad = std::find_if(b.results.begin(), b.results.end(),
                                [](const auto& r) { return !r || !r->ok; });
  const auto cause = std::find_if(b.results.begin(), b.results.end(),
                                  [](const auto& r) { return r && !r->ok && !r->aborted; });
  if (committed && bad != b.results.end() && cause != b.results.end() && may_run_again(*cause) &&
      b.retries < limits_.max_retries && connected()) {
    ++b.retries;
    ++retried_;
    spdlog::debug("postgres: a batch of {} write(s) runs again: {}", b.jobs.size(),
                  (*cause)->error);
    for (auto& r : b.results) r.reset();
    return send(shared);
  }
  if (committed && bad == b.results.end()) {
    ++batches_;
    for (std::size_t i = 0; i < b.jobs.size(); ++i) answer(b.jobs[i], &*b.results[i]);
  } else {
    log_failed_batch(!committed               ? std::string("the connection to PostgreSQL was lost")
                     : bad->has_value()       ? (*bad)->error
                                              : std::string("a statement was not answered"),
                     b.jobs.size());
    for (auto& j : b.jobs) refuse(j);
  }
  post_flush();
  close_when_idle();
}

void pg_batcher::refuse(job& j) {
  ++refused_;
  answer(j, nullptr);
}

void pg_batcher::answer(job& j, const pg_result* result) {
  // The one place answers run: whatever one of them throws, the others still get theirs and
  // nothing reaches the event loop.
  try {
    j.then(result);
  } catch (const std::exception& e) {
    spdlog::error("postgres: the answer to a statement failed: {}", e.what());
  }
}

void pg_batcher::log_failed_batch(const std::string& why, std::size_t writes) {
  std::size_t suppressed = 0;
  if (!failure_log_.admit(suppressed)) return;
  spdlog::error("postgres: {} write(s) refused: {}{}", writes, why,
                suppressed ? fmt::format(" ({} more refusals not logged)", suppressed) : "");
}

}  // namespace chatterbox
