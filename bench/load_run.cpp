#include "load_run.hpp"

#include "json_scan.hpp"
#include "process_stats.hpp"
#include "server_metrics.hpp"

#include <boost/asio/ip/address_v4.hpp>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace chatterbox::bench {
namespace {

namespace asio = boost::asio;

constexpr auto tick_period = std::chrono::microseconds(1000);
constexpr double max_drain_s = 10;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::string joined(const std::map<std::string, std::size_t>& counts) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [what, n] : counts) {
    out << (first ? "" : "; ") << what << " x" << n;
    first = false;
  }
  return out.str();
}

// The send time in a bench message text: "b<nanoseconds> xxxx...".
std::optional<std::uint64_t> sent_ns_of(std::string_view text) {
  if (text.empty() || text[0] != 'b') return std::nullopt;
  std::uint64_t ns = 0;
  const auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), ns);
  if (ec != std::errc()) return std::nullopt;
  return ns;
}

}  // namespace

load_run::load_run(bench_options options, std::vector<std::string> tokens,
                   std::vector<std::size_t> account_of)
    : o_(std::move(options)),
      tokens_(std::move(tokens)),
      account_of_(std::move(account_of)),
      tick_timer_(io_),
      phase_timer_(io_) {
  // A fresh prefix per run: a client_id the server has seen before is answered with its old
  // ack only, and a resend must never be mistaken for a new message.
  nonce_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
  padding_.assign(o_.text_bytes, 'x');
  connections_.resize(o_.connections);
  connect_started_.resize(o_.connections);
  senders_.resize(o_.senders);
}

void load_run::set_rooms(std::vector<std::string> other_members_of_sender) {
  room_members_ = std::move(other_members_of_sender);
  room_members_.resize(senders_.size(), "[]");
  for (auto& s : senders_) s.room = 0;
}

std::uint64_t load_run::now_ns() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - origin_).count());
}

report load_run::run() {
  if (const auto rss = process_rss_bytes(o_.server_pid)) server_rss_before_ = *rss;
  setup_start_ = clock::now();
  phase_timer_.expires_after(millis(o_.timeout_s + o_.connections / 500.0));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && phase_ == phase::connecting) begin_load();
  });
  if (o_.connections == 0) {
    begin_load();
  } else {
    launch_more();
  }
  io_.run();
  report r(o_.command);
  fill_report(r);
  return r;
}

void load_run::launch_more() {
  const std::size_t sources =
      o_.source_addresses > 0 ? o_.source_addresses : (o_.connections + 19999) / 20000;
  while (in_flight_connects_ < o_.connect_parallel && next_to_launch_ < o_.connections) {
    const std::size_t i = next_to_launch_++;
    connection_target target;
    target.host = o_.host;
    const auto node = i % (o_.more_ports.size() + 1);
    target.port = node == 0 ? o_.port : o_.more_ports[node - 1];
    target.token = tokens_[account_of_[i]];
    target.setup_timeout = millis(o_.timeout_s);
    target.ping_idle = millis(o_.ping_idle_s);
    if (sources > 1) {
      target.source = asio::ip::address_v4(0x7f000001u + static_cast<unsigned>(i % sources));
    }
    connections_[i].connection = std::make_shared<ws_connection>(io_, *this, i);
    connect_started_[i] = clock::now();
    ++in_flight_connects_;
    connections_[i].connection->start(target);
  }
}

void load_run::settle(std::size_t index) {
  auto& state = connections_[index];
  if (state.settled) return;
  state.settled = true;
  ++settled_;
  --in_flight_connects_;
  if (phase_ != phase::connecting) return;
  if (settled_ == o_.connections) return begin_load();
  launch_more();
}

void load_run::on_open(ws_connection&) {}

void load_run::on_frame(ws_connection& c, std::string_view frame) {
  const std::uint64_t now = now_ns();
  if (phase_ == phase::measuring) ++frames_window_;
  const bool ok =
      for_each_event(frame, [&](std::string_view event) { handle_event(c.index(), event, now); });
  if (!ok) {
    ++errors_total_;
    ++error_codes_["unparsable frame"];
  }
}

