#pragma once

#include "histogram.hpp"
#include "options.hpp"
#include "report.hpp"
#include "ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox::bench {

// The shared engine of `fanout`, `store` and `idle`: opens every connection (bounded
// parallelism), waits for each `hello`, then runs warm-up, a measured window and a drain on one
// io_context thread. Senders carry their send time in the message text; every `message` event
// received is one delivery whose latency is measured against it.
class load_run : public connection_observer {
 public:
  load_run(bench_options options, std::vector<std::string> tokens,
           std::vector<std::size_t> account_of);

  // `rooms`: sender s creates a private room with these other members (a JSON array of names)
  // once everyone is connected, and sends only there; each message then reaches the room's
  // members (sender included), not every connection. Without it every send goes to room 1.
  void set_rooms(std::vector<std::string> other_members_of_sender);

  // Runs to completion (every phase is bounded) and returns the results.
  report run();

  // No failed connect, error frame, unexpected disconnect or missing delivery, and the senders
  // (if any) got acks.
  bool healthy() const;

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  enum class phase { connecting, rooming, warmup, measuring, draining, closing, done };
  using clock = std::chrono::steady_clock;

  struct sender_state {
    std::deque<std::uint64_t> pending_ns;  // send times of unacked sends, oldest first
    std::uint64_t counter = 0;
    std::int64_t room = 1;  // where it sends (0: its room is not created yet)
  };
  struct connection_state {
    std::shared_ptr<ws_connection> connection;
    bool ready = false;    // hello received
    bool settled = false;  // ready or failed (counted against the setup)
  };

  void launch_more();
  void settle(std::size_t index);
  void begin_rooming();
  void on_room(std::size_t index, std::string_view event);
  std::uint64_t expected_deliveries() const;
  void begin_load();
  void begin_measuring();
  void end_measuring();
  void begin_closing();
  void schedule_tick();
  void on_tick();
  void pace_sends(clock::time_point now);
  bool try_send(std::size_t sender);
  void handle_event(std::size_t index, std::string_view event, std::uint64_t now_ns);
  std::uint64_t now_ns() const;
  bool drained() const;
  void fill_report(report& r) const;

  bench_options o_;
  std::vector<std::string> tokens_;
  std::vector<std::size_t> account_of_;
  std::string nonce_;
  std::string padding_;

  boost::asio::io_context io_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer phase_timer_;
  clock::time_point origin_ = clock::now();
  phase phase_ = phase::connecting;

  std::vector<connection_state> connections_;
  std::vector<sender_state> senders_;
  std::size_t next_to_launch_ = 0;
  std::size_t in_flight_connects_ = 0;
  std::size_t ready_ = 0;
  std::size_t settled_ = 0;
  std::size_t closed_ = 0;
  std::size_t connect_failures_ = 0;
  std::size_t disconnects_ = 0;
  std::map<std::string, std::size_t> close_reasons_;
  std::map<std::string, std::size_t> error_codes_;
  std::size_t next_sender_ = 0;

  // Rooms (empty: everyone in room 1)
  std::vector<std::string> room_members_;
  std::size_t rooms_ready_ = 0;
  clock::time_point rooms_start_, rooms_end_;

  // Setup
  clock::time_point setup_start_, setup_end_;
  histogram connect_latency_;  // start of connect -> hello
  std::vector<clock::time_point> connect_started_;

  // Pacing
  clock::time_point load_start_;
  std::uint64_t paced_ = 0;  // sends due so far (open loop)
  std::uint64_t skipped_ = 0;

  // Totals over the whole run and the measured window.
  std::uint64_t sent_total_ = 0;
  std::uint64_t acked_total_ = 0;
  std::uint64_t delivered_total_ = 0;
  std::uint64_t errors_total_ = 0;
  std::uint64_t sent_window_ = 0;
  std::uint64_t acked_window_ = 0;
  std::uint64_t delivered_window_ = 0;
  std::uint64_t frames_window_ = 0;  // WebSocket frames (an array frame counts once)
  std::uint64_t events_window_ = 0;
  histogram delivery_latency_;
  histogram ack_latency_;
  std::uint64_t last_ack_ns_ = 0;
  std::uint64_t max_ack_gap_ns_ = 0;
  std::size_t open_at_end_ = 0;

  clock::time_point measure_start_, measure_end_;
  double self_cpu_start_ = 0, self_cpu_end_ = 0;
  double server_cpu_start_ = 0, server_cpu_end_ = 0;
  double self_wait_start_ = 0, self_wait_end_ = 0;
  double server_wait_start_ = 0, server_wait_end_ = 0;
  std::uint64_t server_rss_before_ = 0, server_rss_after_ = 0;
  clock::time_point drain_deadline_;
  // The server's own counters (GET /metrics) at the edges of the measured window, if served.
  std::optional<std::map<std::string, double>> metrics_start_, metrics_end_;
};

}  // namespace chatterbox::bench
