#pragma once

#include "histogram.hpp"
#include "options.hpp"
#include "report.hpp"
#include "ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace chatterbox::bench {

// `resume`: on one connection, repeatedly catch up on the last `missed` changes — `sync` from
// hello.seq - missed, then from each reply's seq while has_more — timed from the first request
// to the reply with has_more=false.
class resume_probe : public connection_observer {
 public:
  resume_probe(bench_options options, std::string token);

  report run();
  bool healthy() const;

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  using clock = std::chrono::steady_clock;
  void start_round();
  void request(std::int64_t since);
  void stop(const std::string& failure);

  bench_options o_;
  std::string token_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<ws_connection> connection_;
  std::int64_t hello_seq_ = -1;
  std::size_t rounds_done_ = 0;
  std::size_t round_messages_ = 0;
  std::size_t round_requests_ = 0;
  std::size_t last_messages_ = 0;
  std::size_t last_requests_ = 0;
  std::size_t wrong_counts_ = 0;
  bool stopped_ = false;
  std::string failure_;
  clock::time_point round_start_;
  histogram catch_up_;
};

}  // namespace chatterbox::bench