void load_run::handle_event(std::size_t index, std::string_view event, std::uint64_t now) {
  const bool measuring = phase_ == phase::measuring;
  if (measuring) ++events_window_;
  const auto type = find_string(event, "type");
  if (!type) {
    ++errors_total_;
    ++error_codes_["event without type"];
    return;
  }
  if (*type == "message") {
    const auto text = find_string(event, "text");
    const auto sent = text ? sent_ns_of(*text) : std::nullopt;
    if (!sent) return;  // someone else's message
    ++delivered_total_;
    if (measuring) {
      ++delivered_window_;
      delivery_latency_.record((now - std::min(now, *sent)) / 1000);
    }
    return;
  }
  if (*type == "ack") {
    if (index >= senders_.size() || senders_[index].pending_ns.empty()) return;
    auto& sender = senders_[index];
    const std::uint64_t sent = sender.pending_ns.front();
    sender.pending_ns.pop_front();
    ++acked_total_;
    if (measuring) {
      ++acked_window_;
      ack_latency_.record((now - std::min(now, sent)) / 1000);
      max_ack_gap_ns_ = std::max(max_ack_gap_ns_, now - std::min(now, last_ack_ns_));
      last_ack_ns_ = now;
    }
    if (o_.rate <= 0 && (phase_ == phase::warmup || measuring)) try_send(index);
    return;
  }
  if (*type == "room") return on_room(index, event);
  if (*type == "hello") {
    auto& state = connections_[index];
    if (state.ready) return;
    state.ready = true;
    ++ready_;
    connect_latency_.record(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       clock::now() - connect_started_[index])
                                       .count()));
    settle(index);
    return;
  }
  if (*type == "error") {
    ++errors_total_;
    const auto code = find_string(event, "code");
    ++error_codes_[code ? std::string(*code) : "error"];
    // A refused send never gets an ack: free its window slot.
    if (index < senders_.size() && !senders_[index].pending_ns.empty()) {
      const auto ref = find_field(event, "ref");
      if (ref && !ref->empty() && ref->front() == '"') {
        senders_[index].pending_ns.pop_front();
        if (o_.rate <= 0 && (phase_ == phase::warmup || measuring)) try_send(index);
      }
    }
  }
}

void load_run::on_closed(ws_connection& c, const std::string& why, bool expected, bool) {
  ++closed_;
  auto& state = connections_[c.index()];
  if (!state.settled) {
    ++connect_failures_;
    ++close_reasons_[why];
    settle(c.index());
  } else if (!expected) {
    ++disconnects_;
    ++close_reasons_[why];
  }
  if (c.index() < senders_.size()) senders_[c.index()].pending_ns.clear();
  if (phase_ == phase::closing && closed_ == next_to_launch_) {
    phase_ = phase::done;
    io_.stop();
  }
}

void load_run::begin_rooming() {
  setup_end_ = clock::now();
  phase_timer_.cancel();
  phase_ = phase::rooming;
  rooms_start_ = clock::now();
  for (std::size_t s = 0; s < senders_.size(); ++s) {
    auto& state = connections_[s];
    if (!state.ready || !state.connection->is_open()) continue;
    // The nonce keeps names unique across runs on one server (names are unique per server).
    state.connection->send(R"({"type":"create_room","kind":"private","name":"b)" + nonce_ + "-" +
                           std::to_string(s) + R"(","users":)" + room_members_[s] +
                           R"(,"client_id":"room-)" + std::to_string(s) + R"("})");
  }
  phase_timer_.expires_after(millis(o_.timeout_s));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || phase_ != phase::rooming) return;
    ++errors_total_;
    error_codes_["rooms not created in time"] += senders_.size() - rooms_ready_;
    begin_load();
  });
}

