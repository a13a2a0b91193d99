#include "chatterbox/bus/redis_bus.hpp"

#include <spdlog/spdlog.h>

namespace chatterbox {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

redis_bus::redis_bus(asio::io_context& io, redis_endpoint endpoint, std::int64_t delivered,
                     options opts, store_access store, deliver_fn deliver)
    : io_(io),
      endpoint_(std::move(endpoint)),
      options_(std::move(opts)),
      store_(std::move(store)),
      sequencer_(delivered, {.gap_wait = options_.gap_wait, .max_held = options_.max_held},
                 std::move(deliver),
                 [this](std::int64_t after) {
                   std::weak_ptr<bool> alive = alive_;
                   store_.events_after(after, [this, alive](fetched answer) {
                     if (alive.expired()) return;
                     sequencer_.on_fetched(std::move(answer), clock_type::now());
                   });
                 }),
      backoff_(options_.reconnect_min),
      reconnect_timer_(io),
      tick_timer_(io),
      latest_timer_(io) {}

redis_bus::~redis_bus() { stop(); }

void redis_bus::stop() {
  stopped_ = true;
  if (publisher_) publisher_->close();
  if (subscriber_) subscriber_->close();
  reconnect_timer_.cancel();
  tick_timer_.cancel();
  latest_timer_.cancel();
}

void redis_bus::start() {
  connect();
  schedule_tick();
  schedule_latest_check();
}

void redis_bus::connect() {
  ready_ = 0;
  subscribed_ = false;
  // Both connections of an attempt report; only the current attempt's reports count.
  const auto attempt = ++attempt_;
  auto on_connected = [this, attempt] {
    if (attempt == attempt_ && ++ready_ == 2) on_ready();
  };
  auto on_lost = [this, attempt](const std::string& why) {
    if (attempt == attempt_) this->on_lost(why);
  };
  publisher_ = redis_connection::create(io_, endpoint_, {}, {on_connected, on_lost});
  subscriber_ = redis_connection::create(io_, endpoint_, {}, {on_connected, on_lost});
  publisher_->start();
  subscriber_->start();
}

void redis_bus::on_ready() {
  std::vector<std::string> channels{options_.channel};
  if (on_signal_) channels.push_back(options_.signals_channel);
  subscriber_->subscribe(
      channels,
      [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); },
      [this] {
        subscribed_ = true;
        backoff_ = options_.reconnect_min;
        spdlog::info("bus: connected to {}", endpoint_.display());
        // Whatever was published while this node was not listening is in the store.
        check_latest();
        if (on_connected_) on_connected_();
      });
}

void redis_bus::on_lost(const std::string& why) {
  if (stopped_) return;
  const bool was_up = subscribed_;
  subscribed_ = false;
  // Both connections of this attempt go; the timer makes a new pair. (Not destroyed here: this
  // runs inside one of them.)
  auto publisher = std::exchange(publisher_, nullptr);
  auto subscriber = std::exchange(subscriber_, nullptr);
  asio::post(io_, [publisher, subscriber] {
    if (publisher) publisher->close();
    if (subscriber) subscriber->close();
  });
  if (was_up) {
    spdlog::warn("bus: lost {} ({}); reconnecting", endpoint_.display(), why);
  } else {
    spdlog::debug("bus: cannot reach {} ({}); next try in {} ms", endpoint_.display(), why,
                  backoff_.count());
  }
  ++reconnects_;
  ++attempt_;  // the other connection of this attempt reports no more
  reconnect_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    connect();
  });
}

void redis_bus::publish(std::vector<bus_event> events) {
  if (events.empty()) return;
  const auto now = clock_type::now();
  if (publisher_ && publisher_->connected()) {
    const auto payload = encode_bus_batch(events);
    if (publisher_->command({"PUBLISH", options_.channel, payload}, [](const redis_reply*) {})) {
      ++published_;
    } else {
      ++publish_failures_;
    }
  } else {
    ++publish_failures_;
  }
  for (auto& event : events) sequencer_.on_published(std::move(event), now);
}

bool redis_bus::publish_signal(std::string_view payload) {
  return command({"PUBLISH", options_.signals_channel, payload}, [](const redis_reply*) {});
}

bool redis_bus::command(const std::vector<std::string_view>& args,
                        redis_connection::reply_fn on_reply) {
  return publisher_ && publisher_->connected() && publisher_->command(args, std::move(on_reply));
}

void redis_bus::on_message(std::string_view channel, std::string_view payload) {
  if (channel != options_.channel) {
    if (on_signal_) on_signal_(payload);
    return;
  }
  auto events = decode_bus_batch(payload);
  if (!events) {
    spdlog::warn("bus: a message on {} that is not an event batch ({} bytes), ignored",
                 options_.channel, payload.size());
    return;
  }
  const auto now = clock_type::now();
  for (auto& event : *events) sequencer_.on_published(std::move(event), now);
}

void redis_bus::check_latest() {
  std::weak_ptr<bool> alive = alive_;
  store_.latest_seq([this, alive](std::optional<std::int64_t> latest) {
    if (alive.expired() || !latest) return;
    sequencer_.on_latest(*latest, clock_type::now());
  });
}

void redis_bus::schedule_tick() {
  tick_timer_.expires_after(options_.gap_wait / 2);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    sequencer_.tick(clock_type::now());
    schedule_tick();
  });
}

void redis_bus::schedule_latest_check() {
  latest_timer_.expires_after(options_.latest_check);
  latest_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    check_latest();
    schedule_latest_check();
  });
}

}  // namespace chatterbox
