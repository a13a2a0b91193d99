#pragma once

#include "histogram.hpp"
#include "options.hpp"
#include "ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace chatterbox::bench {

// `storm`: every client (one account each) connects at once, and a failed attempt retries after
// a short pause, as a real client would, until it is live (its `hello` arrived) or the wave's
// deadline passes. The same clients can be waved in again (after a server restart).
class storm_run : public connection_observer {
 public:
  using clock = std::chrono::steady_clock;

  storm_run(bench_options options, std::vector<std::string> tokens);

  struct wave_result {
    std::size_t live = 0;
    std::size_t retries = 0;  // attempts after the first that failed
    double all_live_s = 0;    // first connect -> last hello (the deadline if not all live)
    histogram connect_to_hello;  // per client: its first attempt -> its hello, in µs
    std::map<std::string, std::size_t> failures;  // why attempts failed
  };

  // Connects every client to `port` at once and returns when all are live or `timeout` passed.
  wave_result connect_all(std::uint16_t port, std::chrono::milliseconds timeout);
  // Runs until the server has closed every connection (it is being stopped), bounded; returns
  // the close reasons.
  std::map<std::string, std::size_t> wait_all_closed(std::chrono::milliseconds timeout);
  // Closes every connection and waits for the closes, bounded.
  void close_all(std::chrono::milliseconds timeout);

  std::size_t open_count() const;

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  enum class mode { connecting, awaiting_close, closing };
  struct client {
    std::shared_ptr<ws_connection> connection;
    bool live = false;
    bool closed = true;
    clock::time_point first_attempt;
  };

  void attempt(std::size_t index);
  void run_until(clock::time_point deadline);
  void check_done();

  bench_options o_;
  std::vector<std::string> tokens_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  std::vector<client> clients_;
  mode mode_ = mode::connecting;
  std::uint16_t port_ = 0;
  std::size_t live_ = 0;
  std::size_t closed_ = 0;
  clock::time_point wave_start_, last_live_;
  wave_result* wave_ = nullptr;
  std::map<std::string, std::size_t> close_reasons_;
};

}  // namespace chatterbox::bench