// The creator's copy of a new room carries `ref` (our client_id): that sender may now send.
void load_run::on_room(std::size_t index, std::string_view event) {
  if (index >= senders_.size() || senders_[index].room != 0 || !find_string(event, "ref")) return;
  const auto room = find_field(event, "room");
  const auto id = room ? find_int(*room, "id") : std::nullopt;
  if (!id) {
    ++errors_total_;
    ++error_codes_["room without id"];
    return;
  }
  senders_[index].room = *id;
  if (++rooms_ready_ == senders_.size() && phase_ == phase::rooming) begin_load();
}

std::uint64_t load_run::expected_deliveries() const {
  // Every member's connection gets each message, the sender's own included.
  if (!room_members_.empty()) return acked_total_ * o_.room_size;
  const std::size_t open = ready_ - std::min(ready_, disconnects_);
  return acked_total_ * open;
}

void load_run::begin_load() {
  if (phase_ == phase::connecting && !room_members_.empty()) return begin_rooming();
  if (phase_ == phase::rooming) {
    rooms_end_ = clock::now();
  } else {
    setup_end_ = clock::now();
  }
  phase_timer_.cancel();
  phase_ = phase::warmup;
  load_start_ = clock::now();
  paced_ = 0;
  if (o_.rate <= 0) {
    for (std::size_t s = 0; s < senders_.size(); ++s) {
      for (std::size_t w = 0; w < o_.window; ++w) try_send(s);
    }
  }
  schedule_tick();
  phase_timer_.expires_after(millis(o_.warmup_s));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) begin_measuring();
  });
}

void load_run::begin_measuring() {
  metrics_start_ = scrape_metrics(o_.host, o_.port, std::chrono::milliseconds(1000));
  phase_ = phase::measuring;
  measure_start_ = clock::now();
  self_cpu_start_ = self_cpu_seconds();
  server_cpu_start_ = process_cpu_seconds(o_.server_pid).value_or(0);
  self_wait_start_ = process_wait_seconds(0).value_or(0);
  server_wait_start_ = process_wait_seconds(o_.server_pid).value_or(0);
  last_ack_ns_ = now_ns();
  phase_timer_.expires_after(millis(o_.duration_s));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) end_measuring();
  });
}

void load_run::end_measuring() {
  measure_end_ = clock::now();
  self_cpu_end_ = self_cpu_seconds();
  server_cpu_end_ = process_cpu_seconds(o_.server_pid).value_or(0);
  self_wait_end_ = process_wait_seconds(0).value_or(0);
  server_wait_end_ = process_wait_seconds(o_.server_pid).value_or(0);
  if (const auto rss = process_rss_bytes(o_.server_pid)) server_rss_after_ = *rss;
  metrics_end_ = scrape_metrics(o_.host, o_.port, std::chrono::milliseconds(1000));
  phase_ = phase::draining;
  drain_deadline_ = clock::now() + millis(std::min(o_.timeout_s, max_drain_s));
}

void load_run::begin_closing() {
  phase_ = phase::closing;
  tick_timer_.cancel();
  for (const auto& state : connections_) {
    if (state.connection && state.connection->is_open()) ++open_at_end_;
  }
  if (closed_ == next_to_launch_) {
    phase_ = phase::done;
    io_.stop();
    return;
  }
  for (auto& state : connections_) {
    if (state.connection) state.connection->close();
  }
  phase_timer_.expires_after(millis(o_.timeout_s));
  phase_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    phase_ = phase::done;
    io_.stop();
  });
}

void load_run::schedule_tick() {
  tick_timer_.expires_after(tick_period);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_tick();
  });
}

void load_run::on_tick() {
  const auto now = clock::now();
  if (phase_ == phase::warmup || phase_ == phase::measuring) {
    if (o_.rate > 0) pace_sends(now);
  } else if (phase_ == phase::draining) {
    if (drained() || now >= drain_deadline_) return begin_closing();
  } else {
    return;
  }
  schedule_tick();
}

