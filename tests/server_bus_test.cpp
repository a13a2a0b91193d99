// Nodes on one PostgreSQL with --bus redis://: what one node's clients do reaches every node's
// clients live, in seq order, rooms and new accounts included, and a message committed while
// Redis is away still arrives (the latest-seq check and the store fill the gap). Typing,
// receipts, a user's own frames and presence reach the other nodes' clients too, and the users
// of a node that crashed go offline everywhere; a session ended on one node closes its
// connections on every node.

#include "support/postgres_fixture.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"
#include "support/test_client.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace chatterbox {
namespace {

using test_support::http_request;
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

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(files_dir_, ignored);
    postgres_fixture::TearDown();
  }

  std::unique_ptr<server_process> node(std::vector<std::string> extra = {}) {
    // --db is never opened (everything is in PostgreSQL); the nodes share one files directory.
    std::vector<std::string> args{"--store",     url_,          "--bus",
                                  redis_->url(), "--files-dir", files_dir_.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<server_process>("/nonexistent/unused.db", std::move(args));
  }

  const std::filesystem::path files_dir_ =
      std::filesystem::temp_directory_path() /
      ("chatterbox-bus-files-" + std::to_string(std::random_device{}()));

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

TEST_F(server_bus_test, TypingReceiptsAndPresenceReachTheOtherNodes) {
  // Presence expires after 3 s here (30 by default), so the crash below is seen within 4.
  const std::vector<std::string> quick{"--presence-grace", "0", "--presence-expiry", "3"};
  auto first = node(quick);
  auto second = node(quick);
  auto alice = ws_client::connect(first->port(), token_for(first->port(), "alice"));
  auto bob = ws_client::connect(second->port(), token_for(second->port(), "bob"));

  // alice is on the first node only: the second knows it from her signal or the first node's
  // presence key, whichever it heard first.
  if (bob->watch({"alice"}).at("online") != json::array({"alice"})) {
    bob->presence_until("alice", true);
  }

  alice->send({{"type", "typing"}, {"room", 1}, {"active", true}});
  next(*bob, "alice typing", [](const json& e) {
    return e.at("type") == "typing" && e.at("user") == "alice" && e.at("active") == true;
  });

  const auto said = bob->say(1, "b1", "read me");
  const auto id = said.at("id").get<std::int64_t>();
  next(*alice, "bob's message",
       [&](const json& e) { return e.at("type") == "message" && e.at("id") == id; });
  alice->send({{"type", "seen"}, {"room", 1}, {"id", id}});
  next(*bob, "alice's receipt", [&](const json& e) {
    return e.at("type") == "receipt" && e.at("user") == "alice" && e.at("id") == id;
  });

  // alice's other tab, on the other node, hears what only alice's connections are told.
  auto alice_elsewhere = ws_client::connect(second->port(), token_for(second->port(), "alice"));
  alice->send({{"type", "notify"}, {"room", 1}, {"level", "all"}});
  next(*alice_elsewhere, "the notify level set on the other node",
       [](const json& e) { return e.at("type") == "notify" && e.at("level") == "all"; });
  alice_elsewhere->close();

  // The first node dies without a word: its presence key expires, and alice goes offline.
  first->kill_hard();
  bob->presence_until("alice", false);
}

TEST_F(server_bus_test, ASessionEndedOnOneNodeClosesItsConnectionsOnEveryNode) {
  auto first = node();
  auto second = node();
  const auto token = token_for(first->port(), "alice");
  const auto other_token = token_for(second->port(), "alice");
  auto tab_elsewhere = ws_client::connect(second->port(), token);
  auto other_device = ws_client::connect(second->port(), other_token);

  namespace http = boost::beast::http;
  EXPECT_EQ(http_request(first->port(), http::verb::post, "/api/logout", "{}",
                         {{"Authorization", "Bearer " + token}})
                .status,
            200u);
  EXPECT_EQ(tab_elsewhere->wait_closed(), 4001);
  // The other login of the same user is untouched.
  EXPECT_EQ(other_device->history(1).at("type"), "history");
}

}  // namespace
}  // namespace chatterbox
