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
#include <vector>

namespace chatterbox::bench {

// `hello`: the cost of connecting for a user in many rooms. Setup (not timed): the probe user
// makes sure it is in `rooms` private rooms (`create_room` with a partner account), and the
// partner posts `messages_per_room` messages in each (the first mentions the probe user), so
// every room has unread messages and a mention to count. Then, one connection at a time: TCP
// connect, upgrade (101), `hello` — whose rooms carry the unread counts the server computed for
// the connect — timed, then closed. Every other connection is a baseline user in `general` only:
// the difference of the two is what the 200 rooms cost (their unread counts and their JSON).
// The server writes the 101 and the hello together, so connect -> hello is the measure.
class hello_probe : public connection_observer {
 public:
  hello_probe(bench_options options, std::string user, std::string token, std::string partner,
              std::string partner_token, std::string baseline_token);

  report run();
  bool healthy() const;

  void on_open(ws_connection& c) override;
  void on_frame(ws_connection& c, std::string_view frame) override;
  void on_closed(ws_connection& c, const std::string& why, bool expected, bool was_open) override;

 private:
  using clock = std::chrono::steady_clock;
  enum class stage { rooms, posting, probing, done };

  std::shared_ptr<ws_connection> open(const std::string& token, std::size_t index);
  void fail(const std::string& why);
  void on_setup_hello(ws_connection& c, std::string_view event);
  void on_partner_hello(ws_connection& c, std::string_view event);
  void begin_posting();
  void begin_probing();
  void start_next();
  void finish_attempt(bool ok, const std::string& why);
  void arm(std::chrono::milliseconds bound);

  bench_options o_;
  std::string user_, token_, partner_, partner_token_, baseline_token_;
  boost::asio::io_context io_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<ws_connection> current_;
  stage stage_ = stage::rooms;
  std::string failure_;

  // setup
  std::string nonce_;
  std::size_t rooms_missing_ = 0;
  std::size_t posts_pending_ = 0;
  clock::time_point setup_start_, setup_end_;

  // probing
  std::size_t attempt_ = 0;  // index of the current connection (1-based)
  std::size_t done_ = 0;
  std::size_t failures_ = 0;
  std::string last_failure_;
  bool attempt_over_ = true;
  clock::time_point t_start_, t_open_;
  bool baseline_attempt_ = false;  // this connection is the baseline user's
  histogram connect_to_hello_, upgrade_, open_to_hello_, baseline_;
  std::size_t rooms_in_hello_ = 0, unread_rooms_ = 0, mention_rooms_ = 0, hello_bytes_ = 0;
  std::size_t short_hellos_ = 0;  // hellos listing fewer rooms than the user is in
};

}  // namespace chatterbox::bench