void load_run::pace_sends(clock::time_point now) {
  const double elapsed = std::chrono::duration<double>(now - load_start_).count();
  const auto due = static_cast<std::uint64_t>(elapsed * o_.rate);
  while (paced_ < due) {
    ++paced_;
    bool sent = false;
    for (std::size_t tries = 0; tries < senders_.size() && !sent; ++tries) {
      sent = try_send(next_sender_);
      next_sender_ = (next_sender_ + 1) % senders_.size();
    }
    if (!sent) ++skipped_;
  }
}

bool load_run::try_send(std::size_t s) {
  auto& state = connections_[s];
  auto& sender = senders_[s];
  if (!state.ready || !state.connection->is_open() || sender.pending_ns.size() >= o_.window ||
      sender.room == 0) {
    return false;
  }
  const std::uint64_t ns = now_ns();
  std::string frame;
  frame.reserve(64 + o_.text_bytes);
  frame.append(R"({"type":"send","room":)")
      .append(std::to_string(sender.room))
      .append(R"(,"client_id":")")
      .append(nonce_)
      .append("-")
      .append(std::to_string(s))
      .append("-")
      .append(std::to_string(sender.counter++))
      .append(R"(","text":"b)")
      .append(std::to_string(ns))
      .append(" ");
  const std::size_t used = frame.size() - frame.find("\"text\":\"") - 8;
  if (used < o_.text_bytes) frame.append(padding_, 0, o_.text_bytes - used);
  frame.append("\"}");
  sender.pending_ns.push_back(ns);
  ++sent_total_;
  if (phase_ == phase::measuring) ++sent_window_;
  state.connection->send(std::move(frame));
  return true;
}

bool load_run::healthy() const {
  return connect_failures_ == 0 && errors_total_ == 0 && disconnects_ == 0 &&
         delivered_total_ >= expected_deliveries() && (senders_.empty() || acked_total_ > 0);
}

bool load_run::drained() const {
  for (const auto& s : senders_) {
    if (!s.pending_ns.empty()) return false;
  }
  return delivered_total_ >= expected_deliveries();
}

