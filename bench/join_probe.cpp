#include "join_probe.hpp"

#include "json_scan.hpp"

#include <boost/asio/post.hpp>

namespace chatterbox::bench {
join_probe::join_probe(bench_options options, std::string token)
    : o_(std::move(options)), token_(std::move(token)), deadline_(io_) {}

report join_probe::run() {
  start_next();
  io_.run();
  report r("join");
  r.add("iterations", static_cast<double>(o_.iterations));
  r.add("completed", static_cast<double>(done_));
  r.add("failures", static_cast<double>(failures_));
  if (!last_failure_.empty()) r.add("last_failure", last_failure_);
  r.add("history_messages", static_cast<double>(history_messages_), "per join (last)");
  r.add("join_p50_ms", ms(total_.percentile(0.5)), "ms (connect -> history)");
  r.add("join_p90_ms", ms(total_.percentile(0.9)), "ms");
  r.add("join_p99_ms", ms(total_.percentile(0.99)), "ms");
  r.add("join_max_ms", ms(total_.max()), "ms");
  r.add("upgrade_p50_ms", ms(upgrade_.percentile(0.5)), "ms (connect -> 101)");
  r.add("upgrade_p99_ms", ms(upgrade_.percentile(0.99)), "ms");
  r.add("hello_to_history_p50_ms", ms(hello_to_history_.percentile(0.5)), "ms");
  r.add("hello_to_history_p99_ms", ms(hello_to_history_.percentile(0.99)), "ms");
  return r;
}

void join_probe::start_next() {
  if (started_ >= o_.iterations) {
    deadline_.cancel();
    return;
  }
  ++started_;
  attempt_over_ = false;
  got_hello_ = false;
  connection_target target;
  target.host = o_.host;
  target.port = o_.port;
  target.token = token_;
  target.setup_timeout = std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000));
  target.ping_idle = std::chrono::milliseconds(static_cast<long>(o_.ping_idle_s * 1000));
  current_ = std::make_shared<ws_connection>(io_, *this, started_);
  deadline_.expires_after(target.setup_timeout);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) finish_attempt(false, "timed out");
  });
  t_start_ = clock::now();
  current_->start(target);
}

void join_probe::finish_attempt(bool ok, const std::string& why) {
  if (attempt_over_) return;
  attempt_over_ = true;
  if (ok) {
    ++done_;
  } else {
    ++failures_;
    last_failure_ = why;
  }
  if (current_) current_->close();
  boost::asio::post(io_, [this] { start_next(); });
}

void join_probe::on_open(ws_connection&) {
  t_open_ = clock::now();
  upgrade_.record(micros(t_open_ - t_start_));
}

void join_probe::on_frame(ws_connection& c, std::string_view frame) {
  if (attempt_over_ || c.index() != started_) return;
  const auto now = clock::now();
  for_each_event(frame, [&](std::string_view event) {
    const auto type = find_string(event, "type");
    if (!type) return;
    if (*type == "hello") {
      got_hello_ = true;
      t_hello_ = now;
      // Protocol 2 sends only hello on connect; the client then asks for the room it shows.
      c.send(R"({"type":"history","room":1})");
    } else if (*type == "history" && got_hello_ && !attempt_over_) {
      total_.record(micros(now - t_start_));
      hello_to_history_.record(micros(now - t_hello_));
      history_messages_ = count_messages(event);
      finish_attempt(true, "");
    }
  });
}

void join_probe::on_closed(ws_connection& c, const std::string& why, bool expected, bool) {
  if (c.index() == started_ && !expected) finish_attempt(false, why);
}

}  // namespace chatterbox::bench
