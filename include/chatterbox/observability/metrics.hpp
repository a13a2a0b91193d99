#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace chatterbox {

// Counts of what the server did, for GET /metrics. Process-wide like any Prometheus registry;
// only the event-loop thread writes them, so plain integers suffice (the one exception, written
// by the checkpoint thread, is atomic).
struct server_metrics {
  std::uint64_t messages_stored = 0;
  std::uint64_t frames_in = 0;
  std::uint64_t frames_out = 0;  // events delivered (an array frame counts each event)
  std::uint64_t writes_out = 0;  // WebSocket messages written (one per write call)
  std::uint64_t bytes_out = 0;
  std::uint64_t queue_high_water = 0;  // most frames ever queued for one client
  std::uint64_t slow_client_disconnects = 0;
  std::uint64_t rate_limited = 0;
  std::uint64_t login_failures = 0;
  std::uint64_t logins = 0;
  std::uint64_t connections_refused = 0;
  std::uint64_t writes_refused = 0;      // database writes refused (locked elsewhere, full, I/O)
  std::uint64_t handler_exceptions = 0;  // exceptions caught at the event loop's safety net
  std::uint64_t write_timeouts = 0;      // WebSockets closed because their writes stopped moving
  std::chrono::microseconds max_loop_stall{0};
  std::atomic<std::uint64_t> wal_checkpoints{0};

  // SQLite commit latency histogram (upper bounds in seconds; the last bucket is +Inf).
  static constexpr std::array<double, 11> commit_buckets = {0.0001, 0.00025, 0.0005, 0.001,
                                                            0.0025, 0.005,   0.01,   0.025,
                                                            0.05,   0.1,     0.25};
  std::array<std::uint64_t, commit_buckets.size() + 1> commit_counts{};
  double commit_seconds_sum = 0;

  void record_commit(std::chrono::microseconds took);
};

server_metrics& metrics();

struct live_gauges {
  std::size_t open_connections;
  std::size_t online_users;
};

// Prometheus text exposition format 0.0.4.
std::string render_prometheus(const server_metrics& m, const live_gauges& live);

}  // namespace chatterbox