void load_run::fill_report(report& r) const {
  const double window = std::chrono::duration<double>(measure_end_ - measure_start_).count();
  const double per_s = window > 0 ? 1.0 / window : 0;
  r.add("connections", static_cast<double>(o_.connections));
  r.add("connected", static_cast<double>(ready_));
  r.add("connect_failures", static_cast<double>(connect_failures_));
  r.add("senders", static_cast<double>(o_.senders));
  r.add("rate_target", o_.rate, "sends/s (0 = closed loop)");
  r.add("window", static_cast<double>(o_.window), "unacked per sender");
  r.add("text_bytes", static_cast<double>(o_.text_bytes));
  r.add("setup_s", std::chrono::duration<double>(setup_end_ - setup_start_).count(), "s");
  r.add("connect_p50_ms", ms(connect_latency_.percentile(0.5)), "ms");
  r.add("connect_p99_ms", ms(connect_latency_.percentile(0.99)), "ms");
  r.add("measured_s", window, "s");
  r.add("sends_per_s", static_cast<double>(sent_window_) * per_s, "/s");
  r.add("acked_per_s", static_cast<double>(acked_window_) * per_s, "/s");
  r.add("deliveries_per_s", static_cast<double>(delivered_window_) * per_s, "/s");
  r.add("frames_per_s", static_cast<double>(frames_window_) * per_s, "/s");
  r.add("events_per_frame",
        frames_window_ ? static_cast<double>(events_window_) / static_cast<double>(frames_window_)
                       : 0);
  r.add("latency_p50_ms", ms(delivery_latency_.percentile(0.5)), "ms");
  r.add("latency_p90_ms", ms(delivery_latency_.percentile(0.9)), "ms");
  r.add("latency_p99_ms", ms(delivery_latency_.percentile(0.99)), "ms");
  r.add("latency_p999_ms", ms(delivery_latency_.percentile(0.999)), "ms");
  r.add("latency_max_ms", ms(delivery_latency_.max()), "ms");
  r.add("ack_p50_ms", ms(ack_latency_.percentile(0.5)), "ms");
  r.add("ack_p99_ms", ms(ack_latency_.percentile(0.99)), "ms");
  r.add("ack_max_ms", ms(ack_latency_.max()), "ms");
  r.add("max_ack_gap_ms", static_cast<double>(max_ack_gap_ns_) / 1e6, "ms");
  r.add("sends_skipped", static_cast<double>(skipped_), "(window full at the target rate)");
  r.add("sent_total", static_cast<double>(sent_total_));
  r.add("acked_total", static_cast<double>(acked_total_));
  r.add("delivered_total", static_cast<double>(delivered_total_));
  const double expected = static_cast<double>(expected_deliveries());
  if (!room_members_.empty()) {
    r.add("rooms", static_cast<double>(senders_.size()));
    r.add("room_size", static_cast<double>(o_.room_size), "members");
    r.add("rooms_created", static_cast<double>(rooms_ready_));
    r.add("rooms_setup_s", std::chrono::duration<double>(rooms_end_ - rooms_start_).count(), "s");
  }
  r.add("missing_deliveries",
        disconnects_ == 0 ? std::max(0.0, expected - static_cast<double>(delivered_total_)) : -1,
        "(-1 = not checked: disconnects)");
  r.add("errors", static_cast<double>(errors_total_));
  r.add("error_codes", joined(error_codes_));
  r.add("disconnects", static_cast<double>(disconnects_));
  r.add("close_reasons", joined(close_reasons_));
  r.add("open_at_end", static_cast<double>(open_at_end_));
  r.add("client_cpu_percent", cpu_percent(self_cpu_start_, self_cpu_end_, window), "% of a core");
  r.add("client_runqueue_wait_percent", cpu_percent(self_wait_start_, self_wait_end_, window),
        "% of the time runnable but not running (machine busy)");
  if (o_.server_pid > 0) {
    r.add("server_cpu_percent", cpu_percent(server_cpu_start_, server_cpu_end_, window),
          "% of a core");
    r.add("server_runqueue_wait_percent", cpu_percent(server_wait_start_, server_wait_end_, window),
          "% of the time runnable but not running (machine busy)");
    r.add("server_rss_before_kib", static_cast<double>(server_rss_before_ / 1024), "KiB");
    r.add("server_rss_after_kib", static_cast<double>(server_rss_after_ / 1024), "KiB");
    const double delta =
        static_cast<double>(server_rss_after_) - static_cast<double>(server_rss_before_);
    r.add("server_bytes_per_connection", ready_ ? delta / static_cast<double>(ready_) : 0, "B");
  }
  if (metrics_start_ && metrics_end_) {
    const auto change = [&](const std::string& name) {
      const auto a = metrics_start_->find(name);
      const auto b = metrics_end_->find(name);
      return a == metrics_start_->end() || b == metrics_end_->end() ? 0.0 : b->second - a->second;
    };
    const double writes = change("chatterbox_writes_out_total");
    const double commits = change("chatterbox_sqlite_commit_seconds_count");
    r.add("server_events_per_write",
          writes > 0 ? change("chatterbox_frames_out_total") / writes : 0,
          "(server /metrics: events per WebSocket write)");
    r.add("server_messages_per_commit",
          commits > 0 ? change("chatterbox_messages_stored_total") / commits : 0,
          "(server /metrics: group commit size)");
    r.add("server_commit_mean_ms",
          commits > 0 ? 1000 * change("chatterbox_sqlite_commit_seconds_sum") / commits : 0, "ms");
    r.add("server_wal_checkpoints", change("chatterbox_wal_checkpoints_total"),
          "(server /metrics: background WAL checkpoints during the run)");
    const auto stall = metrics_end_->find("chatterbox_event_loop_max_stall_seconds");
    r.add("server_max_loop_stall_ms", stall == metrics_end_->end() ? 0 : 1000 * stall->second,
          "ms (server /metrics, since server start)");
  }
}

}  // namespace chatterbox::bench
