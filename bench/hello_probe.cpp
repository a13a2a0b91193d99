#include "hello_probe.hpp"

#include "json_scan.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace chatterbox::bench {
namespace {

constexpr std::size_t setup_index = 0;
constexpr std::size_t partner_index = 1;
constexpr std::size_t first_probe_index = 2;

// The `rooms` of a hello: calls on_room(object) for each room object.
template <typename F>
bool for_each_room(std::string_view hello, F&& on_room) {
  const auto rooms = find_field(hello, "rooms");
  return rooms && for_each_event(*rooms, on_room);
}

// The room names the setup gives: "<user>-<i>", so a second run finds the rooms of the first.
std::string room_name(const std::string& user, std::size_t i) {
  return user + "-" + std::to_string(i);
}

}  // namespace

hello_probe::hello_probe(bench_options options, std::string user, std::string token,
                         std::string partner, std::string partner_token,
                         std::string baseline_token)
    : o_(std::move(options)),
      user_(std::move(user)),
      token_(std::move(token)),
      partner_(std::move(partner)),
      partner_token_(std::move(partner_token)),
      baseline_token_(std::move(baseline_token)),
      deadline_(io_) {
  nonce_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

std::shared_ptr<ws_connection> hello_probe::open(const std::string& token, std::size_t index) {
  connection_target target;
  target.host = o_.host;
  target.port = o_.port;
  target.token = token;
  target.setup_timeout = std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000));
  target.ping_idle = std::chrono::milliseconds(static_cast<long>(o_.ping_idle_s * 1000));
  auto c = std::make_shared<ws_connection>(io_, *this, index);
  c->start(target);
  return c;
}

void hello_probe::arm(std::chrono::milliseconds bound) {
  deadline_.expires_after(bound);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    if (stage_ == stage::probing) return finish_attempt(false, "timed out");
    fail("setup timed out");
  });
}

report hello_probe::run() {
  setup_start_ = clock::now();
  // Setup bound: the room commands and posts of a few hundred rooms.
  arm(std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000)) * 4);
  current_ = open(token_, setup_index);
  io_.run();

  report r("hello");
  r.add("rooms_target", static_cast<double>(o_.rooms), "private rooms the user is in");
  r.add("setup_s", std::chrono::duration<double>(setup_end_ - setup_start_).count(), "s");
  r.add("iterations", static_cast<double>(o_.iterations));
  r.add("completed", static_cast<double>(done_), "connections (the user's and the baseline's)");
  r.add("failures", static_cast<double>(failures_));
  if (!failure_.empty()) r.add("failure", failure_);
  if (!last_failure_.empty()) r.add("last_failure", last_failure_);
  r.add("rooms_in_hello", static_cast<double>(rooms_in_hello_), "(last hello; general included)");
  r.add("unread_rooms", static_cast<double>(unread_rooms_), "rooms with unread > 0 (last hello)");
  r.add("mention_rooms", static_cast<double>(mention_rooms_), "rooms with mentions > 0");
  r.add("hello_bytes", static_cast<double>(hello_bytes_));
  r.add("short_hellos", static_cast<double>(short_hellos_), "hellos missing some of the rooms");
  r.add("hello_p50_ms", ms(connect_to_hello_.percentile(0.5)), "ms (connect -> hello)");
  r.add("hello_p90_ms", ms(connect_to_hello_.percentile(0.9)), "ms");
  r.add("hello_p99_ms", ms(connect_to_hello_.percentile(0.99)), "ms");
  r.add("hello_max_ms", ms(connect_to_hello_.max()), "ms");
  r.add("baseline_p50_ms", ms(baseline_.percentile(0.5)),
        "ms (connect -> hello of a user in general only)");
  r.add("baseline_p99_ms", ms(baseline_.percentile(0.99)), "ms");
  const auto cost = [](std::uint64_t a, std::uint64_t b) { return ms(a - std::min(a, b)); };
  r.add("rooms_cost_p50_ms", cost(connect_to_hello_.percentile(0.5), baseline_.percentile(0.5)),
        "ms (p50 minus the baseline's: the rooms' unread counts and JSON)");
  r.add("rooms_cost_p99_ms", cost(connect_to_hello_.percentile(0.99), baseline_.percentile(0.99)),
        "ms");
  r.add("open_to_hello_p99_ms", ms(open_to_hello_.percentile(0.99)),
        "ms (101 -> hello; both come in one write)");
  r.add("upgrade_p50_ms", ms(upgrade_.percentile(0.5)), "ms (connect -> 101)");
  return r;
}

bool hello_probe::healthy() const {
  return failure_.empty() && failures_ == 0 && done_ == 2 * o_.iterations && short_hellos_ == 0;
}

void hello_probe::fail(const std::string& why) {
  if (stage_ == stage::done) return;
  failure_ = why;
  stage_ = stage::done;
  deadline_.cancel();
  if (current_) current_->close();
}

void hello_probe::on_open(ws_connection& c) {
  if (stage_ == stage::probing && c.index() == attempt_ && !attempt_over_ && !baseline_attempt_) {
    t_open_ = clock::now();
    upgrade_.record(micros(t_open_ - t_start_));
  }
}

