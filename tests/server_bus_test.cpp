// Nodes on one PostgreSQL with --bus redis://: what one node's clients do reaches every node's
// clients live, in seq order, rooms and new accounts included, and a message committed while
// Redis is away still arrives (the latest-seq check and the store fill the gap).

#include "support/postgres_fixture.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"
#include "support/test_client.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using test_support::json;
using test_support::redis_process;
using test_support::server_process;
using test_support::token_for;
using test_support::ws_client;

class server_bus_test : public test_support::postgres_fixture {
 protected:
  void SetUp() override {
    postgres_fixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    static int databases = 0;
    url_ = server_->create_database("bus_" + std::to_string(++databases));
    redis_.emplace();
  }

  std::unique_ptr<server_process> node() {
    return std::make_unique<server_process>(
        "/nonexistent/unused.db",
        std::vector<std::string>{"--store", url_, "--bus", redis_->url()});
  }

  // The next event `client` gets that `matches`, skipping others.
  static json next(ws_client& client, const std::string& what,
                   const std::function<bool(const json&)>& matches) {
    return client.expect_match(matches, what);
  }

  std::string url_;
  std::optional<redis_process> redis_;
};

TEST_F(server_bus_test, ClientsOfDifferentNodesChatLive) {
  auto first = node();
  auto second = node();
  // Each account created on its own node: the other node learns of it through the bus.
  auto alice = ws_client::connect(first->port(), token_for(first->port(), "alice"));
  auto bob = ws_client::connect(second->port(), token_for(second->port(), "bob"));

  alice->say(1, "a1", "hello from the first node");
  const auto heard = next(*bob, "alice's message", [](const json& e) {
    return e.at("type") == "message" && e.at("text") == "hello from the first node";
  });
  EXPECT_EQ(heard.at("user"), "alice");

  // A private room made on the second node, with a user created on the first.
  const auto ops = bob->create_room("private", "ops", {"alice"});
  const auto room_id = ops.at("id").get<std::int64_t>();
  const auto told = next(*alice, "the new room", [&](const json& e) {
    return e.at("type") == "room" && e.at("room").at("id") == room_id;
  });
  EXPECT_EQ(told.at("room").at("name"), "ops");
  // The first node's directory has it: alice may send there.
  alice->say(room_id, "a2", "in ops");
  EXPECT_EQ(
      next(*bob, "alice in ops",
           [&](const json& e) { return e.at("type") == "message" && e.at("room") == room_id; })
          .at("text"),
      "in ops");

  // Removed on the second node, refused on the first.
  bob->send({{"type", "remove_member"}, {"room", room_id}, {"user", "alice"}});
  next(*alice, "room_removed",
       [&](const json& e) { return e.at("type") == "room_removed" && e.at("room") == room_id; });
  alice->send(room_id, "a3", "still here?");
  const auto refused = next(*alice, "the refusal", [](const json& e) {
    return e.at("type") == "error" || (e.at("type") == "ack" && e.at("client_id") == "a3");
  });
  EXPECT_EQ(refused.at("type"), "error");
}

TEST_F(server_bus_test, AMessageCommittedWhileRedisIsAwayStillArrives) {
  auto first = node();
  auto second = node();
  auto alice = ws_client::connect(first->port(), token_for(first->port(), "alice"));
  auto bob = ws_client::connect(second->port(), token_for(second->port(), "bob"));
  alice->say(1, "before", "before");
  next(*bob, "the first message",
       [](const json& e) { return e.at("type") == "message" && e.at("text") == "before"; });

  const auto port = redis_->port();
  redis_.reset();  // gone: publishing fails, nothing comes from the channel
  alice->say(1, "during", "while redis is away");
  // The second node finds it by its once-a-second look at the latest seq, and reads it.
  next(*bob, "the message sent while Redis was away", [](const json& e) {
    return e.at("type") == "message" && e.at("text") == "while redis is away";
  });

  redis_.emplace(port);  // back, empty: the nodes subscribe again
  alice->say(1, "after", "after");
  next(*bob, "the message after Redis came back",
       [](const json& e) { return e.at("type") == "message" && e.at("text") == "after"; });
}

}  // namespace
}  // namespace chatterbox
