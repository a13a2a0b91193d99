#include "chatterbox/bus/redis_connection.hpp"

#include "support/redis_process.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <optional>

namespace chatterbox {
namespace {

using namespace std::chrono_literals;
using test_support::redis_process;

redis_endpoint endpoint_of(const redis_process& redis, std::string password = "") {
  redis_endpoint e;
  e.host = "127.0.0.1";
  e.port = redis.port();
  e.password = std::move(password);
  return e;
}

// A connection on a private io_context, run in bounded slices until a condition holds.
class redis_connection_test : public ::testing::Test {
 protected:
  std::shared_ptr<redis_connection> connect(redis_endpoint endpoint,
                                            redis_connection::options opts = {}) {
    auto connection = redis_connection::create(
        io_, std::move(endpoint), opts,
        {.connected = [this] { ++connected_; },
         .lost = [this](const std::string& why) { lost_.push_back(why); }});
    connection->start();
    return connection;
  }

  template <typename Done>
  bool run_until(Done done, std::chrono::milliseconds bound = 10000ms) {
    return test_support::run_until(io_, done, bound);
  }

  boost::asio::io_context io_;
  int connected_ = 0;
  std::vector<std::string> lost_;
};

TEST_F(redis_connection_test, RepliesComeBackInTheOrderOfTheCommands) {
  redis_process redis;
  auto connection = connect(endpoint_of(redis));
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  std::vector<long long> counts;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(connection->command({"INCR", "counter"}, [&](const redis_reply* reply) {
      ASSERT_NE(reply, nullptr);
      counts.push_back(reply->integer);
    }));
  }
  std::optional<std::string> value;
  ASSERT_TRUE(connection->command({"SET", "key", std::string_view("a\0b", 3)},
                                  [](const redis_reply*) {}));
  ASSERT_TRUE(connection->command({"GET", "key"}, [&](const redis_reply* reply) {
    value = reply->text;
  }));
  ASSERT_TRUE(run_until([&] { return value.has_value(); }));
  ASSERT_EQ(counts.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(counts[static_cast<std::size_t>(i)], i + 1);
  EXPECT_EQ(*value, std::string("a\0b", 3)) << "binary-safe both ways";
  EXPECT_EQ(connection->pending(), 0u);
  EXPECT_TRUE(lost_.empty());
}

TEST_F(redis_connection_test, ErrorsAreRepliesNotLostConnections) {
  redis_process redis;
  auto connection = connect(endpoint_of(redis));
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  std::optional<redis_reply> reply;
  connection->command({"NOSUCHCOMMAND"}, [&](const redis_reply* r) { reply = *r; });
  ASSERT_TRUE(run_until([&] { return reply.has_value(); }));
  EXPECT_TRUE(reply->is_error());
  EXPECT_TRUE(connection->connected());
}

TEST_F(redis_connection_test, APasswordIsSentAndAWrongOneEndsTheConnection) {
  redis_process redis(test_support::free_tcp_port(), "right horse");
  auto good = connect(endpoint_of(redis, "right horse"));
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  std::optional<std::string> pong;
  good->command({"PING"}, [&](const redis_reply* r) { pong = r->text; });
  ASSERT_TRUE(run_until([&] { return pong.has_value(); }));
  EXPECT_EQ(*pong, "PONG");

  auto bad = connect(endpoint_of(redis, "wrong"));
  ASSERT_TRUE(run_until([&] { return !lost_.empty(); }));
  EXPECT_NE(lost_[0].find("AUTH refused"), std::string::npos) << lost_[0];
  EXPECT_EQ(connected_, 1);
}

TEST_F(redis_connection_test, PublishedMessagesReachTheSubscriber) {
  redis_process redis;
  auto subscriber = connect(endpoint_of(redis));
  auto publisher = connect(endpoint_of(redis));
  ASSERT_TRUE(run_until([&] { return connected_ == 2; }));
  std::vector<std::pair<std::string, std::string>> received;
  bool subscribed = false;
  ASSERT_TRUE(subscriber->subscribe(
      {"events", "presence"},
      [&](std::string_view channel, std::string_view payload) {
        received.emplace_back(channel, payload);
      },
      [&] { subscribed = true; }));
  ASSERT_TRUE(run_until([&] { return subscribed; }));
  publisher->command({"PUBLISH", "events", "one"}, [](const redis_reply*) {});
  publisher->command({"PUBLISH", "other", "not for us"}, [](const redis_reply*) {});
  publisher->command({"PUBLISH", "presence", std::string_view("\0two", 4)},
                     [](const redis_reply*) {});
  ASSERT_TRUE(run_until([&] { return received.size() == 2; }));
  EXPECT_EQ(received[0], std::make_pair(std::string("events"), std::string("one")));
  EXPECT_EQ(received[1], std::make_pair(std::string("presence"), std::string("\0two", 4)));
}

TEST_F(redis_connection_test, ARedisThatDiesAnswersEveryWaitingCommandAndSaysLostOnce) {
  auto redis = std::make_unique<redis_process>();
  auto connection = connect(endpoint_of(*redis));
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  ::kill(redis->pid(), SIGSTOP);  // commands now wait for a reply that never comes
  int answered_null = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(connection->command({"PING"}, [&](const redis_reply* r) {
      if (r == nullptr) ++answered_null;
    }));
  }
  io_.restart();
  io_.run_for(50ms);
  redis->kill_hard();
  ASSERT_TRUE(run_until([&] { return !lost_.empty(); }));
  EXPECT_EQ(answered_null, 10);
  EXPECT_EQ(lost_.size(), 1u);
  EXPECT_FALSE(connection->connected());
  EXPECT_FALSE(connection->command({"PING"}, [](const redis_reply*) {}));
}

TEST_F(redis_connection_test, NothingListeningIsALostConnectionNotAHang) {
  const auto port = test_support::free_tcp_port();
  redis_endpoint e;
  e.host = "127.0.0.1";
  e.port = port;
  auto connection = connect(e);
  ASSERT_TRUE(run_until([&] { return !lost_.empty(); }));
  EXPECT_NE(lost_[0].find("cannot connect"), std::string::npos) << lost_[0];
  EXPECT_EQ(connected_, 0);
}

TEST_F(redis_connection_test, AnUnknownHostIsALostConnection) {
  redis_endpoint e;
  e.host = "no-such-host.invalid";
  auto connection = connect(e);
  ASSERT_TRUE(run_until([&] { return !lost_.empty(); }));
  EXPECT_EQ(connected_, 0);
}

TEST_F(redis_connection_test, ASilentRedisCannotMakeTheServerHoldMoreThanTheBound) {
  redis_process redis;
  auto connection = connect(endpoint_of(redis), {.max_pending = 100, .max_pending_bytes = 1000});
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  ::kill(redis.pid(), SIGSTOP);
  int accepted = 0;
  const std::string big(400, 'x');
  while (connection->command({"SET", "k", big}, [](const redis_reply*) {})) ++accepted;
  EXPECT_EQ(accepted, 2) << "1000 bytes of arguments at most";
  ::kill(redis.pid(), SIGCONT);
  ASSERT_TRUE(run_until([&] { return connection->pending() == 0; }));
  EXPECT_TRUE(connection->command({"SET", "k", big}, [](const redis_reply*) {}));
}

TEST_F(redis_connection_test, TheOwnerMayLetGoOfTheConnectionWhenToldItIsLost) {
  auto redis = std::make_unique<redis_process>();
  std::shared_ptr<redis_connection> connection;
  bool lost = false;
  connection = redis_connection::create(io_, endpoint_of(*redis), {},
                                        {.connected = [&] { ++connected_; },
                                         .lost = [&](const std::string&) {
                                           connection.reset();
                                           lost = true;
                                         }});
  connection->start();
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  connection->command({"PING"}, [](const redis_reply*) {});
  redis->kill_hard();
  ASSERT_TRUE(run_until([&] { return lost; }));
  io_.restart();
  io_.run_for(20ms);  // nothing left behind touches the connection (ASan would say)
}

TEST_F(redis_connection_test, TheOwnerMayLetGoWhenTheConnectionFailsInsideHiredis) {
  // Refused inside a reply callback, and refused while connecting: each time hiredis frees its
  // context after the owner has dropped the connection (ASan would see a use after free).
  redis_process redis(test_support::free_tcp_port(), "secret");
  redis_endpoint nobody_there;
  nobody_there.host = "127.0.0.1";
  nobody_there.port = test_support::free_tcp_port();
  for (const auto& endpoint : {endpoint_of(redis, "wrong"), nobody_there}) {
    std::shared_ptr<redis_connection> connection;
    bool lost = false;
    connection = redis_connection::create(io_, endpoint, {},
                                          {.connected = nullptr,
                                           .lost = [&](const std::string&) {
                                             connection.reset();
                                             lost = true;
                                           }});
    connection->start();
    ASSERT_TRUE(run_until([&] { return lost; }));
    io_.restart();
    io_.run_for(20ms);
  }
}

TEST_F(redis_connection_test, ClosingTellsNobody) {
  redis_process redis;
  auto connection = connect(endpoint_of(redis));
  ASSERT_TRUE(run_until([&] { return connected_ == 1; }));
  ::kill(redis.pid(), SIGSTOP);
  bool answered = false;
  connection->command({"PING"}, [&](const redis_reply*) { answered = true; });
  connection->close();
  connection.reset();
  io_.restart();
  io_.run_for(20ms);
  ::kill(redis.pid(), SIGCONT);
  EXPECT_FALSE(answered);
  EXPECT_TRUE(lost_.empty());
}

}  // namespace
}  // namespace chatterbox