void hello_probe::on_frame(ws_connection& c, std::string_view frame) {
  const auto now = clock::now();
  for_each_event(frame, [&](std::string_view event) {
    if (stage_ == stage::done) return;
    const auto type = find_string(event, "type");
    if (!type) return;
    if (*type == "error") {
      if (stage_ != stage::probing) return fail("error frame: " + std::string(event.substr(0, 200)));
      return finish_attempt(false, "error frame");
    }
    if (stage_ == stage::rooms) {
      if (*type == "hello") return on_setup_hello(c, event);
      if (*type == "room" && find_string(event, "ref") && rooms_missing_ > 0 &&
          --rooms_missing_ == 0) {
        return begin_posting();
      }
      return;
    }
    if (stage_ == stage::posting) {
      if (*type == "hello" && c.index() == partner_index) return on_partner_hello(c, event);
      if (*type == "ack" && c.index() == partner_index && posts_pending_ > 0 &&
          --posts_pending_ == 0) {
        return begin_probing();
      }
      return;
    }
    if (*type != "hello" || c.index() != attempt_ || attempt_over_) return;
    if (baseline_attempt_) {
      baseline_.record(micros(now - t_start_));
      return finish_attempt(true, "");
    }
    open_to_hello_.record(micros(now - t_open_));
    connect_to_hello_.record(micros(now - t_start_));
    std::size_t rooms = 0, unread = 0, mentions = 0;
    for_each_room(event, [&](std::string_view room) {
      ++rooms;
      unread += find_int(room, "unread").value_or(0) > 0 ? 1 : 0;
      mentions += find_int(room, "mentions").value_or(0) > 0 ? 1 : 0;
    });
    rooms_in_hello_ = rooms;
    unread_rooms_ = unread;
    mention_rooms_ = mentions;
    hello_bytes_ = event.size();
    if (rooms < o_.rooms + 1) ++short_hellos_;  // general is one of them
    finish_attempt(true, "");
  });
}

// The probe user's rooms: create the missing ones (names from a previous run are kept).
void hello_probe::on_setup_hello(ws_connection& c, std::string_view event) {
  std::size_t have = 0;
  for_each_room(event, [&](std::string_view room) {
    if (find_string(room, "kind") == std::string_view("private")) ++have;
  });
  if (have >= o_.rooms) return begin_posting();
  rooms_missing_ = o_.rooms - have;
  for (std::size_t i = have; i < o_.rooms; ++i) {
    c.send(R"({"type":"create_room","kind":"private","name":")" + room_name(user_, i) +
           R"(","users":[")" + partner_ + R"("],"client_id":"h-)" + std::to_string(i) + R"("})");
  }
}

void hello_probe::begin_posting() {
  stage_ = stage::posting;
  if (current_) current_->close();
  current_ = open(partner_token_, partner_index);
}

// The partner posts in every private room it shares with the probe user (all of its rooms).
void hello_probe::on_partner_hello(ws_connection& c, std::string_view event) {
  std::size_t k = 0;
  for_each_room(event, [&](std::string_view room) {
    if (find_string(room, "kind") != std::string_view("private")) return;
    const auto id = find_int(room, "id");
    if (!id) return;
    for (std::size_t m = 0; m < o_.messages_per_room; ++m, ++k) {
      const std::string text = m == 0 ? "@" + user_ + " have a look" : "message " + std::to_string(m);
      c.send(R"({"type":"send","room":)" + std::to_string(*id) + R"(,"client_id":"p-)" + nonce_ +
             "-" + std::to_string(k) + R"(","text":")" + text + R"("})");
      ++posts_pending_;
    }
  });
  if (posts_pending_ == 0) begin_probing();
}

void hello_probe::begin_probing() {
  setup_end_ = clock::now();
  stage_ = stage::probing;
  if (current_) current_->close();
  current_.reset();
  attempt_ = first_probe_index - 1;
  boost::asio::post(io_, [this] { start_next(); });
}

void hello_probe::start_next() {
  if (stage_ != stage::probing) return;
  // Each iteration is the user's connection, then the baseline's.
  if (done_ + failures_ >= 2 * o_.iterations) {
    stage_ = stage::done;
    deadline_.cancel();
    return;
  }
  ++attempt_;
  attempt_over_ = false;
  arm(std::chrono::milliseconds(static_cast<long>(o_.timeout_s * 1000)));
  baseline_attempt_ = (attempt_ - first_probe_index) % 2 == 1;
  t_start_ = clock::now();
  current_ = open(baseline_attempt_ ? baseline_token_ : token_, attempt_);
}

void hello_probe::finish_attempt(bool ok, const std::string& why) {
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

void hello_probe::on_closed(ws_connection& c, const std::string& why, bool expected, bool) {
  if (expected || stage_ == stage::done) return;
  if (stage_ == stage::probing) {
    if (c.index() == attempt_) finish_attempt(false, why);
    return;
  }
  fail("setup connection closed: " + why);
}

}  // namespace chatterbox::bench
