#include "chatterbox/bus/redis_bus.hpp"

#include "support/redis_process.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>

#include <numeric>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using test_support::redis_process;

// The store both nodes commit to: event n has seq n.
struct shared_store {
  std::vector<bus_event> events;

  bus_event commit(std::int64_t room) {
    bus_event e{static_cast<std::int64_t>(events.size()) + 1, room, ""};
    e.frame = R"({"type":"message","seq":)" + std::to_string(e.seq) + "}";
    events.push_back(e);
    return e;
  }

  redis_bus::store_access access() {
    return {.events_after =
                [this](std::int64_t after, std::function<void(redis_bus::fetched)> done) {
                  // Pages of 50, as a real store would cut them.
                  const auto latest = static_cast<std::int64_t>(events.size());
                  const auto to = std::min(latest, after + 50);
                  std::vector<bus_event> page(events.begin() + after, events.begin() + to);
                  done(std::make_pair(std::move(page), to));
                },
            .latest_seq =
                [this](std::function<void(std::optional<std::int64_t>)> done) {
                  done(static_cast<std::int64_t>(events.size()));
                }};
  }
};

// A node: its bus and what it delivered to its clients.
struct node {
  node(boost::asio::io_context& io, const redis_process& redis, shared_store& store)
      : bus(io, endpoint_of(redis), 0,
            {.gap_wait = 50ms, .latest_check = 200ms, .reconnect_min = 50ms,
             .reconnect_max = 200ms},
            store.access(), [this](const bus_event& e) { delivered.push_back(e.seq); }) {
    bus.start();
  }

  static redis_endpoint endpoint_of(const redis_process& redis) {
    redis_endpoint e;
    e.host = "127.0.0.1";
    e.port = redis.port();
    return e;
  }

  std::vector<std::int64_t> delivered;
  redis_bus bus;
};

class redis_bus_test : public ::testing::Test {
 protected:
  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds bound = 10000ms) {
    return test_support::run_until(io_, done, bound);
  }

  static std::vector<std::int64_t> one_to(std::int64_t n) {
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), 1);
    return all;
  }

  boost::asio::io_context io_;
  shared_store store_;
};

TEST_F(redis_bus_test, TwoNodesDeliverEveryoneEventsInSeqOrderOnce) {
  redis_process redis;
  node a(io_, redis, store_), b(io_, redis, store_);
  ASSERT_TRUE(run_until([&] { return a.bus.connected() && b.bus.connected(); }));
  for (int round = 0; round < 100; ++round) {
    // Each node commits and publishes its own; the other hears of it over Redis.
    a.bus.publish({store_.commit(1)});
    b.bus.publish({store_.commit(2), store_.commit(2)});
    if (round % 10 == 0) run_until([] { return false; }, 5ms);
  }
  ASSERT_TRUE(run_until([&] { return a.delivered.size() >= 300 && b.delivered.size() >= 300; }));
  run_until([] { return false; }, 100ms);  // nothing more, nothing twice
  EXPECT_EQ(a.delivered, one_to(300));
  EXPECT_EQ(b.delivered, one_to(300));
}

TEST_F(redis_bus_test, EventsCommittedButNeverPublishedAreFoundInTheStore) {
  redis_process redis;
  node a(io_, redis, store_), b(io_, redis, store_);
  ASSERT_TRUE(run_until([&] { return a.bus.connected() && b.bus.connected(); }));
  a.bus.publish({store_.commit(1)});
  store_.commit(1);  // a node that died between its commit and its publish
  store_.commit(1);
  b.bus.publish({store_.commit(1)});
  ASSERT_TRUE(run_until([&] { return a.delivered.size() == 4 && b.delivered.size() == 4; }));
  EXPECT_EQ(a.delivered, one_to(4));
  EXPECT_EQ(b.delivered, one_to(4));
  EXPECT_GE(a.bus.store_reads(), 1u);
}

