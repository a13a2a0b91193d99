#pragma once

#include "histogram.hpp"
#include "options.hpp"
#include "report.hpp"
#include "vocabulary.hpp"
#include "ws_connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace chatterbox::bench {

// `search`: on one connection, one two-word search at a time (words of the seed's vocabulary,
// drawn from its `--search-words` most frequent), timed from the request to its answer.
class search_probe : public connection_observer {
 public:
  search_probe(bench_options options, std::string token);

  report run();
  bool healthy() const;

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  using clock = std::chrono::steady_clock;
  void next_query();
  void stop(const std::string& failure);

  bench_options o_;
  std::string token_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<ws_connection> connection_;
  vocabulary words_;
  std::mt19937_64 random_{7};
  std::size_t done_ = 0;
  std::size_t results_ = 0;
  std::size_t empty_ = 0;
  bool stopped_ = false;
  std::string failure_;
  clock::time_point sent_;
  histogram latency_;
};

}  // namespace chatterbox::bench
