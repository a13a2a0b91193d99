#include "resume_probe.hpp"

#include "json_scan.hpp"

#include <algorithm>

namespace chatterbox::bench {
resume_probe::resume_probe(bench_options options, std::string token)
    : o_(std::move(options)), token_(std::move(token)), deadline_(io_) {}

report resume_probe::run() {
  connection_target target;
  target.host = o_.host;
  target.port = o_.port;
  target.token = token_;
  target.setup_timeout = std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000));
  target.ping_idle = std::chrono::milliseconds(static_cast<long>(o_.ping_idle_s * 1000));
  connection_ = std::make_shared<ws_connection>(io_, *this, 0);
  // One bound for the whole probe: every round must fit in it.
  deadline_.expires_after(target.setup_timeout * (1 + static_cast<long>(o_.iterations)));
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) stop("timed out");
  });
  connection_->start(target);
  io_.run();

  report r("resume");
  r.add("iterations", static_cast<double>(o_.iterations));
  r.add("completed", static_cast<double>(rounds_done_));
  r.add("missed", static_cast<double>(o_.missed), "messages to catch up on");
  r.add("messages_received", static_cast<double>(last_messages_), "per catch-up (last)");
  r.add("sync_requests", static_cast<double>(last_requests_), "per catch-up (last)");
  r.add("wrong_counts", static_cast<double>(wrong_counts_), "catch-ups with != missed messages");
  if (!failure_.empty()) r.add("failure", failure_);
  r.add("resume_p50_ms", ms(catch_up_.percentile(0.5)), "ms");
  r.add("resume_p90_ms", ms(catch_up_.percentile(0.9)), "ms");
  r.add("resume_p99_ms", ms(catch_up_.percentile(0.99)), "ms");
  r.add("resume_max_ms", ms(catch_up_.max()), "ms");
  return r;
}

bool resume_probe::healthy() const {
  return failure_.empty() && rounds_done_ == o_.iterations && wrong_counts_ == 0;
}

void resume_probe::on_open(ws_connection&) {}

void resume_probe::start_round() {
  if (rounds_done_ >= o_.iterations) return stop("");
  round_messages_ = 0;
  round_requests_ = 0;
  round_start_ = clock::now();
  request(std::max<std::int64_t>(0, hello_seq_ - static_cast<std::int64_t>(o_.missed)));
}

void resume_probe::request(std::int64_t since) {
  ++round_requests_;
  connection_->send(R"({"type":"sync","since":)" + std::to_string(since) + "}");
}

void resume_probe::on_frame(ws_connection&, std::string_view frame) {
  if (stopped_) return;
  const auto now = clock::now();
  for_each_event(frame, [&](std::string_view event) {
    if (stopped_) return;
    const auto type = find_string(event, "type");
    if (!type) return;
    if (*type == "hello" && hello_seq_ < 0) {
      hello_seq_ = find_int(event, "seq").value_or(0);
      return start_round();
    }
    if (*type == "error") return stop("error frame: " + std::string(event.substr(0, 200)));
    if (*type != "sync") return;
    round_messages_ += count_messages(event);
    const auto seq = find_int(event, "seq");
    const auto more = find_bool(event, "has_more");
    if (!seq || !more) return stop("sync without seq/has_more");
    if (*more) return request(*seq);
    catch_up_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - round_start_).count()));
    last_messages_ = round_messages_;
    last_requests_ = round_requests_;
    if (round_messages_ != std::min<std::size_t>(o_.missed, static_cast<std::size_t>(hello_seq_))) {
      ++wrong_counts_;
    }
    ++rounds_done_;
    start_round();
  });
}

void resume_probe::on_closed(ws_connection&, const std::string& why, bool expected, bool) {
  if (!expected) stop(why);
  deadline_.cancel();
}

void resume_probe::stop(const std::string& failure) {
  if (stopped_) return;
  stopped_ = true;
  failure_ = failure;
  deadline_.cancel();
  connection_->close();
}

}  // namespace chatterbox::bench
