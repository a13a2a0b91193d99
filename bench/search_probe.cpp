#include "search_probe.hpp"

#include "json_scan.hpp"

#include <algorithm>

namespace chatterbox::bench {
namespace {

// Results in a `search` answer: each has exactly one "snippet" key, and a JSON string cannot
// hold an unescaped `"snippet":`.
std::size_t count_results(std::string_view event) {
  std::size_t count = 0;
  for (auto at = event.find("\"snippet\":"); at != std::string_view::npos;
       at = event.find("\"snippet\":", at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

search_probe::search_probe(bench_options options, std::string token)
    : o_(std::move(options)), token_(std::move(token)), deadline_(io_) {}

report search_probe::run() {
  connection_target target;
  target.host = o_.host;
  target.port = o_.port;
  target.token = token_;
  target.setup_timeout = std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000));
  target.ping_idle = std::chrono::milliseconds(static_cast<long>(o_.ping_idle_s * 1000));
  connection_ = std::make_shared<ws_connection>(io_, *this, 0);
  deadline_.expires_after(target.setup_timeout * 2 +
                          std::chrono::seconds(1) * static_cast<long>(o_.iterations));
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) stop("timed out");
  });
  connection_->start(target);
  io_.run();

  report r("search");
  r.add("iterations", static_cast<double>(o_.iterations));
  r.add("completed", static_cast<double>(done_));
  r.add("search_words", static_cast<double>(o_.search_words), "most frequent words drawn from");
  r.add("mean_results", done_ ? static_cast<double>(results_) / static_cast<double>(done_) : 0,
        "per query (limit 20)");
  r.add("empty", static_cast<double>(empty_), "queries with no result");
  if (!failure_.empty()) r.add("failure", failure_);
  r.add("search_p50_ms", ms(latency_.percentile(0.5)), "ms");
  r.add("search_p90_ms", ms(latency_.percentile(0.9)), "ms");
  r.add("search_p99_ms", ms(latency_.percentile(0.99)), "ms");
  r.add("search_max_ms", ms(latency_.max()), "ms");
  return r;
}

bool search_probe::healthy() const { return failure_.empty() && done_ == o_.iterations; }

void search_probe::on_open(ws_connection&) {}

void search_probe::next_query() {
  if (done_ >= o_.iterations) return stop("");
  const auto pick = [&] {
    std::size_t rank = words_.sample(random_);
    while (rank >= std::min(o_.search_words, words_.size())) rank = words_.sample(random_);
    return words_.word(rank);
  };
  const auto query = pick() + " " + pick();
  sent_ = clock::now();
  connection_->send(R"({"type":"search","limit":20,"query":")" + query + "\"}");
}

void search_probe::on_frame(ws_connection&, std::string_view frame) {
  if (stopped_) return;
  const auto now = clock::now();
  for_each_event(frame, [&](std::string_view event) {
    if (stopped_) return;
    const auto type = find_string(event, "type");
    if (!type) return;
    if (*type == "hello") return next_query();
    if (*type == "error") return stop("error frame: " + std::string(event.substr(0, 200)));
    if (*type != "search") return;
    latency_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - sent_).count()));
    const auto found = count_results(event);
    results_ += found;
    if (found == 0) ++empty_;
    ++done_;
    next_query();
  });
}

void search_probe::on_closed(ws_connection&, const std::string& why, bool expected, bool) {
  if (!expected) stop(why);
  deadline_.cancel();
}

void search_probe::stop(const std::string& failure) {
  if (stopped_) return;
  stopped_ = true;
  failure_ = failure;
  deadline_.cancel();
  connection_->close();
}

}  // namespace chatterbox::bench