TEST_F(redis_bus_test, ARedisRestartLosesNothingAndTheNodesReconnect) {
  auto redis = std::make_unique<redis_process>();
  const auto port = redis->port();
  node a(io_, *redis, store_), b(io_, *redis, store_);
  ASSERT_TRUE(run_until([&] { return a.bus.connected() && b.bus.connected(); }));
  for (int i = 0; i < 20; ++i) a.bus.publish({store_.commit(1)});
  ASSERT_TRUE(run_until([&] { return b.delivered.size() == 20; }));

  redis->kill_hard();
  ASSERT_TRUE(run_until([&] { return !a.bus.connected() && !b.bus.connected(); }));
  for (int i = 0; i < 20; ++i) {
    a.bus.publish({store_.commit(1)});  // nobody hears these over the bus
    b.bus.publish({store_.commit(2)});
  }
  EXPECT_GE(a.bus.publish_failures(), 20u);
  redis = std::make_unique<redis_process>(port);
  ASSERT_TRUE(run_until([&] { return a.bus.connected() && b.bus.connected(); }));
  for (int i = 0; i < 20; ++i) b.bus.publish({store_.commit(2)});
  ASSERT_TRUE(run_until([&] { return a.delivered.size() == 80 && b.delivered.size() == 80; }));
  EXPECT_EQ(a.delivered, one_to(80));
  EXPECT_EQ(b.delivered, one_to(80));
  EXPECT_GE(a.bus.reconnects(), 1u);
}

TEST_F(redis_bus_test, ANodeStillDeliversItsOwnEventsWithoutRedis) {
  redis_process redis;
  const auto port = redis.port();
  redis.kill_hard();
  redis_endpoint e;
  e.host = "127.0.0.1";
  e.port = port;
  std::vector<std::int64_t> delivered;
  redis_bus bus(io_, e, 0, {.reconnect_min = 50ms, .reconnect_max = 100ms}, store_.access(),
                [&](const bus_event& ev) { delivered.push_back(ev.seq); });
  bus.start();
  bus.publish({store_.commit(1), store_.commit(1)});
  EXPECT_EQ(delivered, one_to(2)) << "at once, not after a Redis round trip";
  ASSERT_TRUE(run_until([&] { return bus.reconnects() >= 2; }));
  EXPECT_FALSE(bus.connected());
}

TEST_F(redis_bus_test, AMessageThatIsNotABatchIsIgnored) {
  redis_process redis;
  node a(io_, redis, store_);
  ASSERT_TRUE(run_until([&] { return a.bus.connected(); }));
  bool sent = false;
  auto raw = redis_connection::create(io_, node::endpoint_of(redis), {},
                                      {.connected = [&] { sent = true; }, .lost = nullptr});
  raw->start();
  ASSERT_TRUE(run_until([&] { return sent; }));
  int replies = 0;
  raw->command({"PUBLISH", "chatterbox:events", "not a batch"}, [&](const redis_reply*) { ++replies; });
  raw->command({"PUBLISH", "chatterbox:events", "1 1 999\n{}"}, [&](const redis_reply*) { ++replies; });
  ASSERT_TRUE(run_until([&] { return replies == 2; }));
  a.bus.publish({store_.commit(1)});
  ASSERT_TRUE(run_until([&] { return a.delivered.size() == 1; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(a.delivered, one_to(1));
}

TEST(bus_batch, EncodesAndDecodesAnyBytes) {
  std::vector<bus_event> events{{1, 7, R"({"a":"x\ny"})"}, {2, 8, std::string("\0\n 3", 4)},
                                {3, 9, ""}};
  const auto decoded = decode_bus_batch(encode_bus_batch(events));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, events);
  EXPECT_FALSE(decode_bus_batch("1 2 5\nabc"));
  EXPECT_FALSE(decode_bus_batch("x 2 1\na"));
  EXPECT_FALSE(decode_bus_batch("0 2 1\na"));
  EXPECT_FALSE(decode_bus_batch("1 2\na"));
  EXPECT_TRUE(decode_bus_batch("")->empty());
}

}  // namespace
}  // namespace chatterbox
