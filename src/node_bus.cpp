#include "chatterbox/node_bus.hpp"

#include "chatterbox/bus/room_event_codec.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <random>

namespace chatterbox {
namespace {

std::string new_origin() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 4; ++i) out += std::to_string(random() % 1000000);
  return out;
}

}  // namespace

node_bus::node_bus(boost::asio::io_context& io, redis_endpoint endpoint, pg_chat_store& store,
                   chat_service& chat, connection_manager& connections,
                   std::int64_t delivered, std::chrono::milliseconds presence_expiry)
    : store_(store),
      chat_(chat),
      origin_(new_origin()),
      bus_(io, std::move(endpoint), delivered, redis_bus::options{},
           redis_bus::store_access{
               [this](std::int64_t after, std::function<void(redis_bus::fetched)> then) {
                 events_after(after, std::move(then));
               },
               [this](std::function<void(std::optional<std::int64_t>)> then) {
                 latest_seq(std::move(then));
               }},
           [this](const bus_event& event) { deliver(event); }),
      signals_(io, bus_, chat, connections, origin_,
               node_signals::options{.expiry = presence_expiry}) {
  chat_.publish_through(
      [this](room_event event) { bus_.publish({encode_room_event(event, origin_)}); });
}

// The chat may outlive the bus (the server's members go in reverse order): it delivers at once
// from then on.
node_bus::~node_bus() { chat_.publish_through(nullptr); }

void node_bus::start() {
  signals_.start();
  bus_.start();
}

void node_bus::stop() {
  signals_.stop();
  bus_.stop();
}

void node_bus::deliver(const bus_event& event) {
  auto received = decode_room_event(event);
  if (!received) {
    spdlog::warn("bus: event seq={} is not one this node understands; not delivered", event.seq);
    return;
  }
  try {
    chat_.deliver(received->event, received->origin == origin_);
  } catch (const std::exception& e) {
    spdlog::error("bus: delivering seq={} failed: {}", event.seq, e.what());
  }
}

void node_bus::latest_seq(std::function<void(std::optional<std::int64_t>)> then) {
  store_.latest_seq([then = std::move(then)](bool read, std::int64_t& latest) {
    then(read ? std::optional<std::int64_t>(latest) : std::nullopt);
  });
}

// What the store can say again of the changes after `after`: each message as it is now (a
// `message` event, which clients take as the newest state of it), new accounts, and each room
// as it is now (its members included).
void node_bus::events_after(std::int64_t after, std::function<void(redis_bus::fetched)> then) {
  store_.changes_for_bus(
      after, [then = std::move(then)](bool read, pg_chat_store::changes_for_nodes& c) {
        if (!read) return then(std::nullopt);
        std::vector<room_event> events;
        for (const auto& m : c.messages) {
          room_event event{m.seq, m.room, frames::new_message(m)};
          event.message_id = m.id;
          events.push_back(std::move(event));
        }
        for (auto& account : c.accounts) {
          room_event event{account.seq, 0};
          event.new_user_id = account.id;
          event.new_user_name = std::move(account.name);
          events.push_back(std::move(event));
        }
        for (auto& room : c.rooms) {
          room_event event{room.seq, room.now.id};
          event.changed_room = std::move(room.now);
          events.push_back(std::move(event));
        }
        std::sort(events.begin(), events.end(),
                  [](const room_event& a, const room_event& b) { return a.seq < b.seq; });
        std::vector<bus_event> encoded;
        for (const auto& event : events) encoded.push_back(encode_room_event(event, ""));
        then(std::make_pair(std::move(encoded), c.complete_to));
      });
}

}  // namespace chatterbox
