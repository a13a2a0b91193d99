#pragma once

#include "histogram.hpp"
#include "options.hpp"
#include "report.hpp"
#include "ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace chatterbox::bench {

// `join`: one connection at a time — TCP connect, upgrade, `hello`, first `history` — timed
// from the connect call to the history frame, then closed before the next one starts.
class join_probe : public connection_observer {
 public:
  join_probe(bench_options options, std::string token);

  report run();
  bool healthy() const { return failures_ == 0 && done_ == o_.iterations; }

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  using clock = std::chrono::steady_clock;
  void start_next();
  void finish_attempt(bool ok, const std::string& why);

  bench_options o_;
  std::string token_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<ws_connection> current_;
  std::size_t started_ = 0;
  std::size_t done_ = 0;
  std::size_t failures_ = 0;
  std::string last_failure_;
  bool got_hello_ = false;
  bool attempt_over_ = true;
  clock::time_point t_start_, t_open_, t_hello_;
  histogram total_, upgrade_, hello_to_history_;
  std::size_t history_messages_ = 0;
};

}  // namespace chatterbox::bench
