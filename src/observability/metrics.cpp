#include "chatterbox/observability/metrics.hpp"

#include <fmt/format.h>

namespace chatterbox {

server_metrics& metrics() {
  static server_metrics instance;
  return instance;
}

void server_metrics::record_commit(std::chrono::microseconds took) {
  const double seconds = static_cast<double>(took.count()) / 1e6;
  std::size_t bucket = 0;
  while (bucket < commit_buckets.size() && seconds > commit_buckets[bucket]) ++bucket;
  ++commit_counts[bucket];
  commit_seconds_sum += seconds;
}

namespace {

struct sample {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  double value;
};

double as_double(std::uint64_t value) { return static_cast<double>(value); }

}  // namespace

std::string render_prometheus(const server_metrics& m, const live_gauges& live) {
  const sample samples[] = {
      {"chatterbox_open_connections", "gauge", "Open WebSocket connections.",
       as_double(live.open_connections)},
      {"chatterbox_online_users", "gauge", "Users with at least one open connection.",
       as_double(live.online_users)},
      {"chatterbox_messages_stored_total", "counter", "Messages stored since start.",
       as_double(m.messages_stored)},
      {"chatterbox_frames_in_total", "counter", "WebSocket frames received.", as_double(m.frames_in)},
      {"chatterbox_frames_out_total", "counter", "Events sent to clients.", as_double(m.frames_out)},
      {"chatterbox_writes_out_total", "counter",
       "WebSocket messages written (each may carry several events).", as_double(m.writes_out)},
      {"chatterbox_bytes_out_total", "counter", "WebSocket payload bytes sent.",
       as_double(m.bytes_out)},
      {"chatterbox_send_queue_high_water_frames", "gauge", "Most frames ever queued for one client.",
       as_double(m.queue_high_water)},
      {"chatterbox_slow_client_disconnects_total", "counter",
       "Clients closed for falling too far behind.", as_double(m.slow_client_disconnects)},
      {"chatterbox_rate_limited_total", "counter", "Requests refused by a rate limit.",
       as_double(m.rate_limited)},
      {"chatterbox_logins_total", "counter", "Successful logins.", as_double(m.logins)},
      {"chatterbox_login_failures_total", "counter", "Logins refused for a wrong password.",
       as_double(m.login_failures)},
      {"chatterbox_connections_refused_total", "counter",
       "WebSocket upgrades refused by a connection cap.", as_double(m.connections_refused)},
      {"chatterbox_writes_refused_total", "counter",
       "Database writes refused: locked by another process, database full, or I/O errors.",
       as_double(m.writes_refused)},
      {"chatterbox_handler_exceptions_total", "counter",
       "Unexpected exceptions caught by the event loop (each one a bug to report).",
       as_double(m.handler_exceptions)},
      {"chatterbox_write_timeouts_total", "counter",
       "WebSockets closed because nothing they were sent was read for too long.",
       as_double(m.write_timeouts)},
      {"chatterbox_wal_checkpoints_total", "counter",
       "SQLite WAL checkpoints run by the background checkpointer.",
       as_double(m.wal_checkpoints.load(std::memory_order_relaxed))},
      {"chatterbox_event_loop_max_stall_seconds", "gauge",
       "Longest delay seen by the event-loop stall probe.",
       static_cast<double>(m.max_loop_stall.count()) / 1e6},
  };
  std::string out;
  for (const auto& s : samples) {
    fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", s.name,
                   s.help, s.type, s.value);
  }

  out += "# HELP chatterbox_sqlite_commit_seconds SQLite group-commit latency.\n";
  out += "# TYPE chatterbox_sqlite_commit_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < m.commit_counts.size(); ++i) {
    cumulative += m.commit_counts[i];
    const auto bound = i < server_metrics::commit_buckets.size()
                           ? fmt::format("{}", server_metrics::commit_buckets[i])
                           : std::string("+Inf");
    fmt::format_to(std::back_inserter(out), "chatterbox_sqlite_commit_seconds_bucket{{le=\"{}\"}} {}\n",
                   bound, cumulative);
  }
  fmt::format_to(std::back_inserter(out), "chatterbox_sqlite_commit_seconds_sum {}\n",
                 m.commit_seconds_sum);
  fmt::format_to(std::back_inserter(out), "chatterbox_sqlite_commit_seconds_count {}\n", cumulative);
  return out;
}

}  // namespace chatterbox
